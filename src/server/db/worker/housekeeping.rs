//! Hourly housekeeping on every node: expired idempotency records go. Unscoped on purpose.
use crate::server::db::idempotency::TTL_MS;
use sqlx::{Any, Executor};

/// Housekeeping (every node, hourly): expired records go.
pub async fn delete_expired<'c, E: Executor<'c, Database = Any>>(ex: E, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(now - TTL_MS).execute(ex).await?.rows_affected())
}
