//! `/api/v1/experiences`: HTML, or app content checked against a presentation schema, with
//! priority-ordered offers per offer slot.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Experience, ExperienceInput, Page};
use crate::server::AppState;
use crate::server::services::experiences;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/experiences", get(list_experiences).post(create_experience))
        .route("/experiences/{id}", get(read_experience).patch(update_experience).delete(delete_experience))
}

/// Experiences, newest first.
#[utoipa::path(get, path = "/api/v1/experiences", operation_id = "listExperiences", tag = "experiences", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Experience>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_experiences(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<Experience>>> {
    Ok(Json(experiences::page(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}
/// An `app` experience names its `schemaId` and `content` must fit that schema; offer ids must
/// name offers of this environment (else 400 naming the field).
#[utoipa::path(post, path = "/api/v1/experiences", operation_id = "createExperience", tag = "experiences", request_body = ExperienceInput, security(("bearer" = [])),
    responses((status = 201, body = Experience), (status = 400, body = ErrorBody)))]
pub async fn create_experience(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<ExperienceInput>,
) -> ApiResult<(StatusCode, Json<Experience>)> {
    Ok((StatusCode::CREATED, Json(experiences::save(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/experiences/{id}", operation_id = "getExperience", tag = "experiences", params(("id" = String, Path, description = "`exp_…`")), security(("bearer" = [])),
    responses((status = 200, body = Experience), (status = 404, body = ErrorBody)))]
pub async fn read_experience(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Experience>> {
    Ok(Json(experiences::get(&s, &a, &id).await?))
}
/// Replaces the experience (same rules as create).
#[utoipa::path(patch, path = "/api/v1/experiences/{id}", operation_id = "updateExperience", tag = "experiences", params(("id" = String, Path, description = "`exp_…`")), request_body = ExperienceInput, security(("bearer" = [])),
    responses((status = 200, body = Experience), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_experience(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<ExperienceInput>,
) -> ApiResult<Json<Experience>> {
    Ok(Json(experiences::save(&s, &a, Some(&id), i).await?))
}

/// Deletes the experience. Refused with 409, naming them, while surfaces use it.
#[utoipa::path(delete, path = "/api/v1/experiences/{id}", operation_id = "deleteExperience", tag = "experiences", params(("id" = String, Path, description = "`exp_…`")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Surfaces use the experience")))]
pub async fn delete_experience(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    experiences::delete(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
