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
