//! SQL for the browser origins an environment allows (API.md §13).
use super::Scoped;
use sqlx::{Any, Executor, Row};

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<String>, sqlx::Error> {
    let rows = super::scoped(scope, "SELECT origin FROM allowed_origins WHERE tenant_id = $1 AND environment = $2 ORDER BY origin").fetch_all(ex).await?;
    rows.iter().map(|r| r.try_get(0)).collect()
}

/// Whether the scope allows `origin`.
pub async fn allows<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, origin: &str) -> Result<bool, sqlx::Error> {
    let sql = "SELECT 1 FROM allowed_origins WHERE tenant_id = $1 AND environment = $2 AND origin = $3";
    Ok(super::scoped(scope, sql).bind(origin).fetch_optional(ex).await?.is_some())
}

/// Replaces the scope's origins (inside the caller's transaction).
pub async fn replace(conn: &mut sqlx::AnyConnection, scope: &Scoped, origins: &[String], now: i64) -> Result<(), sqlx::Error> {
    super::scoped(scope, "DELETE FROM allowed_origins WHERE tenant_id = $1 AND environment = $2").execute(&mut *conn).await?;
    for o in origins {
        super::scoped(scope, "INSERT INTO allowed_origins (tenant_id, environment, origin, created_at) VALUES ($1, $2, $3, $4)")
            .bind(o)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
