//! Sign-up carts found without a scope: housekeeping expires pending carts past their seven
//! days. Unscoped on purpose; each answer carries the scope read from the row.
use crate::server::db::Scoped;
use sqlx::{Any, Executor};

/// Pending carts whose expiry passed before `before`, oldest first.
pub async fn overdue<'c, E: Executor<'c, Database = Any>>(ex: E, before: i64, limit: i64) -> Result<Vec<(Scoped, String)>, sqlx::Error> {
    let sql = "SELECT id, tenant_id, environment FROM signup_carts WHERE state = 'PENDING' AND expires_at < $1 ORDER BY expires_at LIMIT $2";
    let rows = sqlx::query(sql).bind(before).bind(limit).fetch_all(ex).await?;
    super::scoped_ids(&rows)
}
