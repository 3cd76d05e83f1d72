//! Sign-in, sign-out, who am I, and the tenant and environment switches.
use crate::error::AppError;
use crate::model::SessionInfo;
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let state = use_context::<crate::server::AppState>().ok_or_else(|| crate::server::internal("server function", "AppState missing from context"))?;
    let client = ctx::client_key(&state);
    let (state, session) = ctx::session().await?;
    ctx::finish(crate::server::services::auth::login(&state, &session, &client, &email, &password).await)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (_, session) = ctx::session().await?;
    crate::server::services::auth::logout(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "session")]
pub async fn get_session_info() -> Result<Option<SessionInfo>, AppError> {
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    crate::server::services::auth::session_info(&state, &session).await
}

/// Whether a platform admin exists; until one does the login page explains how to create it.
#[server(prefix = "/sfn", endpoint = "admin_exists")]
pub async fn admin_exists() -> Result<bool, AppError> {
    use crate::server_fns::ctx;
    let (state, _) = ctx::session().await?;
    crate::server::services::auth::admin_exists(&state).await
}

#[server(prefix = "/sfn", endpoint = "switch_environment")]
pub async fn switch_environment(environment: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    ctx::finish(crate::server::services::auth::switch_environment(&state, &session, &environment).await)
}

#[server(prefix = "/sfn", endpoint = "switch_tenant")]
pub async fn switch_tenant(tenant_id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    ctx::finish(crate::server::services::auth::switch_tenant(&state, &session, &tenant_id).await)
}
