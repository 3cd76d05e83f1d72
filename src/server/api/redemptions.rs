//! `POST /api/v1/offer-redemptions` (secret key).
use super::{ApiActor, ApiJson, ApiResult, ErrorBody};
use crate::model::IdentityInput;
use crate::server::AppState;
use crate::server::services::redemptions;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/offer-redemptions", post(redeem))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedemptionIn {
    pub identity: IdentityInput,
    pub offer_token: String,
}

/// Runs the offer's redemption workflow. The HTTP status is the workflow's `statusCode`; a
/// token whose redemption succeeded replays the recorded answer with the same `eventId`.
#[utoipa::path(post, path = "/api/v1/offer-redemptions", tag = "offer-redemptions", request_body = RedemptionIn, security(("bearer" = [])),
    responses((status = 200, description = "`{status, statusCode, eventId, action?}`"),
              (status = 400, body = ErrorBody, description = "`invalid_offer_token` or `validation_failed`"),
              (status = 403, body = ErrorBody, description = "`token_identity_mismatch`"),
              (status = 531, body = ErrorBody, description = "`workflow_error`: the workflow threw, timed out or ran out of memory")))]
pub async fn redeem(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiJson(input): ApiJson<RedemptionIn>) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let r = redemptions::redeem(&state, &actor, &input.identity, &input.offer_token).await?;
    Ok((StatusCode::from_u16(r.http_status).unwrap_or(StatusCode::OK), Json(r.body)))
}
