//! Keyset pagination of a filtered list: the links to the first and the next page, and the URL
//! of a page (the list's filters kept, `after` the last id shown).
use crate::ui::components::urlencode;
use leptos::prelude::*;

/// `base?k=v&…&after=…`; empty filters are left out.
pub fn page_href(base: &str, filters: &[(&str, &str)], after: Option<&str>) -> String {
    let mut parts: Vec<String> = filters.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    if let Some(a) = after {
        parts.push(format!("after={}", urlencode(a)));
    }
    if parts.is_empty() { base.to_string() } else { format!("{base}?{}", parts.join("&")) }
}

/// "First page" (when not on it) and "Next page" (when there is one).
#[component]
pub fn Pager(first: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {first.map(|h| view! { <a href=h>"First page"</a> })}
            {next.map(|h| view! { <a href=h rel="next">"Next page"</a> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::page_href;

    #[test]
    fn page_href_keeps_filters_and_skips_empty_ones() {
        assert_eq!(page_href("/coupons", &[], None), "/coupons");
        assert_eq!(page_href("/coupons", &[("q", "a b"), ("status", "")], Some("c_1")), "/coupons?q=a%20b&after=c_1");
    }
}
