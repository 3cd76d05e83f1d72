//! Shared server state, handed to axum handlers and provided as context to server functions.
//! One `Arc`: every request clones the state several times (extractors, middleware), and a
//! clone of the fields one by one showed at about 4 % of decision CPU under perf.
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::stripe::StripeClient;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Parts>);

pub struct Parts {
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
    /// Recently checked coupon codes (`OFFERDECK_COUPON_CHECK_CACHE_MS`).
    pub coupon_checks: crate::server::coupon_cache::CouponCache,
    /// Saved workflow versions, compiled (immutable once saved).
    pub workflow_versions: crate::server::services::methods::WorkflowVersions,
}

impl AppState {
    pub fn new(parts: Parts) -> Self {
        AppState(Arc::new(parts))
    }

    /// Replaces the Stripe client (tests and benchmarks point it at a local stub). Only before
    /// the state is shared (a router built from it holds a clone): `false` otherwise.
    pub fn set_stripe(&mut self, stripe: StripeClient) -> bool {
        match Arc::get_mut(&mut self.0) {
            Some(p) => {
                p.stripe = stripe;
                true
            }
            None => false,
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}
