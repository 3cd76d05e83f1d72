//! A CORS preflight carries no key: whether any environment allows an origin at all is the only
//! thing it can be answered by. Unscoped on purpose (it answers a yes or no, nothing else).
use sqlx::{Any, Executor};

pub async fn allowed_anywhere<'c, E: Executor<'c, Database = Any>>(ex: E, origin: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT 1 FROM allowed_origins WHERE origin = $1 LIMIT 1").bind(origin).fetch_optional(ex).await?.is_some())
}
