//! Helpers for the dashboard's forms, shared by the services that take one: repeated rows
//! arrive as parallel indexed lists (`field_keys[0]`, `field_types[0]`, …), blank rows are
//! skipped, and field errors are renamed back to the rows as typed.
use crate::error::AppError;

/// Row `i` of a posted list, trimmed; a missing row is blank.
pub fn nth(v: &Option<Vec<String>>, i: usize) -> String {
    v.as_ref().and_then(|v| v.get(i)).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// A trimmed text field, `None` when blank.
pub fn non_blank(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Field errors name filtered rows (`fields[1].key`); the form shows rows as typed, so the
/// index is mapped back through `rows` (the typed row of each kept one).
pub fn remap_rows(mut e: AppError, prefix: &str, rows: &[usize]) -> AppError {
    let fields = std::mem::take(&mut e.fields);
    for (k, v) in fields {
        let key = match k.strip_prefix(&format!("{prefix}[")).and_then(|r| r.split_once(']')) {
            Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| rows.get(n)) {
                Some(row) => format!("{prefix}[{row}]{rest}"),
                None => k,
            },
            None => k,
        };
        e.fields.insert(key, v);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_rows_as_typed() {
        let mut e = AppError::validation("x");
        e.fields.insert("fields[1].key".into(), "is used twice".into());
        e.fields.insert("name".into(), "is required".into());
        let e = remap_rows(e, "fields", &[0, 3]);
        assert_eq!(e.fields.get("fields[3].key").map(String::as_str), Some("is used twice"));
        assert!(e.fields.contains_key("name"));
        assert_eq!(nth(&Some(vec![" a ".into()]), 0), "a");
        assert_eq!(nth(&None, 2), "");
        assert_eq!((non_blank("  "), non_blank(" x ")), (None, Some("x".to_string())));
    }
}
