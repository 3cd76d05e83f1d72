//! SQL for the per-tenant, per-environment Stripe integration (secrets stored encrypted).
use super::{Scoped, ms_to_rfc3339};
use sqlx::{Any, Executor, Row};

pub struct IntegrationRow {
    pub id: String,
    pub secret_key_enc: String,
    pub secret_key_last4: String,
    pub secret_key_prefix: String,
    pub webhook_secret_enc: Option<String>,
    pub publishable_key: Option<String>,
    pub updated_at: String,
}

pub(super) const COLS: &str =
    "id, tenant_id, environment, secret_key_enc, secret_key_last4, secret_key_prefix, webhook_secret_enc, publishable_key, updated_at";

pub(super) fn row(r: &sqlx::any::AnyRow) -> Result<IntegrationRow, sqlx::Error> {
    Ok(IntegrationRow {
        id: r.try_get("id")?,
        secret_key_enc: r.try_get("secret_key_enc")?,
        secret_key_last4: r.try_get("secret_key_last4")?,
        secret_key_prefix: r.try_get("secret_key_prefix")?,
        webhook_secret_enc: r.try_get("webhook_secret_enc")?,
        publishable_key: r.try_get("publishable_key")?,
        updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
    })
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Option<IntegrationRow>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM stripe_integrations WHERE tenant_id = $1 AND environment = $2"))
        .fetch_optional(ex)
        .await?
        .map(|r| row(&r))
        .transpose()
}

pub struct Upsert<'a> {
    pub id: &'a str,
    pub secret_key_enc: &'a str,
    pub secret_key_last4: &'a str,
    pub secret_key_prefix: &'a str,
    /// `None` keeps the stored webhook secret.
    pub webhook_secret_enc: Option<&'a str>,
    /// `None` keeps the stored publishable key; `Some("")` clears it.
    pub publishable_key: Option<&'a str>,
    pub now: i64,
}

pub async fn upsert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, u: Upsert<'_>) -> Result<(), sqlx::Error> {
    super::scoped(scope, "INSERT INTO stripe_integrations (id, tenant_id, environment, secret_key_enc, secret_key_last4, secret_key_prefix, webhook_secret_enc, publishable_key, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, NULLIF($9, ''), $8, $8) \
         ON CONFLICT (tenant_id, environment) DO UPDATE SET secret_key_enc = excluded.secret_key_enc, \
           secret_key_last4 = excluded.secret_key_last4, secret_key_prefix = excluded.secret_key_prefix, \
           webhook_secret_enc = COALESCE(excluded.webhook_secret_enc, stripe_integrations.webhook_secret_enc), \
           publishable_key = CASE WHEN $9 IS NULL THEN stripe_integrations.publishable_key ELSE excluded.publishable_key END, \
           updated_at = excluded.updated_at",)
    .bind(u.id)
    .bind(u.secret_key_enc)
    .bind(u.secret_key_last4)
    .bind(u.secret_key_prefix)
    .bind(u.webhook_secret_enc.map(str::to_string))
    .bind(u.now)
    .bind(u.publishable_key.map(str::to_string))
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn delete<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<bool, sqlx::Error> {
    let r = super::scoped(scope, "DELETE FROM stripe_integrations WHERE tenant_id = $1 AND environment = $2").execute(ex).await?;
    Ok(r.rows_affected() == 1)
}
