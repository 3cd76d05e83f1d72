//! Platform administration: tenants and users, through `services::{tenants, users}`.
use crate::error::AppError;
use crate::model::{TenantView, UserView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    server::services::{auth, tenants, users},
    server_fns::ctx,
};

/// The new-user form as posted: a membership of `tenant_id` with `role` (merchant, marketer or
/// none); `is_admin` is present (any value) for a platform admin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewUserForm {
    pub email: String,
    pub password: String,
    pub tenant_id: String,
    pub role: String,
    pub is_admin: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "admin/tenants")]
pub async fn list_tenants() -> Result<Vec<TenantView>, AppError> {
    ctx::run(|s, a| async move { tenants::list(&s, &a).await }).await
}

#[server(prefix = "/sfn", endpoint = "admin/tenants/create")]
pub async fn create_tenant(name: String) -> Result<TenantView, AppError> {
    ctx::run(|s, a| async move { tenants::create(&s, &a, &name).await }).await
}

#[server(prefix = "/sfn", endpoint = "admin/tenants/rename")]
pub async fn rename_tenant(id: String, name: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { tenants::rename(&s, &a, &id, &name).await }).await
}

/// `suspended` is "true" to suspend and "false" to resume.
#[server(prefix = "/sfn", endpoint = "admin/tenants/suspend")]
pub async fn set_tenant_suspended(id: String, suspended: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { tenants::set_suspended(&s, &a, &id, suspended == "true").await }).await
}

#[server(prefix = "/sfn", endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    ctx::run(|s, a| async move { users::list(&s, &a).await }).await
}

#[server(prefix = "/sfn", endpoint = "admin/users/create")]
pub async fn create_user(#[server(flatten)] input: NewUserForm) -> Result<String, AppError> {
    ctx::run(|s, a| async move { users::create(&s, &a, input.into()).await }).await
}

/// Resetting one's own password ends one's other sessions, not this one.
#[server(prefix = "/sfn", endpoint = "admin/users/password")]
pub async fn reset_user_password(user_id: String, password: String) -> Result<(), AppError> {
    ctx::run_with_session(|s, session, a| async move {
        users::reset_password(&s, &a, &user_id, password).await?;
        if a.user_id() == Some(user_id.as_str()) {
            auth::renew_after_password_change(&s, &session).await?;
        }
        Ok(())
    })
    .await
}

/// `active` is "true" to reactivate and "false" to deactivate.
#[server(prefix = "/sfn", endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: String, active: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { users::set_active(&s, &a, &user_id, active == "true").await }).await
}

/// `role` is merchant, marketer or none (removes the membership).
#[server(prefix = "/sfn", endpoint = "admin/users/membership")]
pub async fn set_user_membership(user_id: String, tenant_id: String, role: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { users::set_membership(&s, &a, &user_id, &tenant_id, &role).await }).await
}
