//! Shared server state, handed to axum handlers and provided as context to server functions.
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::stripe::StripeClient;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub stripe: StripeClient,
    pub engine: crate::server::workflow::Engine,
    /// Surface-decision configuration per tenant and environment, in memory.
    pub snapshots: crate::server::snapshot::Snapshots,
    /// Batched writer of decision events and impressions.
    pub recorder: crate::server::recorder::Recorder,
    /// The clock coupon and webhook rules read (tests move it).
    pub clock: crate::server::clock::Clock,
    /// Wakes the outgoing-webhook dispatcher.
    pub webhooks: crate::server::webhooks_out::Dispatcher,
    /// Per-client limits of the public (publishable-key) endpoints.
    pub limits: crate::server::ratelimit::Limits,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}
