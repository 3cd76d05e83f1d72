//! Catalogue → Products, through `services::products` like `/api/v1/products`.
use crate::error::AppError;
use crate::model::{Page, Product};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "products/list")]
pub async fn list_products(q: Option<String>, status: Option<String>, after: Option<String>) -> Result<Page<Product>, AppError> {
    use crate::server::services::products::{self, ListParams};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(products::list(&state, &actor, ListParams { limit: Some(20), starting_after: after, search: q, status }).await)
}

#[server(prefix = "/sfn", endpoint = "products/get")]
pub async fn get_product(id: String) -> Result<Product, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::products::get(&state, &actor, &id).await)
}

#[server(prefix = "/sfn", endpoint = "products/create")]
pub async fn create_product(name: String, description: String) -> Result<Product, AppError> {
    use crate::model::ProductCreate;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let input = ProductCreate { name, description: Some(description) };
    let product = ctx::finish(crate::server::services::products::create(&state, &actor, input).await)?;
    leptos_axum::redirect(&format!("/catalogue/products/{}", product.id));
    Ok(product)
}

#[server(prefix = "/sfn", endpoint = "products/update")]
pub async fn update_product(id: String, name: String, description: String) -> Result<Product, AppError> {
    use crate::model::ProductUpdate;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let input = ProductUpdate { name: Some(name), description: Some(description) };
    ctx::finish(crate::server::services::products::update(&state, &actor, &id, input).await)
}

/// `archived` is "true" to archive and "false" to restore.
#[server(prefix = "/sfn", endpoint = "products/archive")]
pub async fn set_product_archived(id: String, archived: String) -> Result<Product, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::products::set_archived(&state, &actor, &id, archived == "true").await)
}

#[server(prefix = "/sfn", endpoint = "products/count")]
pub async fn count_products() -> Result<i64, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::products::count(&state, &actor).await)
}
