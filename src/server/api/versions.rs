//! `/api/v1/versions` (API.md §14): freeze the preview configuration (a preview secret key),
//! list and read versions, diff one against live, deploy one to live (a live secret key).
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Deployment, Page, Version, VersionCreate, VersionDiff};
use crate::server::AppState;
use crate::server::services::versions;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/versions", get(list).post(create))
        .route("/versions/deployments", get(deployments))
        .route("/versions/{id}", get(read))
        .route("/versions/{id}/diff", get(diff))
        .route("/versions/{id}/deploy", post(deploy))
}

/// The tenant's versions, newest first (either environment's secret key).
#[utoipa::path(get, path = "/api/v1/versions", operation_id = "listVersions", tag = "versions", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Version>), (status = 400, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<Version>>> {
    Ok(Json(versions::list(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}

/// Freezes the current preview configuration — redemption methods with their current
/// workflow, offers, the prices they use, rates, presentation schemas, experiences, surfaces,
/// discount rules — as the next version, with a change summary against what live runs.
/// Coupons, keys, integrations and webhook endpoints are never part of a version.
#[utoipa::path(post, path = "/api/v1/versions", operation_id = "createVersion", tag = "versions", request_body = VersionCreate, security(("bearer" = [])),
    responses((status = 201, body = Version), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "not a preview secret key"),
        (status = 409, body = ErrorBody, description = "1,000 versions already, or a configuration over 8 MiB")))]
pub async fn create(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<VersionCreate>) -> ApiResult<(StatusCode, Json<Version>)> {
    Ok((StatusCode::CREATED, Json(versions::create(&s, &a, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/versions/{id}", operation_id = "getVersion", tag = "versions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Version), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Version>> {
    Ok(Json(versions::get(&s, &a, &id).await?))
}

/// What deploying the version would do to live now: per object added, changed (with the
/// changed fields) or removed.
#[utoipa::path(get, path = "/api/v1/versions/{id}/diff", operation_id = "diffVersion", tag = "versions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = VersionDiff), (status = 404, body = ErrorBody)))]
pub async fn diff(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<VersionDiff>> {
    Ok(Json(versions::diff(&s, &a, &id).await?))
}

/// Deploys the version to live in one transaction (a rollback deploys an older version). Each
/// preview object keeps one live id across deploys; every price needs its `liveStripePriceId`,
/// a live-mode price of the live Stripe account with the same amount and currency.
#[utoipa::path(post, path = "/api/v1/versions/{id}/deploy", operation_id = "deployVersion", tag = "versions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Deployment), (status = 403, body = ErrorBody, description = "not a live secret key"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "a price without a matching live Stripe price, or live without a Stripe integration; nothing changed"),
        (status = 502, body = ErrorBody, description = "Stripe could not be asked; nothing changed")))]
pub async fn deploy(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Deployment>> {
    Ok(Json(versions::deploy(&s, &a, &id).await?))
}

/// The latest 50 deploys, newest first: who, when, from which version to which.
#[utoipa::path(get, path = "/api/v1/versions/deployments", operation_id = "listDeployments", tag = "versions", security(("bearer" = [])),
    responses((status = 200, body = Vec<Deployment>)))]
pub async fn deployments(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<Deployment>>> {
    Ok(Json(versions::deployments(&s, &a).await?))
}
