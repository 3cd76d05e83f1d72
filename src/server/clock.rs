//! The one clock that coupon expiry, Stripe signature tolerance and webhook scheduling read.
//! Tests move it forward instead of waiting; production leaves the offset at zero.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Unix milliseconds, as the rest of the storage layer counts time.
    pub fn now_ms(&self) -> i64 {
        crate::server::db::now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn clones_share_the_offset() {
        let c = Clock::default();
        let d = c.clone();
        let before = d.now_ms();
        c.advance(3_600_000);
        assert!(d.now_ms() - before >= 3_600_000);
    }
}
