//! `/api/v1/settings/…`: the environment's settings that the API reaches — today the redirect
//! signing secret of checkout sessions (API.md §10).
use super::{ApiActor, ApiResult, ErrorBody, ShownOnce};
use crate::server::AppState;
use crate::server::services::redirects;
use axum::extract::State;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings/redirect-signing-secret", post(rotate_redirect_secret))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RedirectSigningSecret {
    /// `rss_…`: keys the `signature` of checkout redirects. Shown only in this answer: `null`
    /// in an `Idempotency-Key` replay, which adds `secretOmitted: true`.
    pub secret: Option<String>,
}

/// Creates the environment's redirect signing secret, or rotates it; the previous one keeps
/// verifying for 24 hours. The secret is in this answer only (an `Idempotency-Key` replay
/// answers `secret: null` and `secretOmitted: true`).
#[utoipa::path(post, path = "/api/v1/settings/redirect-signing-secret", operation_id = "rotateRedirectSigningSecret", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = RedirectSigningSecret), (status = 403, body = ErrorBody, description = "A publishable key")))]
pub async fn rotate_redirect_secret(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<(Extension<ShownOnce>, Json<RedirectSigningSecret>)> {
    Ok((Extension(ShownOnce(&["secret"])), Json(RedirectSigningSecret { secret: Some(redirects::rotate_secret(&s, &a).await?) })))
}
