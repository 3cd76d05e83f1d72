//! `/api/v1/redemption-methods` and their workflow endpoints.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{IdentityInput, Page, RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate, WorkflowVersion};
use crate::server::AppState;
use crate::server::services::methods;
use crate::server::workflow::{WorkflowFailure, WorkflowResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/redemption-methods", get(list).post(create))
        .route("/redemption-methods/{id}", get(read).patch(update).delete(archive))
        .route("/redemption-methods/{id}/workflow", put(save_workflow))
        .route("/redemption-methods/{id}/workflow/versions", get(versions))
        .route("/redemption-methods/{id}/workflow/versions/{version}/restore", post(restore))
        .route("/redemption-methods/{id}/workflow/test", post(test_run))
}

/// Redemption methods, newest first.
#[utoipa::path(get, path = "/api/v1/redemption-methods", operation_id = "listRedemptionMethods", tag = "redemption-methods", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<RedemptionMethod>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<RedemptionMethod>>> {
    let p = methods::list(&state, &actor, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// Without `workflow` the method runs its schema's default workflow.
#[utoipa::path(post, path = "/api/v1/redemption-methods", operation_id = "createRedemptionMethod", tag = "redemption-methods", request_body = RedemptionMethodCreate, security(("bearer" = [])),
    responses((status = 201, body = RedemptionMethod), (status = 400, body = ErrorBody, description = "Field errors (also a `slug` already used in this environment), or `errors:[{line, column, message}]` when the workflow does not compile")))]
pub async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<RedemptionMethodCreate>,
) -> ApiResult<(StatusCode, Json<RedemptionMethod>)> {
    Ok((StatusCode::CREATED, Json(methods::create(&state, &actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/redemption-methods/{id}", operation_id = "getRedemptionMethod", tag = "redemption-methods", params(("id" = String, Path, description = "`rm_…`")), security(("bearer" = [])),
    responses((status = 200, body = RedemptionMethod), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<RedemptionMethod>> {
    Ok(Json(methods::get(&state, &actor, &id).await?))
}

/// Changes the given fields only.
#[utoipa::path(patch, path = "/api/v1/redemption-methods/{id}", operation_id = "updateRedemptionMethod", tag = "redemption-methods", params(("id" = String, Path, description = "`rm_…`")), request_body = RedemptionMethodUpdate,
    security(("bearer" = [])), responses((status = 200, body = RedemptionMethod), (status = 400, body = ErrorBody, description = "Field errors, also a `slug` already used in this environment"), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RedemptionMethodUpdate>,
) -> ApiResult<Json<RedemptionMethod>> {
    Ok(Json(methods::update(&state, &actor, &id, input).await?))
}

/// Archives the method: `DELETE` does not delete it (offers and events keep their history); it
/// answers the method with `status: archived`, and offers using it are no longer presented.
#[utoipa::path(delete, path = "/api/v1/redemption-methods/{id}", operation_id = "archiveRedemptionMethod", tag = "redemption-methods", params(("id" = String, Path, description = "`rm_…`")), security(("bearer" = [])),
    responses((status = 200, body = RedemptionMethod, description = "The archived method"), (status = 404, body = ErrorBody)))]
pub async fn archive(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<RedemptionMethod>> {
    Ok(Json(methods::set_archived(&state, &actor, &id, true).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowIn {
    /// TypeScript or JavaScript with a default export.
    #[schema(min_length = 1)]
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkflowSaved {
    pub valid: bool,
    /// The new version, which the method now runs.
    pub version: i64,
}

/// Compiles the code and saves it as the method's newest version, which the method then runs.
#[utoipa::path(put, path = "/api/v1/redemption-methods/{id}/workflow", operation_id = "saveWorkflow", tag = "redemption-methods", params(("id" = String, Path, description = "`rm_…`")), request_body = WorkflowIn,
    security(("bearer" = [])), responses((status = 200, body = WorkflowSaved), (status = 400, body = ErrorBody, description = "`errors:[{line, column, message}]`, positions in the code as typed"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Another save of this workflow happened at the same moment")))]
pub async fn save_workflow(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WorkflowIn>,
) -> ApiResult<Json<WorkflowSaved>> {
    let version = methods::save_workflow(&state, &actor, &id, &input.code).await?;
    Ok(Json(WorkflowSaved { valid: true, version }))
}

/// The method's workflow versions, newest first.
#[utoipa::path(get, path = "/api/v1/redemption-methods/{id}/workflow/versions", operation_id = "listWorkflowVersions", tag = "redemption-methods",
    params(("id" = String, Path, description = "`rm_…`"), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<WorkflowVersion>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter"), (status = 404, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<WorkflowVersion>>> {
    let p = methods::page_versions(&state, &actor, &id, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// Saves an old version's code as the newest version.
#[utoipa::path(post, path = "/api/v1/redemption-methods/{id}/workflow/versions/{version}/restore", operation_id = "restoreWorkflowVersion", tag = "redemption-methods",
    params(("id" = String, Path, description = "`rm_…`"), ("version" = i64, Path, minimum = 1, description = "The version number to restore")), security(("bearer" = [])),
    responses((status = 200, body = WorkflowSaved), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Another save of this workflow happened at the same moment")))]
pub async fn restore(State(state): State<AppState>, ApiActor(actor): ApiActor, Path((id, version)): Path<(String, i64)>) -> ApiResult<Json<WorkflowSaved>> {
    let version = methods::restore_version(&state, &actor, &id, version).await?;
    Ok(Json(WorkflowSaved { valid: true, version }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestRunIn {
    pub identity: IdentityInput,
    pub offer_id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestRunOut {
    /// The workflow's result; `null` when it failed (see `error`).
    #[schema(value_type = Option<Object>)]
    pub result: Option<WorkflowResult>,
    #[schema(value_type = Option<Object>)]
    pub error: Option<WorkflowFailure>,
    pub logs: Vec<String>,
    pub duration_ms: f64,
}

/// Runs the saved workflow against an offer with this environment's Stripe integration; records
/// nothing. A workflow that throws or times out is a 200 with `error` set.
#[utoipa::path(post, path = "/api/v1/redemption-methods/{id}/workflow/test", operation_id = "testWorkflow", tag = "redemption-methods", params(("id" = String, Path, description = "`rm_…`")), request_body = TestRunIn,
    security(("bearer" = [])), responses((status = 200, body = TestRunOut), (status = 400, body = ErrorBody, description = "Field errors, also an `offerId` that names no offer here"), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Every workflow slot is busy (see Retry-After)")))]
pub async fn test_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TestRunIn>,
) -> ApiResult<Json<TestRunOut>> {
    let out = methods::test_run(&state, &actor, &id, &input.identity, &input.offer_id).await?;
    let (result, error) = match out.result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    Ok(Json(TestRunOut { result, error, logs: out.logs, duration_ms: out.duration_ms }))
}
