//! Platform administration: tenants and users.
use crate::error::AppError;
use crate::model::{TenantView, UserView};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "admin/tenants")]
pub async fn list_tenants() -> Result<Vec<TenantView>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::list(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "admin/tenants/create")]
pub async fn create_tenant(name: String) -> Result<TenantView, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::create(&state, &actor, &name).await)
}

#[server(prefix = "/sfn", endpoint = "admin/tenants/rename")]
pub async fn rename_tenant(id: String, name: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::rename(&state, &actor, &id, &name).await)
}

/// `suspended` is "true" to suspend and "false" to resume.
#[server(prefix = "/sfn", endpoint = "admin/tenants/suspend")]
pub async fn set_tenant_suspended(id: String, suspended: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::set_suspended(&state, &actor, &id, suspended == "true").await)
}

#[server(prefix = "/sfn", endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::users::list(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "admin/users/create")]
pub async fn create_user(email: String, password: String, tenant_id: String, role: String, is_admin: Option<String>) -> Result<String, AppError> {
    use crate::server::services::users::{self, NewUser};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let input = NewUser { email, password, is_admin: is_admin.is_some(), tenant_id: Some(tenant_id), role: Some(role) };
    ctx::finish(users::create(&state, &actor, input).await)
}

#[server(prefix = "/sfn", endpoint = "admin/users/password")]
pub async fn reset_user_password(user_id: String, password: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(crate::server::services::auth::actor(&state, &session).await)?;
    ctx::finish(crate::server::services::users::reset_password(&state, &actor, &user_id, password).await)?;
    // Resetting one's own password ends one's other sessions, not this one.
    if actor.user_id() == Some(user_id.as_str()) {
        crate::server::services::auth::renew_after_password_change(&state, &session).await?;
    }
    Ok(())
}

/// `active` is "true" to reactivate and "false" to deactivate.
#[server(prefix = "/sfn", endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: String, active: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::users::set_active(&state, &actor, &user_id, active == "true").await)
}

/// `role` is merchant, marketer or none (removes the membership).
#[server(prefix = "/sfn", endpoint = "admin/users/membership")]
pub async fn set_user_membership(user_id: String, tenant_id: String, role: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::users::set_membership(&state, &actor, &user_id, &tenant_id, &role).await)
}
