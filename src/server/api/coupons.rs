//! `/api/v1/coupons` (API.md §5) and `/api/v1/webhook-endpoints` (§6, §8).
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::model::{
    CampaignCount, Coupon, CouponCodeInput, CouponCreate, CouponRedemption, CouponRedemptionInput, CouponValidation, WebhookAttempt, WebhookDelivery,
    WebhookEndpoint, WebhookEndpointInput, WebhookEndpointUpdate,
};
use crate::server::AppState;
use crate::error::AppError;
use crate::server::services::coupons::{self, ListParams};
use crate::server::services::webhooks;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/coupons", get(list).post(create))
        .route("/coupons/validate", post(validate))
        .route("/coupons/campaigns", get(campaigns))
        .route("/coupons/export.csv", get(export))
        .route("/coupons/{code}", get(read))
        .route("/coupons/{code}/archive", post(archive))
        .route("/coupons/{code}/redemptions", get(list_redemptions).post(redeem))
        .route("/webhook-endpoints", get(list_endpoints).post(create_endpoint))
        .route("/webhook-endpoints/{id}", get(read_endpoint).patch(update_endpoint).delete(delete_endpoint))
        .route("/webhook-endpoints/{id}/deliveries", get(deliveries))
        .route("/webhook-deliveries/{id}/resend", post(resend))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
    /// Case-insensitive substring of the code or campaign.
    pub q: Option<String>,
    /// `active`, `expired`, `exhausted`, `archived` or `all` (default).
    pub status: Option<String>,
    /// Exact campaign tag; empty selects coupons without one.
    pub campaign: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CouponPage {
    pub data: Vec<Coupon>,
    pub has_more: bool,
}

#[utoipa::path(get, path = "/api/v1/coupons", tag = "coupons", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = CouponPage), (status = 400, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<CouponPage>> {
    let page = coupons::list(&s, &a, ListParams { limit: q.limit, starting_after: q.starting_after, search: q.q, status: q.status, campaign: q.campaign }).await?;
    Ok(Json(CouponPage { data: page.data, has_more: page.has_more }))
}

/// Creates the coupon and mirrors it to the environment's Stripe account first: when Stripe
/// refuses or cannot be reached nothing is stored (502 `stripe_error` with Stripe's message).
#[utoipa::path(post, path = "/api/v1/coupons", tag = "coupons", request_body = CouponCreate, security(("bearer" = [])),
    responses((status = 201, body = Coupon), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn create(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<CouponCreate>) -> ApiResult<(StatusCode, Json<Coupon>)> {
    Ok((StatusCode::CREATED, Json(coupons::create(&s, &a, i).await?)))
}

/// Publishable or secret key. Archived, expired, not-yet-valid and used-up codes are 404
/// `invalid_or_expired`.
#[utoipa::path(post, path = "/api/v1/coupons/validate", tag = "coupons", request_body = CouponCodeInput, security(("bearer" = [])),
    responses((status = 200, body = CouponValidation), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody, description = "Too many checks from this address (see Retry-After)")))]
pub async fn validate(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    ApiJson(i): ApiJson<CouponCodeInput>,
) -> ApiResult<Json<CouponValidation>> {
    let client = super::client_key(&s, peer, &headers);
    if let Err(wait) = s.limits.check_validate(a.scope()?, &client) {
        return Err(AppError::retry_after(format!("too many coupon checks from this address; try again in {wait} s"), wait).into());
    }
    Ok(Json(coupons::validate(&s, &a, &i.code).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignList {
    pub data: Vec<CampaignCount>,
}

/// Coupons and redemptions per campaign tag.
#[utoipa::path(get, path = "/api/v1/coupons/campaigns", tag = "coupons", security(("bearer" = [])), responses((status = 200, body = CampaignList)))]
pub async fn campaigns(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<CampaignList>> {
    Ok(Json(CampaignList { data: coupons::campaigns(&s, &a).await? }))
}

/// Every coupon of the environment with its redemption count, as CSV.
#[utoipa::path(get, path = "/api/v1/coupons/export.csv", tag = "coupons", security(("bearer" = [])), responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<impl IntoResponse> {
    let csv = coupons::export_csv(&s, &a).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"coupons.csv\"")], csv))
}

#[utoipa::path(get, path = "/api/v1/coupons/{code}", tag = "coupons", params(("code" = String, Path, description = "Case-insensitive")), security(("bearer" = [])),
    responses((status = 200, body = Coupon), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(code): Path<String>) -> ApiResult<Json<Coupon>> {
    Ok(Json(coupons::get(&s, &a, &code).await?))
}

