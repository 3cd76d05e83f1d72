//! SQL for `Idempotency-Key` records: a row is claimed before the request runs (status 0) and
//! completed with the stored response, so two concurrent requests with one key cannot both run.
//! Records belong to the principal (API key) that made them — another key of the same tenant
//! and environment has a key space of its own — and expire after [`TTL_MS`].
use super::Scoped;
use sqlx::{Any, Executor, Row};

/// Stored answers are replayed for 24 hours, as Stripe does; after that the key may be reused.
pub const TTL_MS: i64 = 24 * 3600 * 1000;

pub struct Stored {
    pub request_hash: String,
    pub status_code: i64,
    pub response_body: Option<String>,
}

/// Claims the key for `principal`. `false` when a live record for it already exists; an
/// expired one is taken over in the same statement.
pub async fn claim(pool: &sqlx::AnyPool, scope: &Scoped, principal: &str, key: &str, request_hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO idempotency_keys (tenant_id, environment, principal, idem_key, request_hash, status_code, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6) \
         ON CONFLICT (tenant_id, environment, principal, idem_key) DO UPDATE \
           SET request_hash = excluded.request_hash, status_code = 0, response_body = NULL, created_at = excluded.created_at \
           WHERE idempotency_keys.created_at < $7";
    let r = super::scoped(scope, sql).bind(principal).bind(key).bind(request_hash).bind(now).bind(now - TTL_MS).execute(pool).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, principal: &str, key: &str, now: i64) -> Result<Option<Stored>, sqlx::Error> {
    let sql = "SELECT request_hash, status_code, response_body FROM idempotency_keys \
         WHERE tenant_id = $1 AND environment = $2 AND principal = $3 AND idem_key = $4 AND created_at >= $5";
    super::scoped(scope, sql)
        .bind(principal)
        .bind(key)
        .bind(now - TTL_MS)
        .fetch_optional(ex)
        .await?
        .map(|r| Ok(Stored { request_hash: r.try_get("request_hash")?, status_code: r.try_get("status_code")?, response_body: r.try_get("response_body")? }))
        .transpose()
}

pub async fn complete<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    principal: &str,
    key: &str,
    status_code: i64,
    body: &str,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE idempotency_keys SET status_code = $3, response_body = $4 \
         WHERE tenant_id = $1 AND environment = $2 AND principal = $5 AND idem_key = $6";
    super::scoped(scope, sql).bind(status_code).bind(body).bind(principal).bind(key).execute(ex).await.map(|_| ())
}

/// Releases a claim whose request failed on our side, so that a retry may run again.
pub async fn release<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, principal: &str, key: &str) -> Result<(), sqlx::Error> {
    super::scoped(scope, "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND environment = $2 AND principal = $3 AND idem_key = $4")
        .bind(principal)
        .bind(key)
        .execute(ex)
        .await
        .map(|_| ())
}
