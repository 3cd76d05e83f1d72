//! The current route's values as closures a page builds its resources from.
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The path parameter `name` (`/coupons/:code`), empty when missing.
pub fn path_param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

/// The query parameter `name` (`?status=active`), if given.
pub fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name)
}
