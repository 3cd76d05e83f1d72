//! Checkout sessions found without a scope: the buyer's return hop names only the session id,
//! and housekeeping sweeps sessions that outlived their expiry. Unscoped on purpose; each
//! answer carries the scope read from the row.
use crate::server::db::{Scoped, Trust, env_of};
use sqlx::{Any, Executor, Row};

/// The scope of session `id` (the return hop learns the tenant from the row).
pub async fn scope_of<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<Option<Scoped>, sqlx::Error> {
    let Some(r) = sqlx::query("SELECT tenant_id, environment FROM checkout_sessions WHERE id = $1").bind(id).fetch_optional(ex).await? else {
        return Ok(None);
    };
    Ok(Some(Scoped::trusted(r.try_get::<String, _>("tenant_id")?, env_of(&r.try_get::<String, _>("environment")?), Trust::StoredRow)))
}

/// Sessions still open (or never opened) whose expiry passed before `before`, oldest first.
pub async fn overdue<'c, E: Executor<'c, Database = Any>>(ex: E, before: i64, limit: i64) -> Result<Vec<(Scoped, String)>, sqlx::Error> {
    let sql =
        "SELECT id, tenant_id, environment FROM checkout_sessions WHERE status IN ('pending', 'opening') AND expires_at < $1 ORDER BY expires_at LIMIT $2";
    let rows = sqlx::query(sql).bind(before).bind(limit).fetch_all(ex).await?;
    super::scoped_ids(&rows)
}
