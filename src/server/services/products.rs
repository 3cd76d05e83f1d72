//! Catalogue products: the pattern every tenant-owned resource follows. One function per verb,
//! shared by the dashboard and `/api/v1/products`.
use crate::error::{AppError, AppResult};
use crate::model::{Page, Product, ProductCreate, ProductStatus, ProductUpdate};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{audit, new_id, products, record};

#[derive(Debug, Default, Clone)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
    pub search: Option<String>,
    pub status: Option<String>,
}

use super::records::page_limit;

pub async fn list(state: &AppState, actor: &Actor, p: ListParams) -> AppResult<Page<Product>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = page_limit(p.limit)?;
    let status = match p.status.as_deref().filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(ProductStatus::parse(s).ok_or_else(|| AppError::field("status", "must be active, archived or all"))?),
    };
    let search = p.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let after = p.starting_after.as_deref().filter(|s| !s.is_empty());
    let (data, has_more) = products::list(&state.db.pool, scope, products::ListFilter { search, status, starting_after: after, limit }).await?;
    Ok(Page { data, has_more })
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Product> {
    super::records::get(state, actor, id, "product").await
}

pub async fn create(state: &AppState, actor: &Actor, input: ProductCreate) -> AppResult<Product> {
    let scope = super::versions::config_scope(state, actor).await?;
    input.validate()?;
    let id = new_id("prod");
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row = products::ProductRow {
        name: input.name.trim(),
        description: input.description.as_deref().unwrap_or("").trim(),
        success_url: input.success_url.as_deref().unwrap_or("").trim(),
        cancel_url: input.cancel_url.as_deref().unwrap_or("").trim(),
    };
    let product = products::insert(&mut *tx, scope, &id, row, now).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "product.created", "product", &id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(product)
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: ProductUpdate) -> AppResult<Product> {
    let scope = super::versions::config_scope(state, actor).await?;
    input.validate()?;
    let mut tx = state.db.begin_write().await?;
    let current = record::get::<Product, _>(&mut *tx, scope, id).await?.ok_or_else(|| AppError::not_found("product"))?;
    let given = |v: &Option<String>, old: &str| v.as_deref().map(str::trim).unwrap_or(old).to_string();
    let (name, description) = (given(&input.name, &current.name), given(&input.description, &current.description));
    let (success_url, cancel_url) = (given(&input.success_url, &current.success_url), given(&input.cancel_url, &current.cancel_url));
    let row = products::ProductRow { name: &name, description: &description, success_url: &success_url, cancel_url: &cancel_url };
    let product = products::update(&mut *tx, scope, id, row, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("product"))?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "product.updated", "product", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(product)
}

/// Products are archived, never deleted: prices and offers keep pointing at them.
pub async fn set_archived(state: &AppState, actor: &Actor, id: &str, archived: bool) -> AppResult<Product> {
    let scope = super::versions::config_scope(state, actor).await?;
    let status = if archived { ProductStatus::Archived } else { ProductStatus::Active };
    let mut tx = state.db.begin_write().await?;
    let product = record::set_status(&mut *tx, scope, id, status, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("product"))?;
    let action = if archived { "product.archived" } else { "product.restored" };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "product", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(product)
}

pub async fn count(state: &AppState, actor: &Actor) -> AppResult<i64> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(products::count(&state.db.pool, scope).await?)
}
