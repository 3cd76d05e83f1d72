//! `/api/v1/webhook-endpoints` and `/api/v1/webhook-deliveries` (API.md §6, §8): endpoints with
//! a signing secret shown once, their delivery log, and a manual resend.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Page, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput, WebhookEndpointUpdate};
use crate::server::AppState;
use crate::server::services::webhooks;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhook-endpoints", get(list_endpoints).post(create_endpoint))
        .route("/webhook-endpoints/{id}", get(read_endpoint).patch(update_endpoint).delete(delete_endpoint))
        .route("/webhook-endpoints/{id}/deliveries", get(deliveries))
        .route("/webhook-deliveries/{id}/resend", post(resend))
}

/// Webhook endpoints (deleted ones left out), newest first.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints", operation_id = "listWebhookEndpoints", tag = "webhooks", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<WebhookEndpoint>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_endpoints(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<WebhookEndpoint>>> {
    let p = webhooks::page_endpoints(&s, &a, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// The answer carries the signing secret (`whsec_…`); it is not shown again, not even by an
/// `Idempotency-Key` replay (which answers `secret: null` and `secretOmitted: true`).
#[utoipa::path(post, path = "/api/v1/webhook-endpoints", operation_id = "createWebhookEndpoint", tag = "webhooks", request_body = WebhookEndpointInput, security(("bearer" = [])),
    responses((status = 201, body = WebhookEndpoint), (status = 400, body = ErrorBody, description = "Field errors; also a URL whose host is not allowed (private addresses, unless the operator allows them)"),
        (status = 409, body = ErrorBody, description = "The environment has the most endpoints allowed, or `idempotency_key_reused`")))]
pub async fn create_endpoint(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<WebhookEndpointInput>,
) -> ApiResult<(StatusCode, axum::Extension<super::ShownOnce>, Json<WebhookEndpoint>)> {
    Ok((StatusCode::CREATED, axum::Extension(super::ShownOnce(&["secret"])), Json(webhooks::create_endpoint(&s, &a, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}", operation_id = "getWebhookEndpoint", tag = "webhooks", params(("id" = String, Path, description = "`whe_…`")), security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = ErrorBody)))]
pub async fn read_endpoint(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(webhooks::get_endpoint(&s, &a, &id).await?))
}

/// Changes the given fields only.
#[utoipa::path(patch, path = "/api/v1/webhook-endpoints/{id}", operation_id = "updateWebhookEndpoint", tag = "webhooks", params(("id" = String, Path, description = "`whe_…`")), request_body = WebhookEndpointUpdate,
    security(("bearer" = [])), responses((status = 200, body = WebhookEndpoint), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_endpoint(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<WebhookEndpointUpdate>,
) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(webhooks::update_endpoint(&s, &a, &id, i).await?))
}

/// Deletes the endpoint: it receives nothing more and leaves the lists (its delivery log is kept).
#[utoipa::path(delete, path = "/api/v1/webhook-endpoints/{id}", operation_id = "deleteWebhookEndpoint", tag = "webhooks", params(("id" = String, Path, description = "`whe_…`")), security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_endpoint(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    webhooks::delete_endpoint(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryWithAttempts {
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    pub attempt_log: Vec<WebhookAttempt>,
}

/// The delivery log of an endpoint, newest first, every attempt included.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}/deliveries", operation_id = "listWebhookDeliveries", tag = "webhooks",
    params(("id" = String, Path, description = "`whe_…`"), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<DeliveryWithAttempts>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter"),
        (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<DeliveryWithAttempts>>> {
    let (p, mut attempts) = webhooks::page_deliveries(&s, &a, &id, q.starting_after.as_deref(), q.limit).await?;
    let data = p.data.into_iter().map(|del| DeliveryWithAttempts { attempt_log: attempts.remove(&del.id).unwrap_or_default(), delivery: del }).collect();
    Ok(Json(Page { data, has_more: p.has_more }))
}

/// Queues the delivery again now, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/resend", operation_id = "resendWebhookDelivery", tag = "webhooks", params(("id" = String, Path, description = "`whd_…`")), security(("bearer" = [])),
    responses((status = 200, body = WebhookDelivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The delivery is being sent right now, or `idempotency_key_reused`")))]
pub async fn resend(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<WebhookDelivery>> {
    Ok(Json(webhooks::resend(&s, &a, &id).await?))
}
