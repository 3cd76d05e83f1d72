//! SQL for dashboard sessions (the tower-sessions store in `auth::session_store` uses these).
use sqlx::{Any, Executor, Row};

pub async fn insert_new<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, data: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)").bind(id).bind(data).bind(expires_at).execute(ex).await.map(|_| ())
}

pub async fn upsert<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, data: &str, expires_at: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at";
    sqlx::query(sql).bind(id).bind(data).bind(expires_at).execute(ex).await.map(|_| ())
}

pub async fn load<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(ex)
        .await?
        .map(|r| r.try_get("data"))
        .transpose()
}

pub async fn delete<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(ex).await.map(|_| ())
}

pub async fn delete_expired<'c, E: Executor<'c, Database = Any>>(ex: E, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(ex).await?.rows_affected())
}

pub async fn exists<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT 1 FROM sessions WHERE id = $1").bind(id).fetch_optional(ex).await?.is_some())
}
