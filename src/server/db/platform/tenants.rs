//! SQL for tenants (platform-level rows: no scope argument, callers are platform admins).
use super::super::ms_to_rfc3339;
use crate::model::{TenantStatus, TenantView};
use sqlx::{Any, Executor, Row, any::AnyRow};

fn view(r: &AnyRow) -> Result<TenantView, sqlx::Error> {
    Ok(TenantView {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        // Anything but `active` locks the tenant out (the sign-in and key queries ask for `active`).
        status: TenantStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(TenantStatus::Suspended),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    })
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, name: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO tenants (id, name, status, created_at, updated_at) VALUES ($1, $2, 'active', $3, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<Option<TenantView>, sqlx::Error> {
    sqlx::query("SELECT id, name, status, created_at FROM tenants WHERE id = $1").bind(id).fetch_optional(ex).await?.map(|r| view(&r)).transpose()
}

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<Vec<TenantView>, sqlx::Error> {
    sqlx::query("SELECT id, name, status, created_at FROM tenants ORDER BY name, id").fetch_all(ex).await?.iter().map(view).collect()
}

pub async fn rename<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, name: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE tenants SET name = $1, updated_at = $2 WHERE id = $3").bind(name).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_status<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, status: TenantStatus, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE tenants SET status = $1, updated_at = $2 WHERE id = $3").bind(status.as_str()).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_time_zone<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, tz: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE tenants SET time_zone = $1, updated_at = $2 WHERE id = $3").bind(tz).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_token_ttl<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, seconds: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE tenants SET offer_token_ttl_seconds = $1, updated_at = $2 WHERE id = $3").bind(seconds).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn time_zone<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<String, sqlx::Error> {
    let row = sqlx::query("SELECT time_zone FROM tenants WHERE id = $1").bind(id).fetch_optional(ex).await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?.unwrap_or_else(|| "UTC".into()))
}

/// A sign-up cart's bill group when the request leaves it out (API.md §12): whether invoices are
/// emailed, whether Stripe charges the payment method, and the days an invoice is due in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignupDefaults {
    pub auto_email_invoice: bool,
    pub collect_automatically: bool,
    pub days_until_due: i64,
}

pub async fn signup_defaults<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<SignupDefaults, sqlx::Error> {
    let sql = "SELECT signup_auto_email_invoice, signup_collect_automatically, signup_days_until_due FROM tenants WHERE id = $1";
    let r = sqlx::query(sql).bind(id).fetch_optional(ex).await?;
    let Some(r) = r else { return Ok(SignupDefaults { auto_email_invoice: true, collect_automatically: true, days_until_due: 30 }) };
    Ok(SignupDefaults { auto_email_invoice: r.try_get::<i64, _>(0)? != 0, collect_automatically: r.try_get::<i64, _>(1)? != 0, days_until_due: r.try_get(2)? })
}

pub async fn set_signup_defaults<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, d: SignupDefaults, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE tenants SET signup_auto_email_invoice = $1, signup_collect_automatically = $2, signup_days_until_due = $3, updated_at = $4 WHERE id = $5";
    let r = sqlx::query(sql)
        .bind(i64::from(d.auto_email_invoice))
        .bind(i64::from(d.collect_automatically))
        .bind(d.days_until_due)
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}
