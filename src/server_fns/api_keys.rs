//! Settings → API keys, through `services::api_keys`, and the redirect signing secret of
//! checkout sessions, through `services::redirects`.
use crate::error::AppError;
use crate::model::ApiKeyList;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    server::services::{api_keys, auth, redirects},
    server_fns::ctx,
};

/// The keys, and the ones created since the last view (shown once).
#[server(prefix = "/sfn", endpoint = "api_keys/page")]
pub async fn api_keys_page() -> Result<ApiKeyList, AppError> {
    let rid = ctx::request_id();
    ctx::run_with_session(|s, session, a| async move {
        let keys = api_keys::list(&s, &a).await?;
        let new_keys = auth::take_secrets(&s, &session, auth::SecretFlash::ApiKeys, &rid).await?;
        let new_redirect_secrets = auth::take_secrets(&s, &session, auth::SecretFlash::RedirectSecrets, &rid).await?;
        Ok(ApiKeyList { keys, new_keys, redirect_secret_set: redirects::has_secret(&s, &a).await?, new_redirect_secrets })
    })
    .await
}

/// The new key is kept in the session for the next page view, where it is shown once.
#[server(prefix = "/sfn", endpoint = "api_keys/create")]
pub async fn create_api_key(kind: String, name: String) -> Result<(), AppError> {
    ctx::run_with_session(|s, session, a| async move {
        let (_, key) = api_keys::create(&s, &a, &kind, &name).await?;
        auth::push_secret(&s, &session, auth::SecretFlash::ApiKeys, &key).await
    })
    .await
}

#[server(prefix = "/sfn", endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { api_keys::revoke(&s, &a, &id).await }).await
}

/// Creates or rotates the environment's redirect signing secret; the next page view shows it
/// once.
#[server(prefix = "/sfn", endpoint = "api_keys/redirect_secret")]
pub async fn rotate_redirect_secret() -> Result<(), AppError> {
    ctx::run_with_session(|s, session, a| async move {
        let secret = redirects::rotate_secret(&s, &a).await?;
        auth::push_secret(&s, &session, auth::SecretFlash::RedirectSecrets, &secret).await
    })
    .await
}

/// The browser origins allowed to call this environment's publishable-key endpoints.
#[server(prefix = "/sfn", endpoint = "api_keys/allowed_origins")]
pub async fn allowed_origins() -> Result<Vec<String>, AppError> {
    ctx::run(|s, a| async move { crate::server::services::origins::get(&s, &a).await }).await
}

/// Replaces them: one origin per line (`https://shop.example`).
#[server(prefix = "/sfn", endpoint = "api_keys/allowed_origins/save")]
pub async fn save_allowed_origins(origins: String) -> Result<Vec<String>, AppError> {
    let list: Vec<String> = origins.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    ctx::run(|s, a| async move { crate::server::services::origins::put(&s, &a, &list).await }).await
}
