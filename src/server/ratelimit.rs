//! Per-client limits on endpoints a publishable key opens to the whole internet. Coupon codes
//! are guessable (`WINBACK30`), so `POST /api/v1/coupons/validate` allows each client address a
//! number of checks per minute per tenant and environment (GCRA, from the governor crate), then
//! answers 429 `rate_limited` with `Retry-After`. Publishable-key surface decisions (each one
//! writes an event and impressions) have a limit of their own. Limits are per process; keys are
//! bounded (tenant id, environment, a parsed address from `client_ip`).
use crate::server::db::Scoped;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Limits {
    validate: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    decisions: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// Discount changes per checkout session (codes are guessed there too), at the rate of
    /// coupon checks.
    discounts: Option<Arc<DefaultKeyedRateLimiter<String>>>,
}

fn keyed(per_minute: u32) -> Option<Arc<DefaultKeyedRateLimiter<String>>> {
    let limiter = NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
    if let Some(l) = &limiter {
        // Forget clients that have been quiet, so the table does not grow without bound.
        let weak = Arc::downgrade(l);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(l) = weak.upgrade() else { break };
                l.retain_recent();
                l.shrink_to_fit();
            }
        });
    }
    limiter
}

fn check(limiter: &Option<Arc<DefaultKeyedRateLimiter<String>>>, scope: &Scoped, client: &str) -> Result<(), u64> {
    let Some(l) = limiter else { return Ok(()) };
    let key = format!("{}/{}/{client}", scope.tenant_id(), scope.env().as_str());
    l.check_key(&key).map_err(|until| until.wait_time_from(DefaultClock::default().now()).as_secs() + 1)
}

impl Limits {
    /// A limit of 0 turns that limit off.
    pub fn new(validate_per_minute: u32, decisions_per_minute: u32) -> Limits {
        Limits { validate: keyed(validate_per_minute), decisions: keyed(decisions_per_minute), discounts: keyed(validate_per_minute) }
    }

    /// One coupon check by `client` (an address) in `scope`; `Err(seconds)` to wait when over.
    pub fn check_validate(&self, scope: &Scoped, client: &str) -> Result<(), u64> {
        check(&self.validate, scope, client)
    }

    /// One discount change of checkout session `session_id` in `scope`, whoever asks.
    pub fn check_discount(&self, scope: &Scoped, session_id: &str) -> Result<(), u64> {
        check(&self.discounts, scope, session_id)
    }

    /// One publishable-key surface decision by `client` in `scope`.
    pub fn check_decision(&self, scope: &Scoped, client: &str) -> Result<(), u64> {
        check(&self.decisions, scope, client)
    }
}
