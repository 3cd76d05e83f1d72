//! `/api/v1/presentation-schemas`: the fields an app experience's content has, and its offer
//! slots.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Page, PresentationSchema, PresentationSchemaInput};
use crate::server::AppState;
use crate::server::services::schemas;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/presentation-schemas", get(list_schemas).post(create_schema))
        .route("/presentation-schemas/{id}", get(read_schema).patch(update_schema).delete(delete_schema))
}

/// Presentation schemas, newest first.
#[utoipa::path(get, path = "/api/v1/presentation-schemas", operation_id = "listPresentationSchemas", tag = "experiences", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<PresentationSchema>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_schemas(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<PresentationSchema>>> {
    Ok(Json(schemas::page(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}
#[utoipa::path(post, path = "/api/v1/presentation-schemas", operation_id = "createPresentationSchema", tag = "experiences", request_body = PresentationSchemaInput, security(("bearer" = [])),
    responses((status = 201, body = PresentationSchema), (status = 400, body = ErrorBody, description = "Field errors: a blank name, a key used twice")))]
pub async fn create_schema(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<PresentationSchemaInput>,
) -> ApiResult<(StatusCode, Json<PresentationSchema>)> {
    Ok((StatusCode::CREATED, Json(schemas::save(&s, &a, None, i).await?)))
}
#[utoipa::path(get, path = "/api/v1/presentation-schemas/{id}", operation_id = "getPresentationSchema", tag = "experiences", params(("id" = String, Path, description = "`psch_…`")), security(("bearer" = [])),
    responses((status = 200, body = PresentationSchema), (status = 404, body = ErrorBody)))]
pub async fn read_schema(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<PresentationSchema>> {
    Ok(Json(schemas::get(&s, &a, &id).await?))
}
/// Replaces name, fields and offer slots.
#[utoipa::path(patch, path = "/api/v1/presentation-schemas/{id}", operation_id = "updatePresentationSchema", tag = "experiences", params(("id" = String, Path, description = "`psch_…`")), request_body = PresentationSchemaInput,
    security(("bearer" = [])), responses((status = 200, body = PresentationSchema), (status = 400, body = ErrorBody, description = "Field errors: a blank name, a key used twice"), (status = 404, body = ErrorBody)))]
pub async fn update_schema(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<PresentationSchemaInput>,
) -> ApiResult<Json<PresentationSchema>> {
    Ok(Json(schemas::save(&s, &a, Some(&id), i).await?))
}
/// Deletes the schema. Refused with 409, naming them, while experiences use it.
#[utoipa::path(delete, path = "/api/v1/presentation-schemas/{id}", operation_id = "deletePresentationSchema", tag = "experiences", params(("id" = String, Path, description = "`psch_…`")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Experiences use the schema")))]
pub async fn delete_schema(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    schemas::delete(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
