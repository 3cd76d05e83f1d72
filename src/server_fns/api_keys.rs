//! Settings → API keys, through `services::api_keys`.
use crate::error::AppError;
use crate::model::ApiKeyList;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    server::services::{api_keys, auth},
    server_fns::ctx,
};

/// The keys, and the ones created since the last view (shown once).
#[server(prefix = "/sfn", endpoint = "api_keys/page")]
pub async fn api_keys_page() -> Result<ApiKeyList, AppError> {
    let rid = ctx::request_id();
    ctx::run_with_session(|s, session, a| async move {
        let keys = api_keys::list(&s, &a).await?;
        Ok(ApiKeyList { keys, new_keys: auth::take_secrets(&s, &session, auth::SecretFlash::ApiKeys, &rid).await? })
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
