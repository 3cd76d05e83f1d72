//! SQL for users, their tenant memberships and failed-login records.
use super::super::ms_to_rfc3339;
use crate::model::{MembershipView, Role, TenantChoice, UserStatus};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub status: UserStatus,
    pub created_at: i64,
    /// Sessions signed in before this instant (unix ms) are no longer valid.
    pub sessions_valid_after: i64,
}

fn user(r: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
        // Anything but `active` cannot sign in.
        status: UserStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(UserStatus::Deactivated),
        created_at: r.try_get("created_at")?,
        sessions_valid_after: r.try_get("sessions_valid_after")?,
    })
}

const USER_COLS: &str = "id, email, password_hash, is_admin, status, created_at, sessions_valid_after";

pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &str,
    email: &str,
    password_hash: &str,
    is_admin: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO users (id, email, password_hash, is_admin, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'active', $5, $5)";
    sqlx::query(sql).bind(id).bind(email).bind(password_hash).bind(is_admin as i64).bind(now).execute(ex).await.map(|_| ())
}

pub async fn by_email<'c, E: Executor<'c, Database = Any>>(ex: E, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE email = $1")).bind(email).fetch_optional(ex).await?.map(|r| user(&r)).transpose()
}

pub async fn by_id<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE id = $1")).bind(id).fetch_optional(ex).await?.map(|r| user(&r)).transpose()
}

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users ORDER BY email")).fetch_all(ex).await?.iter().map(user).collect()
}

pub async fn admin_exists<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM users WHERE is_admin = 1 AND status = 'active'").fetch_one(ex).await?.try_get(0)?;
    Ok(n > 0)
}

pub async fn set_password<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    // A new password ends every session signed in with the old one.
    let r = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2, sessions_valid_after = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_status<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str, status: UserStatus, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3").bind(status.as_str()).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

/// Adds the membership or changes its role.
pub async fn upsert_membership<'c, E: Executor<'c, Database = Any>>(ex: E, user_id: &str, tenant_id: &str, role: Role, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO memberships (user_id, tenant_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role";
    sqlx::query(sql).bind(user_id).bind(tenant_id).bind(role.as_str()).bind(now).execute(ex).await.map(|_| ())
}

pub async fn remove_membership<'c, E: Executor<'c, Database = Any>>(ex: E, user_id: &str, tenant_id: &str) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2").bind(user_id).bind(tenant_id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

/// The user's memberships in active tenants, the only ones a session may use.
pub async fn active_memberships<'c, E: Executor<'c, Database = Any>>(ex: E, user_id: &str) -> Result<Vec<TenantChoice>, sqlx::Error> {
    let sql = "SELECT t.id, t.name, m.role, t.time_zone, t.offer_token_ttl_seconds, t.signup_auto_email_invoice, t.signup_collect_automatically, \
         t.signup_days_until_due FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = $1 AND t.status = 'active' ORDER BY t.name, t.id";
    sqlx::query(sql)
        .bind(user_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok(TenantChoice {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                role: Role::parse(&r.try_get::<String, _>("role")?).unwrap_or(Role::Marketer),
                time_zone: r.try_get("time_zone")?,
                offer_token_ttl_minutes: r.try_get::<i64, _>("offer_token_ttl_seconds")? / 60,
                signup_auto_email_invoice: r.try_get::<i64, _>("signup_auto_email_invoice")? != 0,
                signup_collect_automatically: r.try_get::<i64, _>("signup_collect_automatically")? != 0,
                signup_days_until_due: r.try_get("signup_days_until_due")?,
            })
        })
        .collect()
}

pub async fn count_memberships<'c, E: Executor<'c, Database = Any>>(ex: E, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM memberships WHERE user_id = $1").bind(user_id).fetch_one(ex).await?.try_get(0)
}

pub async fn all_memberships<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<Vec<(String, MembershipView)>, sqlx::Error> {
    sqlx::query("SELECT m.user_id, t.id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id ORDER BY t.name")
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("user_id")?,
                MembershipView {
                    tenant_id: r.try_get("id")?,
                    tenant_name: r.try_get("name")?,
                    role: Role::parse(&r.try_get::<String, _>("role")?).unwrap_or(Role::Marketer),
                },
            ))
        })
        .collect()
}

pub fn created(u: &UserRow) -> String {
    ms_to_rfc3339(u.created_at)
}

/// Counts one sign-in attempt against `key` in the window starting at `window_start` (an
/// older window restarts at 1) and answers the attempts counted in the current window. One
/// statement, so concurrent guesses each get their own number (the row is locked on PostgreSQL,
/// the file on SQLite).
pub async fn count_login_attempt<'c, E: Executor<'c, Database = Any>>(ex: E, key: &str, now: i64, window_ms: i64) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO login_throttle (throttle_key, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
           attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
         RETURNING attempts";
    sqlx::query(sql).bind(key).bind(now).bind(now - window_ms).fetch_one(ex).await?.try_get(0)
}

/// Forgets the attempts counted against `key` (a successful sign-in from that address).
pub async fn clear_login_attempts<'c, E: Executor<'c, Database = Any>>(ex: E, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(key).execute(ex).await.map(|_| ())
}

/// Gives one attempt back to `key` (a successful sign-in from a shared address).
pub async fn refund_login_attempt<'c, E: Executor<'c, Database = Any>>(ex: E, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_throttle SET attempts = attempts - 1 WHERE throttle_key = $1 AND attempts > 0").bind(key).execute(ex).await.map(|_| ())
}

/// Housekeeping: throttle windows that started before `before_ms` no longer count for anything.
pub async fn delete_login_failures_before<'c, E: Executor<'c, Database = Any>>(ex: E, before_ms: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM login_throttle WHERE window_start < $1").bind(before_ms).execute(ex).await?.rows_affected())
}
