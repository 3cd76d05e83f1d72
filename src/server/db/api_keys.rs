//! SQL for API keys. Only the keyed hash of a key is stored; lookups go by that hash.
use super::{Scoped, env_of, ms_to_rfc3339};
use crate::model::{ApiKeyView, KeyKind};
use sqlx::{Any, Executor, Row};

pub struct NewKey<'a> {
    pub id: &'a str,
    pub kind: KeyKind,
    pub name: &'a str,
    pub key_hash: &'a str,
    pub last4: &'a str,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, k: NewKey<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO api_keys (id, tenant_id, environment, kind, name, key_hash, last4, created_by, created_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9)";
    super::scoped(scope, sql)
        .bind(k.id)
        .bind(k.kind.as_str())
        .bind(k.name)
        .bind(k.key_hash)
        .bind(k.last4)
        .bind(k.created_by)
        .bind(k.now)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    let sql = "SELECT id, name, kind, environment, last4, created_at, revoked_at FROM api_keys \
         WHERE tenant_id = $1 AND environment = $2 ORDER BY created_at DESC, id DESC";
    super::scoped(scope, sql)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok(ApiKeyView {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: KeyKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(KeyKind::Publishable),
                environment: env_of(&r.try_get::<String, _>("environment")?),
                last4: r.try_get("last4")?,
                created_at: ms_to_rfc3339(r.try_get("created_at")?),
                revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(ms_to_rfc3339),
            })
        })
        .collect()
}

pub async fn revoke<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = super::scoped(scope, "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND environment = $2 AND id = $4 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}