/// Archives the coupon and deletes it in Stripe (new redemptions stop; history stays).
#[utoipa::path(post, path = "/api/v1/coupons/{code}/archive", tag = "coupons", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Coupon), (status = 404, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn archive(State(s): State<AppState>, ApiActor(a): ApiActor, Path(code): Path<String>) -> ApiResult<Json<Coupon>> {
    Ok(Json(coupons::archive(&s, &a, &code).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RedemptionList {
    pub data: Vec<CouponRedemption>,
    pub has_more: bool,
}

/// The newest 200 redemptions of the coupon.
#[utoipa::path(get, path = "/api/v1/coupons/{code}/redemptions", tag = "coupons", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RedemptionList), (status = 404, body = ErrorBody)))]
pub async fn list_redemptions(State(s): State<AppState>, ApiActor(a): ApiActor, Path(code): Path<String>) -> ApiResult<Json<RedemptionList>> {
    let d = coupons::detail(&s, &a, &code).await?;
    Ok(Json(RedemptionList { has_more: d.redemptions.len() as i64 >= 200 && d.coupon.times_redeemed > 200, data: d.redemptions }))
}

/// Records a redemption: 201 the first time for a (coupon, subscription), 200 with that same
/// redemption afterwards; over a limit, expired or archived → 404 `invalid_or_expired`.
#[utoipa::path(post, path = "/api/v1/coupons/{code}/redemptions", tag = "coupons", params(("code" = String, Path)), request_body = CouponRedemptionInput,
    security(("bearer" = [])),
    responses((status = 201, body = CouponRedemption), (status = 200, body = CouponRedemption, description = "Already redeemed for this subscription"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn redeem(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<CouponRedemptionInput>,
) -> ApiResult<(StatusCode, Json<CouponRedemption>)> {
    let (first, r) = coupons::redeem(&s, &a, &code, &i.subscription_id, i.customer_id.as_deref()).await?;
    Ok((if first { StatusCode::CREATED } else { StatusCode::OK }, Json(r)))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointList {
    pub data: Vec<WebhookEndpoint>,
    pub has_more: bool,
}

#[utoipa::path(get, path = "/api/v1/webhook-endpoints", tag = "webhooks", security(("bearer" = [])), responses((status = 200, body = EndpointList)))]
pub async fn list_endpoints(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<Json<EndpointList>> {
    Ok(Json(EndpointList { data: webhooks::list_endpoints(&s, &a).await?, has_more: false }))
}

/// The answer carries the signing secret (`whsec_…`); it is not shown again, not even by an
/// `Idempotency-Key` replay (which answers `secret: null` and `secretOmitted: true`).
#[utoipa::path(post, path = "/api/v1/webhook-endpoints", tag = "webhooks", request_body = WebhookEndpointInput, security(("bearer" = [])),
    responses((status = 201, body = WebhookEndpoint), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_endpoint(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<WebhookEndpointInput>,
) -> ApiResult<(StatusCode, axum::Extension<super::ShownOnce>, Json<WebhookEndpoint>)> {
    Ok((StatusCode::CREATED, axum::Extension(super::ShownOnce(&["secret"])), Json(webhooks::create_endpoint(&s, &a, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = WebhookEndpoint), (status = 404, body = ErrorBody)))]
pub async fn read_endpoint(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(webhooks::get_endpoint(&s, &a, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = WebhookEndpointUpdate,
    security(("bearer" = [])), responses((status = 200, body = WebhookEndpoint), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_endpoint(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(i): ApiJson<WebhookEndpointUpdate>) -> ApiResult<Json<WebhookEndpoint>> {
    Ok(Json(webhooks::update_endpoint(&s, &a, &id, i).await?))
}

#[utoipa::path(delete, path = "/api/v1/webhook-endpoints/{id}", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
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

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    pub data: Vec<DeliveryWithAttempts>,
    pub has_more: bool,
}

/// The delivery log of an endpoint (newest 100), every attempt included.
#[utoipa::path(get, path = "/api/v1/webhook-endpoints/{id}/deliveries", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DeliveryList), (status = 404, body = ErrorBody)))]
pub async fn deliveries(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<DeliveryList>> {
    let d = webhooks::endpoint_detail(&s, &a, &id, 100).await?;
    let mut attempts: std::collections::HashMap<String, Vec<WebhookAttempt>> = d.attempts.into_iter().collect();
    let data = d.deliveries.into_iter().map(|del| DeliveryWithAttempts { attempt_log: attempts.remove(&del.id).unwrap_or_default(), delivery: del }).collect();
    Ok(Json(DeliveryList { data, has_more: false }))
}

/// Queues the delivery again now, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/resend", tag = "webhooks", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = WebhookDelivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<WebhookDelivery>> {
    Ok(Json(webhooks::resend(&s, &a, &id).await?))
}
