//! Catalogue → Products, through `services::products` like `/api/v1/products`.
use crate::error::AppError;
use crate::model::{Page, Product};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{model::ProductUpdate, server::services::products, server_fns::ctx};

#[server(prefix = "/sfn", endpoint = "products/list")]
pub async fn list_products(q: Option<String>, status: Option<String>, after: Option<String>) -> Result<Page<Product>, AppError> {
    let params = products::ListParams { limit: Some(20), starting_after: after, search: q, status };
    ctx::run(|s, a| async move { products::list(&s, &a, params).await }).await
}

#[server(prefix = "/sfn", endpoint = "products/get")]
pub async fn get_product(id: String) -> Result<Product, AppError> {
    ctx::run(|s, a| async move { products::get(&s, &a, &id).await }).await
}

/// Creates the product, then on to its page. The return URLs are optional fields of the form.
#[server(prefix = "/sfn", endpoint = "products/create")]
pub async fn create_product(name: String, description: String, success_url: Option<String>, cancel_url: Option<String>) -> Result<Product, AppError> {
    let input = crate::model::ProductCreate { name, description: Some(description), success_url, cancel_url };
    let created = ctx::run(|s, a| async move { products::create(&s, &a, input).await }).await;
    ctx::redirect_on_ok(created, |p| format!("/catalogue/products/{}", p.id))
}

#[server(prefix = "/sfn", endpoint = "products/update")]
pub async fn update_product(
    id: String,
    name: String,
    description: String,
    success_url: Option<String>,
    cancel_url: Option<String>,
) -> Result<Product, AppError> {
    let input = ProductUpdate { name: Some(name), description: Some(description), success_url, cancel_url };
    ctx::run(|s, a| async move { products::update(&s, &a, &id, input).await }).await
}

/// `archived` is "true" to archive and "false" to restore.
#[server(prefix = "/sfn", endpoint = "products/archive")]
pub async fn set_product_archived(id: String, archived: String) -> Result<Product, AppError> {
    ctx::run(|s, a| async move { products::set_archived(&s, &a, &id, archived == "true").await }).await
}

#[server(prefix = "/sfn", endpoint = "products/count")]
pub async fn count_products() -> Result<i64, AppError> {
    ctx::run(|s, a| async move { products::count(&s, &a).await }).await
}
