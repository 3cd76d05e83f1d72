//! Finding an API key by the hash of its text: the one lookup that comes before any tenant is
//! known (it is how a request gets its tenant).
use crate::server::db::{Scoped, Trust, env_of};
use sqlx::{Any, Executor, Row};

/// A usable key: not revoked, and its tenant is active.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    pub id: String,
    pub kind: String,
    pub scope: Scoped,
}

pub async fn find_active_by_hash<'c, E: Executor<'c, Database = Any>>(ex: E, key_hash: &str) -> Result<Option<ActiveKey>, sqlx::Error> {
    let sql = "SELECT k.id, k.kind, k.tenant_id, k.environment FROM api_keys k JOIN tenants t ON t.id = k.tenant_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active'";
    sqlx::query(sql)
        .bind(key_hash)
        .fetch_optional(ex)
        .await?
        .map(|r| {
            Ok(ActiveKey {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                scope: Scoped::trusted(r.try_get::<String, _>("tenant_id")?, env_of(&r.try_get::<String, _>("environment")?), Trust::StoredRow),
            })
        })
        .transpose()
}
