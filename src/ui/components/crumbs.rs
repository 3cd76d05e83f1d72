//! The breadcrumb above a detail page: a link back to the list it belongs to.
use leptos::prelude::*;

/// `← Coupons`, linking to `href`.
#[component]
pub fn Crumbs(href: &'static str, label: &'static str) -> impl IntoView {
    view! { <p class="crumbs"><a href=href>{format!("← {label}")}</a></p> }
}
