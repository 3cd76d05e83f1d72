//! offerdeck: a self-hosted monetization platform in front of Stripe.
//! `ssr` builds the server (axum + Leptos SSR); `hydrate` builds the browser half (WebAssembly).
pub mod app;
pub mod error;
pub mod model;
pub mod server_fns;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// Every server binary that links this crate (the server, tests, benchmarks) allocates with
/// mimalloc.
#[cfg(feature = "ssr")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
