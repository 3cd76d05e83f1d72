//! The integration tests: one binary that links the server once (zero2prod's layout), one module
//! per area named like `src/server/services/<area>.rs`, each test on SQLite and on PostgreSQL
//! (`<area>::sqlite::<name>`, `<area>::postgres::<name>`; see `helpers::db_tests!`).
//! `cargo test --features ssr --test api`.
#[macro_use]
mod helpers;

mod api_keys;
mod auth;
mod campaigns;
mod checkout;
mod concurrency;
mod coupons;
mod docs;
mod experiences;
mod extract;
mod idempotency;
mod integrations;
mod methods;
mod offers;
mod prices;
mod process;
mod products;
mod rates;
mod redemptions;
mod redirects;
mod signup;
mod stripe_events;
mod surfaces;
mod tenancy;
mod tenants;
mod versions;
mod webhooks;
