//! `/api/v1/presentation-schemas`, `/api/v1/experiences`, `/api/v1/surfaces` and
//! `POST /api/v1/surface-decisions` (secret or publishable key).
use super::{ApiActor, ApiJson, ApiResult, ErrorBody};
use crate::model::{Experience, ExperienceInput, PresentationSchema, PresentationSchemaInput, Surface, SurfaceInput};
use crate::server::AppState;
use crate::server::services::surfaces::DecisionIn;
use crate::server::services::{experiences, surfaces};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/presentation-schemas", get(list_schemas).post(create_schema))
        .route("/presentation-schemas/{id}", get(read_schema).patch(update_schema).delete(delete_schema))
        .route("/experiences", get(list_experiences).post(create_experience))
        .route("/experiences/{id}", get(read_experience).patch(update_experience).delete(delete_experience))
        .route("/surfaces", get(list_surfaces).post(create_surface))
        .route("/surfaces/{id}", get(read_surface).patch(update_surface).delete(delete_surface))
        .route("/surface-decisions", post(decide))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct List<T> {
    pub data: Vec<T>,
    pub has_more: bool,
}

fn list<T>(data: Vec<T>) -> Json<List<T>> {
    Json(List { data, has_more: false })
}

#[utoipa::path(get, path = "/api/v1/presentation-schemas", tag = "experiences", security(("bearer" = [])), responses((status = 200, body = List<PresentationSchema>)))]
pub async fn list_schemas(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<List<PresentationSchema>>> {
    Ok(list(experiences::list_schemas(&s, &a).await?))
}
#[utoipa::path(post, path = "/api/v1/presentation-schemas", tag = "experiences", request_body = PresentationSchemaInput, security(("bearer" = [])),
    responses((status = 201, body = PresentationSchema), (status = 400, body = ErrorBody)))]
pub async fn create_schema(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<PresentationSchemaInput>) -> ApiResult<(StatusCode, Json<PresentationSchema>)> {
    Ok((StatusCode::CREATED, Json(experiences::save_schema(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/presentation-schemas/{id}", tag = "experiences", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PresentationSchema), (status = 404, body = ErrorBody)))]
pub async fn read_schema(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<PresentationSchema>> {
    Ok(Json(experiences::get_schema(&s, &a, &id).await?))
}
/// Replaces name, fields and offer slots.
#[utoipa::path(patch, path = "/api/v1/presentation-schemas/{id}", tag = "experiences", params(("id" = String, Path)), request_body = PresentationSchemaInput,
    security(("bearer" = [])), responses((status = 200, body = PresentationSchema), (status = 404, body = ErrorBody)))]
pub async fn update_schema(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(i): ApiJson<PresentationSchemaInput>) -> ApiResult<Json<PresentationSchema>> {
    Ok(Json(experiences::save_schema(&s, &a, Some(&id), i).await?))
}
/// Refused with 409, naming them, while experiences use the schema.
#[utoipa::path(delete, path = "/api/v1/presentation-schemas/{id}", tag = "experiences", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn delete_schema(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    experiences::delete_schema(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/experiences", tag = "experiences", security(("bearer" = [])), responses((status = 200, body = List<Experience>)))]
pub async fn list_experiences(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<List<Experience>>> {
    Ok(list(experiences::list_experiences(&s, &a).await?))
}
#[utoipa::path(post, path = "/api/v1/experiences", tag = "experiences", request_body = ExperienceInput, security(("bearer" = [])),
    responses((status = 201, body = Experience), (status = 400, body = ErrorBody)))]
pub async fn create_experience(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<ExperienceInput>) -> ApiResult<(StatusCode, Json<Experience>)> {
    Ok((StatusCode::CREATED, Json(experiences::save_experience(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/experiences/{id}", tag = "experiences", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Experience), (status = 404, body = ErrorBody)))]
pub async fn read_experience(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Experience>> {
    Ok(Json(experiences::get_experience(&s, &a, &id).await?))
}
/// Replaces the experience.
#[utoipa::path(patch, path = "/api/v1/experiences/{id}", tag = "experiences", params(("id" = String, Path)), request_body = ExperienceInput, security(("bearer" = [])),
    responses((status = 200, body = Experience), (status = 404, body = ErrorBody)))]
pub async fn update_experience(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(i): ApiJson<ExperienceInput>) -> ApiResult<Json<Experience>> {
    Ok(Json(experiences::save_experience(&s, &a, Some(&id), i).await?))
}

#[utoipa::path(get, path = "/api/v1/surfaces", tag = "surfaces", security(("bearer" = [])), responses((status = 200, body = List<Surface>)))]
pub async fn list_surfaces(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<List<Surface>>> {
    Ok(list(surfaces::list(&s, &a).await?))
}
#[utoipa::path(post, path = "/api/v1/surfaces", tag = "surfaces", request_body = SurfaceInput, security(("bearer" = [])),
    responses((status = 201, body = Surface), (status = 400, body = ErrorBody)))]
pub async fn create_surface(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<SurfaceInput>) -> ApiResult<(StatusCode, Json<Surface>)> {
    Ok((StatusCode::CREATED, Json(surfaces::save(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/surfaces/{id}", tag = "surfaces", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Surface), (status = 404, body = ErrorBody)))]
pub async fn read_surface(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Surface>> {
    Ok(Json(surfaces::get(&s, &a, &id).await?))
}
/// Replaces the surface.
#[utoipa::path(patch, path = "/api/v1/surfaces/{id}", tag = "surfaces", params(("id" = String, Path)), request_body = SurfaceInput, security(("bearer" = [])),
    responses((status = 200, body = Surface), (status = 404, body = ErrorBody)))]
pub async fn update_surface(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(i): ApiJson<SurfaceInput>) -> ApiResult<Json<Surface>> {
    Ok(Json(surfaces::save(&s, &a, Some(&id), i).await?))
}

/// Presents the surface's experiences and, per offer slot, the best eligible offer with a fresh token (secret or publishable key).
#[utoipa::path(post, path = "/api/v1/surface-decisions", tag = "surfaces", request_body = DecisionIn, security(("bearer" = [])),
    responses((status = 200, description = "`{status, statusCode, eventId, identity, offer, slots}`"), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many publishable-key decisions from this address (see Retry-After)")))]
pub async fn decide(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    ApiJson(i): ApiJson<DecisionIn>,
) -> ApiResult<impl axum::response::IntoResponse> {
    // Browsers (publishable keys) are limited per address; a secret key is the merchant's server.
    if a.is_publishable() {
        if let Err(wait) = s.limits.check_decision(a.scope()?, &super::client_key(&s, peer, &headers)) {
            return Err(crate::error::AppError::retry_after(format!("too many surface decisions from this address; try again in {wait} s"), wait).into());
        }
    }
    let body = surfaces::decide(&s, &a, i).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body))
}

/// Refused with 409, naming them, while surfaces use the experience.
#[utoipa::path(delete, path = "/api/v1/experiences/{id}", tag = "experiences", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_experience(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    experiences::delete_experience(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/surfaces/{id}", tag = "surfaces", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_surface(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    surfaces::delete(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
