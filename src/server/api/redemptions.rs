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
    Router::new()
        .route("/offer-redemptions", post(redeem))
        .route("/events", axum::routing::get(list_events))
        .route("/events/{id}", axum::routing::get(read_event))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
    /// `surface.decision` or `offer.redemption`
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub event_type: Option<String>,
    pub status: Option<String>,
    pub offer_id: Option<String>,
    /// The user identifier or anonymous id the event was for.
    pub identity: Option<String>,
    /// RFC 3339: events at or after this instant.
    pub from: Option<String>,
    /// RFC 3339: events before this instant.
    pub to: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub data: Vec<crate::model::Event>,
    pub has_more: bool,
}

/// Decisions and redemptions, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "offer-redemptions", params(EventQuery), security(("bearer" = [])),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody)))]
pub async fn list_events(State(state): State<AppState>, ApiActor(actor): ApiActor, super::ApiQuery(q): super::ApiQuery<EventQuery>) -> ApiResult<Json<EventPage>> {
    use crate::server::db::redemptions::EventFilter;
    let limit = crate::server::services::products::page_limit(q.limit)?;
    let f = EventFilter {
        event_type: q.event_type.as_deref(),
        status: q.status.as_deref(),
        offer_id: q.offer_id.as_deref(),
        identity: q.identity.as_deref().filter(|s| !s.is_empty()),
        from_ms: crate::server::api::instant_param("from", q.from.as_deref())?,
        to_ms: crate::server::api::instant_param("to", q.to.as_deref())?,
        starting_after: q.starting_after.as_deref(),
        limit,
    };
    let p = redemptions::events(&state, &actor, f).await?;
    Ok(Json(EventPage { data: p.data, has_more: p.has_more }))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "offer-redemptions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = crate::model::Event), (status = 404, body = ErrorBody)))]
pub async fn read_event(State(state): State<AppState>, ApiActor(actor): ApiActor, axum::extract::Path(id): axum::extract::Path<String>) -> ApiResult<Json<crate::model::Event>> {
    Ok(Json(redemptions::event(&state, &actor, &id).await?))
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
