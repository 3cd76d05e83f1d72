//! Times typed in the dashboard are in the tenant's time zone; the database holds UTC instants.
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

pub fn is_valid(tz: &str) -> bool {
    !tz.is_empty() && tz.len() <= 64 && TimeZone::get(tz).is_ok()
}

/// `2026-12-01T09:00` in `tz` → unix milliseconds. Ambiguous times (clocks going back) take
/// the earlier instant; times in a gap (clocks going forward) move forward, as Temporal does.
pub fn local_to_ms(local: &str, tz: &str) -> Result<i64, String> {
    let zone = TimeZone::get(tz).map_err(|_| format!("unknown time zone {tz}"))?;
    let dt: DateTime = local.trim().parse().map_err(|_| "must be a date and time like 2026-12-01T09:00".to_string())?;
    let zoned = dt.to_zoned(zone).map_err(|e| e.to_string())?;
    Ok(zoned.timestamp().as_millisecond())
}

/// A form's optional local time (`datetime-local`) as RFC 3339 UTC; blank is `None`, a bad value
/// is a field error in `errors`.
pub fn local_field(errors: &mut crate::error::FieldErrors, field: &str, text: &str, tz: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    match local_to_ms(text, tz) {
        Ok(ms) => Some(crate::server::db::ms_to_rfc3339(ms)),
        Err(m) => {
            errors.add(field, m);
            None
        }
    }
}

/// Unix milliseconds → `2026-12-01T09:00` in `tz` (for `datetime-local` inputs).
pub fn ms_to_local(ms: i64, tz: &str) -> String {
    let Ok(zone) = TimeZone::get(tz) else { return String::new() };
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.to_zoned(zone).datetime().strftime("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

/// RFC 3339 (UTC) → local input value in `tz`.
pub fn rfc3339_to_local(s: &str, tz: &str) -> String {
    s.parse::<jiff::Timestamp>().map(|ts| ms_to_local(ts.as_millisecond(), tz)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::ms_to_rfc3339;
    #[test]
    fn converts_through_the_tenant_zone() {
        // London is UTC+1 in summer, UTC in winter.
        let summer = local_to_ms("2026-07-01T09:00", "Europe/London").unwrap();
        assert_eq!(ms_to_rfc3339(summer), "2026-07-01T08:00:00Z");
        let winter = local_to_ms("2026-12-01T09:00", "Europe/London").unwrap();
        assert_eq!(ms_to_rfc3339(winter), "2026-12-01T09:00:00Z");
        assert_eq!(ms_to_local(summer, "Europe/London"), "2026-07-01T09:00");
        assert_eq!(rfc3339_to_local("2026-07-01T08:00:00Z", "America/New_York"), "2026-07-01T04:00");
        assert!(is_valid("UTC") && is_valid("Asia/Tokyo") && !is_valid("Mars/Olympus"));
        assert!(local_to_ms("tomorrow", "UTC").is_err());
    }
}
