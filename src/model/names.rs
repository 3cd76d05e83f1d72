//! Names merchants choose that end up in URLs and JSON keys: slugs (methods, surfaces) and keys
//! (schema fields, offer slots, surface slots).
use crate::error::FieldErrors;

/// A URL-safe slug: lower-case letters, digits and dashes.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

pub fn validate_slug(slug: &str, e: &mut FieldErrors) {
    if slug.is_empty() || slug.len() > 64 || !slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') || slug.starts_with('-') {
        e.add("slug", "must be 1–64 lower-case letters, digits and dashes");
    }
}

pub fn validate_key(key: &str, field: &str, e: &mut FieldErrors) {
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        e.add(field, "must be 1–64 letters, digits, dashes or underscores");
    }
}
