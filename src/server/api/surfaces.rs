//! `/api/v1/surfaces` and `POST /api/v1/surface-decisions` (secret or publishable key).
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Page, Surface, SurfaceInput};
use crate::server::AppState;
use crate::server::services::surfaces::{self, DecisionIn};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/surfaces", get(list_surfaces).post(create_surface))
        .route("/surfaces/{id}", get(read_surface).patch(update_surface).delete(delete_surface))
        .route("/surface-decisions", post(decide))
}

/// Surfaces, newest first.
#[utoipa::path(get, path = "/api/v1/surfaces", operation_id = "listSurfaces", tag = "surfaces", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Surface>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_surfaces(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<Surface>>> {
    Ok(Json(surfaces::page(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}
/// The slug is unique in the environment; slot experience ids must name experiences here
/// (else 400 naming the field).
#[utoipa::path(post, path = "/api/v1/surfaces", operation_id = "createSurface", tag = "surfaces", request_body = SurfaceInput, security(("bearer" = [])),
    responses((status = 201, body = Surface), (status = 400, body = ErrorBody)))]
pub async fn create_surface(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<SurfaceInput>) -> ApiResult<(StatusCode, Json<Surface>)> {
    Ok((StatusCode::CREATED, Json(surfaces::save(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/surfaces/{id}", operation_id = "getSurface", tag = "surfaces", params(("id" = String, Path, description = "`srf_…`")), security(("bearer" = [])),
    responses((status = 200, body = Surface), (status = 404, body = ErrorBody)))]
pub async fn read_surface(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Surface>> {
    Ok(Json(surfaces::get(&s, &a, &id).await?))
}
/// Replaces the surface (same rules as create).
#[utoipa::path(patch, path = "/api/v1/surfaces/{id}", operation_id = "updateSurface", tag = "surfaces", params(("id" = String, Path, description = "`srf_…`")), request_body = SurfaceInput, security(("bearer" = [])),
    responses((status = 200, body = Surface), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_surface(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<SurfaceInput>,
) -> ApiResult<Json<Surface>> {
    Ok(Json(surfaces::save(&s, &a, Some(&id), i).await?))
}

/// A presented offer: its presentation and a fresh offer token for `POST /api/v1/offer-redemptions`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresentedOffer {
    /// `off_…`
    pub id: String,
    pub presentation: crate::model::OfferPresentation,
    /// e.g. `mos:stripe-checkout-instructions`
    pub redemption_schema: String,
    pub token: String,
}

/// The experience of a slot: HTML with the offer placeholders filled, or an app experience's content.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DecidedExperience {
    /// `exp_…`
    pub id: String,
    #[serde(rename = "type")]
    pub kind: crate::model::ExperienceKind,
    /// A string (HTML) or an object (app content).
    #[schema(value_type = Value)]
    pub content: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DecidedSlot {
    pub key: String,
    pub facet: crate::model::Facet,
    pub experience: Option<DecidedExperience>,
    pub offers: Vec<PresentedOffer>,
    /// `debug: true` only: per offer slot, why each candidate was or was not presented.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub debug: Option<serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionIdentity {
    #[schema(value_type = String, pattern = "^(provided|anonymous)$")]
    pub auth_type: String,
    pub identifier: String,
    pub is_authenticated: bool,
}

/// The answer of a surface decision (API.md §3).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionAnswer {
    /// Always `success`.
    pub status: String,
    /// Always 200.
    pub status_code: u16,
    /// `evt_…`
    pub event_id: String,
    pub identity: DecisionIdentity,
    /// The first presented offer, `null` when none is eligible.
    pub offer: Option<PresentedOffer>,
    pub slots: Vec<DecidedSlot>,
}

/// Presents the surface's experiences and, per offer slot, the best eligible offer with a fresh
/// token (secret or publishable key; a publishable key cannot name a user or ask for `debug`).
#[utoipa::path(post, path = "/api/v1/surface-decisions", operation_id = "decideSurface", tag = "surfaces", request_body = DecisionIn, security(("bearer" = [])),
    responses((status = 200, body = DecisionAnswer), (status = 400, body = ErrorBody, description = "Not exactly one identity field, or a blank one"),
        (status = 403, body = ErrorBody, description = "A publishable key named a user or asked for `debug`"), (status = 404, body = ErrorBody, description = "No surface has this slug"),
        (status = 429, body = ErrorBody, description = "Too many publishable-key decisions from this address (see Retry-After)")))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    ApiJson(i): ApiJson<DecisionIn>,
) -> ApiResult<impl axum::response::IntoResponse> {
    // Browsers (publishable keys) are limited per address; a secret key is the merchant's server.
    if a.is_publishable()
        && let Err(wait) = s.limits.check_decision(a.authorize(crate::server::auth::Permission::Runtime)?, &super::client_key(&s, peer, &headers))
    {
        return Err(crate::error::AppError::retry_after(format!("too many surface decisions from this address; try again in {wait} s"), wait).into());
    }
    let body = surfaces::decide(&s, &a, i).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body))
}

/// Deletes the surface (its events stay).
#[utoipa::path(delete, path = "/api/v1/surfaces/{id}", operation_id = "deleteSurface", tag = "surfaces", params(("id" = String, Path, description = "`srf_…`")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_surface(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    surfaces::delete(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
