//! SQL for API keys. Only the keyed hash of a key is stored; lookups go by that hash.
use super::{Scope, env_of, ms_to_rfc3339, now_ms};
use crate::model::{ApiKeyView, KeyKind};
use sqlx::{Any, Executor, Row};

pub struct NewKey<'a> {
    pub id: &'a str,
    pub kind: KeyKind,
    pub name: &'a str,
    pub key_hash: &'a str,
    pub last4: &'a str,
    pub created_by: Option<&'a str>,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope, k: NewKey<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO api_keys (id, tenant_id, environment, kind, name, key_hash, last4, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(k.id)
    .bind(&scope.tenant_id)
    .bind(scope.env.as_str())
    .bind(k.kind.as_str())
    .bind(k.name)
    .bind(k.key_hash)
    .bind(k.last4)
    .bind(k.created_by)
    .bind(now_ms())
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    sqlx::query(
        "SELECT id, name, kind, environment, last4, created_at, revoked_at FROM api_keys \
         WHERE tenant_id = $1 AND environment = $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(&scope.tenant_id)
    .bind(scope.env.as_str())
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

pub async fn revoke<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope, id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE tenant_id = $2 AND environment = $3 AND id = $4 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(&scope.tenant_id)
        .bind(scope.env.as_str())
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A usable key: not revoked, and its tenant is active.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    pub id: String,
    pub kind: String,
    pub scope: Scope,
}

pub async fn find_active_by_hash<'c, E: Executor<'c, Database = Any>>(ex: E, key_hash: &str) -> Result<Option<ActiveKey>, sqlx::Error> {
    sqlx::query(
        "SELECT k.id, k.kind, k.tenant_id, k.environment FROM api_keys k JOIN tenants t ON t.id = k.tenant_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active'",
    )
    .bind(key_hash)
    .fetch_optional(ex)
    .await?
    .map(|r| {
        Ok(ActiveKey {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            scope: Scope { tenant_id: r.try_get("tenant_id")?, env: env_of(&r.try_get::<String, _>("environment")?) },
        })
    })
    .transpose()
}
