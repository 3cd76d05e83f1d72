//! Hourly housekeeping on every node: expired idempotency records go. Unscoped on purpose.
use crate::server::db::idempotency::TTL_MS;
use crate::server::db::now_ms;
use sqlx::{Any, Executor};

/// Housekeeping (every node, hourly): expired records go.
pub async fn delete_expired<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(now_ms() - TTL_MS).execute(ex).await?.rows_affected())
}
