//! SQL for `Idempotency-Key` records: a row is claimed before the request runs (status 0) and
//! completed with the stored response, so two concurrent requests with one key cannot both run.
use super::{Scope, now_ms};
use sqlx::{Any, Executor, Row};

pub struct Stored {
    pub request_hash: String,
    pub status_code: i64,
    pub response_body: Option<String>,
}

/// Claims the key. `false` when a record for it already exists.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope, key: &str, request_hash: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "INSERT INTO idempotency_keys (tenant_id, environment, idem_key, request_hash, status_code, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&scope.tenant_id)
    .bind(scope.env.as_str())
    .bind(key)
    .bind(request_hash)
    .bind(now_ms())
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope, key: &str) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query(
        "SELECT request_hash, status_code, response_body FROM idempotency_keys \
         WHERE tenant_id = $1 AND environment = $2 AND idem_key = $3",
    )
    .bind(&scope.tenant_id)
    .bind(scope.env.as_str())
    .bind(key)
    .fetch_optional(ex)
    .await?
    .map(|r| Ok(Stored { request_hash: r.try_get("request_hash")?, status_code: r.try_get("status_code")?, response_body: r.try_get("response_body")? }))
    .transpose()
}

pub async fn complete<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scope,
    key: &str,
    status_code: i64,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET status_code = $1, response_body = $2 \
         WHERE tenant_id = $3 AND environment = $4 AND idem_key = $5",
    )
    .bind(status_code)
    .bind(body)
    .bind(&scope.tenant_id)
    .bind(scope.env.as_str())
    .bind(key)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Releases a claim whose request failed on our side, so that a retry may run again.
pub async fn release<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scope, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND environment = $2 AND idem_key = $3")
        .bind(&scope.tenant_id)
        .bind(scope.env.as_str())
        .bind(key)
        .execute(ex)
        .await
        .map(|_| ())
}
