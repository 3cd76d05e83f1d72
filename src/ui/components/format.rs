//! Text helpers for views: times as the dashboard shows them, and query-string encoding.

/// "2026-11-24T10:00:00Z" → "2026-11-24 10:00 UTC".
pub fn short_time(rfc3339: &str) -> String {
    if rfc3339.len() >= 16 { format!("{} {} UTC", &rfc3339[..10], &rfc3339[11..16]) } else { rfc3339.to_string() }
}

/// Percent-encodes a query-string value (unreserved characters stay as they are).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_time_keeps_minutes() {
        assert_eq!(short_time("2026-11-24T10:00:59Z"), "2026-11-24 10:00 UTC");
        assert_eq!(short_time("soon"), "soon");
    }

    #[test]
    fn urlencode_escapes_all_but_unreserved() {
        assert_eq!(urlencode("a b&c=d/é~-_."), "a%20b%26c%3Dd%2F%C3%A9~-_.");
    }
}
