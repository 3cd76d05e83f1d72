//! The reads every plain resource shares, for a tenant reader: one object by id (404 naming
//! it), every object, and one keyset page, with the paging rules of every list (`limit` 1–100,
//! default 50; a blank `startingAfter` is the first page).
use crate::error::{AppError, AppResult};
use crate::model::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::record::{self, Record};

/// A list's page size: 1–100, 50 when the caller gives none.
pub fn page_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(l) if (1..=MAX_PAGE_SIZE).contains(&l) => Ok(l),
        Some(_) => Err(AppError::field("limit", format!("must be between 1 and {MAX_PAGE_SIZE}"))),
    }
}

/// `startingAfter` as the lists take it: blank means the first page.
pub fn cursor(starting_after: Option<&str>) -> Option<&str> {
    starting_after.map(str::trim).filter(|s| !s.is_empty())
}

/// The object `id` of the caller's environment; 404 `not_found` naming `what` otherwise.
pub async fn get<T: Record>(state: &AppState, actor: &Actor, id: &str, what: &str) -> AppResult<T> {
    let scope = actor.authorize(Permission::TenantRead)?;
    record::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found(what))
}

/// Every object of the caller's environment, newest first (the dashboard's short lists).
pub async fn all<T: Record>(state: &AppState, actor: &Actor) -> AppResult<Vec<T>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(record::all(&state.db.pool, scope, "").await?)
}

/// One page of the caller's environment, newest first (the API's lists).
pub async fn page<T: Record>(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<T>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = page_limit(limit)?;
    let (data, has_more) = record::page(&state.db.pool, scope, "", cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}
