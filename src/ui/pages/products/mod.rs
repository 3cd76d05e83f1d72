//! Catalogue → Products (`server_fns::products`): the list with search, status filter and
//! pagination, the create form (`list`), and a product's page with its prices, edit and
//! archive/restore (`detail`).
mod detail;
mod list;

pub use detail::ProductPage;
pub use list::ProductsPage;

use crate::model::ProductStatus;
use leptos::prelude::*;

fn status_badge(s: ProductStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", s.as_str())>{s.as_str()}</span> }
}
