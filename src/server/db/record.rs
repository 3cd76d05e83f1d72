//! The scoped reads and writes every plain table shares: a [`Record`] is a model type stored one
//! row per object, and these functions get, list, page, archive or restore it within one tenant
//! and environment. Writes answer the row through `RETURNING` (no second read), and a row of
//! another scope is never found: the caller's `not_found`.
use super::{PageOf, Scoped, page_by_id, scoped};
use crate::model::ProductStatus;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Executor};

/// A model type stored one row per object in a tenant-owned table.
pub trait Record: Sized + Send + Unpin {
    /// The table (also the cursor table of its pages).
    const TABLE: &'static str;
    /// The columns [`Record::from_row`] reads, for `SELECT` and `RETURNING`.
    const COLS: &'static str;
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error>;
}

/// The row `id` of the scope.
pub async fn get<'c, T: Record, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<T>, sqlx::Error> {
    let sql = format!("SELECT {} FROM {} WHERE tenant_id = $1 AND environment = $2 AND id = $3", T::COLS, T::TABLE);
    one(scoped(scope, &sql).bind(id), ex).await
}

/// Every row of the scope that `filter` keeps (empty: all), newest first; the services cap
/// how many a scope holds.
pub async fn all<'c, T: Record, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, filter: &str) -> Result<Vec<T>, sqlx::Error> {
    let sql = format!("SELECT {} FROM {} WHERE tenant_id = $1 AND environment = $2 {filter} ORDER BY id DESC", T::COLS, T::TABLE);
    scoped(scope, &sql).fetch_all(ex).await?.iter().map(T::from_row).collect()
}

/// One keyset page of the scope, newest first, and whether more follow; `filter` narrows the
/// rows (`AND status <> 'deleted'`, or empty).
pub async fn page<'c, T: Record, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    filter: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<T>, bool), sqlx::Error> {
    page_by_id(ex, scope, PageOf { table: T::TABLE, cols: T::COLS, filter }, starting_after, limit, T::from_row).await
}

/// Archives or restores the row `id` of the scope and answers it; `None` when there is none.
pub async fn set_status<'c, T: Record, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    status: ProductStatus,
    now: i64,
) -> Result<Option<T>, sqlx::Error> {
    let sql = format!("UPDATE {} SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 RETURNING {}", T::TABLE, T::COLS);
    one(scoped(scope, &sql).bind(status.as_str()).bind(now).bind(id), ex).await
}

/// Deletes the row `id` of the scope (the service has checked that nothing refers to it);
/// `false` when there is none.
pub async fn delete<'c, T: Record, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<bool, sqlx::Error> {
    let sql = format!("DELETE FROM {} WHERE tenant_id = $1 AND environment = $2 AND id = $3", T::TABLE);
    Ok(scoped(scope, &sql).bind(id).execute(ex).await?.rows_affected() == 1)
}

/// Runs a write whose SQL ends in `RETURNING` [`Record::COLS`] and maps the row it answers;
/// `None` when it touched no row (an update or upsert that found none in the scope).
pub async fn one<'q, 'c, T: Record, E: Executor<'c, Database = Any>>(q: Query<'q, Any, AnyArguments<'q>>, ex: E) -> Result<Option<T>, sqlx::Error> {
    q.fetch_optional(ex).await?.map(|r| T::from_row(&r)).transpose()
}
