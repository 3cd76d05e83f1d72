//! `/api/v1/settings/…`: the environment's settings that the API reaches — today the redirect
//! signing secret of checkout sessions (API.md §10).
use super::{ApiActor, ApiResult, ErrorBody, ShownOnce};
use crate::server::AppState;
use crate::server::services::{origins, redirects};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/redirect-signing-secret", post(rotate_redirect_secret))
        .route("/settings/allowed-origins", get(read_origins).put(put_origins))
}

/// The browser origins allowed to call this environment's publishable-key endpoints.
#[derive(Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllowedOrigins {
    /// Exact `scheme://host[:port]` origins (no path, no wildcard), at most 20.
    #[schema(max_items = 20, value_type = Vec<OriginText>)]
    pub allowed_origins: Vec<String>,
}

/// An origin as a browser sends it: `http(s)://host[:port]`.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^https?://[A-Za-z0-9.-]{1,253}(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$")]
pub struct OriginText(#[allow(dead_code)] String);

#[utoipa::path(get, path = "/api/v1/settings/allowed-origins", operation_id = "getAllowedOrigins", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = AllowedOrigins), (status = 403, body = ErrorBody, description = "A publishable key")))]
pub async fn read_origins(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<AllowedOrigins>> {
    a.authorize(crate::server::auth::Permission::TenantWrite)?;
    Ok(Json(AllowedOrigins { allowed_origins: origins::get(&s, &a).await? }))
}

/// Replaces the environment's allowed origins; surface decisions, coupon validation and the
/// discount endpoints of checkout sessions answer CORS for these origins only.
#[utoipa::path(put, path = "/api/v1/settings/allowed-origins", operation_id = "putAllowedOrigins", tag = "settings", request_body = AllowedOrigins, security(("bearer" = [])),
    responses((status = 200, body = AllowedOrigins), (status = 400, body = ErrorBody, description = "Not an origin, or more than 20"), (status = 403, body = ErrorBody)))]
pub async fn put_origins(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    super::ApiJson(i): super::ApiJson<AllowedOrigins>,
) -> ApiResult<Json<AllowedOrigins>> {
    Ok(Json(AllowedOrigins { allowed_origins: origins::put(&s, &a, &i.allowed_origins).await? }))
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
