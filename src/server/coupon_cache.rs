//! Coupon checks (`POST /api/v1/coupons/validate`) answered from memory: a per-process copy of
//! each code's row, kept at most `OFFERDECK_COUPON_CHECK_CACHE_MS` (default 1,000 ms) by the
//! state's clock. A check is advice to a paywall; what spends a use — a redemption, a checkout
//! session, a sign-up cart — always locks and reads the row itself, so a stale copy can at most
//! show a code as valid for that long after another node used it up (this node's own coupon
//! writes through the coupon service forget the code at once). Only codes that exist are kept,
//! at most [`MAX_ENTRIES`] per process: a caller guessing codes reads the database each time
//! (and meets the per-client limit) but cannot push the real codes out.
use crate::server::db::Scoped;
use crate::server::db::coupons::CouponRow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub const MAX_ENTRIES: usize = 20_000;

#[derive(Clone, Default)]
pub struct CouponCache {
    inner: Arc<Inner>,
}

/// A code's row and when it was read (ms), by scope and code.
type Entries = HashMap<(Scoped, String), (Arc<CouponRow>, i64)>;

#[derive(Default)]
struct Inner {
    map: RwLock<Entries>,
    /// Bumped by every forget: a read that overlapped one is answered but not kept.
    generation: AtomicU64,
}

impl CouponCache {
    /// The remembered row of `code` if it was read less than `ttl_ms` ago (`now_ms` is the
    /// state's clock).
    pub fn get(&self, scope: &Scoped, code: &str, now_ms: i64, ttl_ms: i64) -> Option<Arc<CouponRow>> {
        let map = self.inner.map.read().unwrap_or_else(|e| e.into_inner());
        let (row, at) = map.get(&(scope.clone(), code.to_string()))?;
        (now_ms - *at < ttl_ms && now_ms >= *at).then(|| row.clone())
    }

    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    /// Remembers `row` as read at `now_ms`, unless a forget ran since `generation` was taken.
    pub fn put(&self, scope: &Scoped, code: &str, row: Arc<CouponRow>, now_ms: i64, ttl_ms: i64, generation: u64) {
        let mut map = self.inner.map.write().unwrap_or_else(|e| e.into_inner());
        if self.inner.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, at)| now_ms - *at < ttl_ms);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert((scope.clone(), code.to_string()), (row, now_ms));
    }

    /// Forgets `code` (this node changed or used it).
    pub fn forget(&self, scope: &Scoped, code: &str) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.map.write().unwrap_or_else(|e| e.into_inner()).remove(&(scope.clone(), code.to_string()));
    }

    /// Forgets every code of `scope` (a batch activated, many codes at once).
    pub fn forget_scope(&self, scope: &Scoped) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.map.write().unwrap_or_else(|e| e.into_inner()).retain(|(s, _), _| s != scope);
    }

    pub fn len(&self) -> usize {
        self.inner.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Environment;
    use crate::server::auth::{Actor, Permission};
    use crate::server::db::coupons::CouponRow;

    fn row(code: &str) -> Arc<CouponRow> {
        let coupon: crate::model::Coupon = serde_json::from_value(serde_json::json!({
            "id": "cpn_1", "code": code, "type": "percentage", "amount": 10, "currency": null, "repeatMonths": null, "durationMonths": null,
            "maxRedemptions": null, "maxRedemptionsPerCustomer": null, "startsAt": null, "expiresAt": null, "campaign": null, "stripeCouponId": "A",
            "timesRedeemed": 0, "reserved": 0, "status": "active", "environment": "preview", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        Arc::new(CouponRow { coupon, batch_id: None, starts_at_ms: None, expires_at_ms: None })
    }

    #[test]
    fn ages_out_forgets_and_stays_bounded() {
        let c = CouponCache::default();
        let scope = |t: &str| Actor::operator_in(t, Environment::Preview).authorize(Permission::TenantWrite).unwrap().clone();
        let (s, other) = (scope("ten_1"), scope("ten_2"));
        c.put(&s, "A", row("A"), 1_000, 500, c.generation());
        assert!(c.get(&s, "A", 1_499, 500).is_some());
        assert!(c.get(&s, "A", 1_500, 500).is_none(), "aged out");
        assert!(c.get(&other, "A", 1_000, 500).is_none(), "another tenant's code is another entry");
        // A read that overlapped a forget is not kept.
        let g = c.generation();
        c.forget(&s, "A");
        c.put(&s, "A", row("A"), 2_000, 500, g);
        assert!(c.get(&s, "A", 2_000, 500).is_none());
        for i in 0..MAX_ENTRIES + 10 {
            c.put(&s, &format!("C{i}"), row("C"), 3_000, 500, c.generation());
        }
        assert!(c.len() <= MAX_ENTRIES);
        c.forget_scope(&s);
        assert!(c.is_empty());
    }
}
