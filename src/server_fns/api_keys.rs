//! Settings → API keys.
use crate::error::AppError;
use crate::model::ApiKeyList;
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "api_keys/page")]
pub async fn api_keys_page() -> Result<ApiKeyList, AppError> {
    use crate::server::services::{api_keys, auth};
    use crate::server_fns::ctx;
    let rid = ctx::request_id();
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(auth::actor(&state, &session).await)?;
    let keys = ctx::finish(api_keys::list(&state, &actor).await)?;
    let new_keys = auth::take_secrets(&state, &session, auth::SecretFlash::ApiKeys, &rid).await?;
    Ok(ApiKeyList { keys, new_keys })
}

/// The new key is kept in the session for the next page view, where it is shown once.
#[server(prefix = "/sfn", endpoint = "api_keys/create")]
pub async fn create_api_key(kind: String, name: String) -> Result<(), AppError> {
    use crate::server::services::{api_keys, auth};
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(auth::actor(&state, &session).await)?;
    let (_, key) = ctx::finish(api_keys::create(&state, &actor, &kind, &name).await)?;
    auth::push_secret(&state, &session, auth::SecretFlash::ApiKeys, &key).await
}

#[server(prefix = "/sfn", endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::api_keys::revoke(&state, &actor, &id).await)
}
