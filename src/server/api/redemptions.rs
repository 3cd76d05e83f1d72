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
    /// The `token` of an offer presented by a surface decision.
    #[schema(min_length = 1)]
    pub offer_token: String,
}

/// The answer of a redemption: the workflow's result. `status` is `success` or `error`;
/// `statusCode` is also the HTTP status.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RedemptionAnswer {
    #[schema(value_type = String, pattern = "^(success|error)$")]
    pub status: &'static str,
    #[schema(minimum = 100, maximum = 599)]
    pub status_code: u16,
    /// `evt_…`; the same for every replay of a successful redemption.
    pub event_id: String,
    /// What the caller should do next, e.g. `{"type":"navigate","url":"https://checkout.stripe.com/…","properties":{}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub action: Option<serde_json::Value>,
    /// Why the redemption was declined (`status: error` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// An error of the server or an answer of the workflow (both can have the same status).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ErrorOrAnswer {
    Error(ErrorBody),
    Answer(RedemptionAnswer),
}

/// Runs the offer's redemption workflow. The HTTP status is the workflow's `statusCode` (200
/// when it succeeds and gives none, 400 when it declines and gives none); a token whose
/// redemption succeeded replays the recorded answer with the same `eventId`. Any other status a
/// workflow chooses answers a `RedemptionAnswer` too (`default`).
#[utoipa::path(post, path = "/api/v1/offer-redemptions", operation_id = "redeemOffer", tag = "offer-redemptions", request_body = RedemptionIn, security(("bearer" = [])),
    responses((status = 200, body = RedemptionAnswer, description = "The workflow succeeded"),
              (status = 400, body = ErrorOrAnswer, description = "`invalid_offer_token` or `validation_failed` (ErrorBody), or the workflow declined (RedemptionAnswer)"),
              (status = 401, body = ErrorOrAnswer, description = "Unauthenticated (ErrorBody), or the workflow asks an anonymous identity to sign up first (RedemptionAnswer with a navigate action)"),
              (status = 403, body = ErrorBody, description = "`token_identity_mismatch`: the token was presented to another user (or a publishable key)"),
              (status = 409, body = ErrorBody, description = "The token is being redeemed right now, or `idempotency_key_reused`"),
              (status = 429, body = ErrorBody, description = "Every workflow slot is busy (see Retry-After)"),
              (status = 502, description = "The workflow reports that Stripe refused or could not be reached", body = RedemptionAnswer),
              (status = 531, body = ErrorBody, description = "`workflow_error`: the workflow threw, timed out or ran out of memory"),
              (status = "default", body = RedemptionAnswer, description = "Another status chosen by the workflow")))]
pub async fn redeem(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<RedemptionIn>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let r = redemptions::redeem(&state, &actor, &input.identity, &input.offer_token).await?;
    Ok((StatusCode::from_u16(r.http_status).unwrap_or(StatusCode::OK), Json(r.body)))
}
