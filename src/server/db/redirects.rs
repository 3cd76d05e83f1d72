//! SQL for the redirect signing secrets, one per tenant and environment.
use super::Scoped;
use sqlx::{Any, Executor, Row};

/// The stored secret (encrypted), and the previous one with the instant it stops verifying.
pub struct StoredSecret {
    pub secret_enc: String,
    pub previous: Option<(String, i64)>,
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Option<StoredSecret>, sqlx::Error> {
    let sql = "SELECT secret_enc, previous_enc, previous_until FROM redirect_signing_secrets WHERE tenant_id = $1 AND environment = $2";
    let Some(r) = super::scoped(scope, sql).fetch_optional(ex).await? else {
        return Ok(None);
    };
    let previous = r.try_get::<Option<String>, _>("previous_enc")?.zip(r.try_get::<Option<i64>, _>("previous_until")?);
    Ok(Some(StoredSecret { secret_enc: r.try_get("secret_enc")?, previous }))
}

/// Stores `secret_enc` as the scope's secret; the one it replaces keeps verifying until
/// `previous_until`.
pub async fn rotate<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, secret_enc: &str, previous_until: i64, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO redirect_signing_secrets (tenant_id, environment, secret_enc, previous_enc, previous_until, created_at) \
         VALUES ($1, $2, $3, NULL, NULL, $5) ON CONFLICT (tenant_id, environment) DO UPDATE SET \
         previous_enc = redirect_signing_secrets.secret_enc, previous_until = $4, secret_enc = excluded.secret_enc, created_at = excluded.created_at";
    super::scoped(scope, sql).bind(secret_enc).bind(previous_until).bind(now).execute(ex).await.map(|_| ())
}
