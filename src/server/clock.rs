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
        now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// The system time in unix milliseconds: the [`Clock`] reads it; code with an `AppState` reads
/// `state.clock` instead, so that tests can move time.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The inverse of [`ms_to_rfc3339`]; `None` when `s` is not an RFC 3339 time.
pub fn rfc3339_to_ms(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok().map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// An optional RFC 3339 parameter (`/api/v1` query strings) as unix milliseconds; blank is
/// `None`, a bad value a field error naming `name`.
pub fn instant_param(name: &str, v: Option<&str>) -> Result<Option<i64>, crate::error::AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => rfc3339_to_ms(t).map(Some).ok_or_else(|| crate::error::AppError::field(name, "must be an RFC 3339 time such as 2026-11-25T00:00:00Z")),
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
