//! `/api/v1/checkout-sessions` (API.md §10), and the buyer's return hop
//! `GET /checkout/return/{id}` outside `/api/v1` ([`return_routes`]).
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, ShownOnce};
use crate::model::{CheckoutSession, CheckoutSessionCreate, DiscountOutcome, DiscountRequest, Page};
use crate::server::AppState;
use crate::server::services::checkout::{self, ListParams, discounts, lifecycle};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checkout-sessions", get(list).post(create))
        .route("/checkout-sessions/{id}", get(read))
        .route("/checkout-sessions/{id}/expire", post(expire))
        .route("/checkout-sessions/{id}/apply-discount-code", post(apply_discount_code))
        .route("/checkout-sessions/{id}/recompute-discounts", post(recompute_discounts))
        .route("/checkout-sessions/{id}/remove-discount", post(remove_discount))
}

/// The contract's error body plus `"type": "error"` (the seed's client code reads `type`).
fn typed_error(e: crate::error::AppError) -> Response {
    let (_, retry_after) = crate::server::error_status(&e);
    let mut body = serde_json::to_value(super::ErrorBody {
        status: "error",
        status_code: e.status(),
        code: e.code.as_str().into(),
        message: e.message.clone(),
        fields: e.fields.clone(),
        errors: Vec::new(),
        trace_id: crate::server::telemetry::current_trace_id(),
    })
    .unwrap_or_default();
    body["type"] = serde_json::json!("error");
    let mut res = (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(body)).into_response();
    if let Some(v) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

async fn discount(s: AppState, a: crate::server::auth::Actor, id: String, req: DiscountRequest, change: discounts::Change) -> Response {
    match discounts::change(&s, &a, &id, req, change).await {
        Ok(out) => Json(out).into_response(),
        Err(e) => typed_error(e),
    }
}

/// Applies a coupon code to a `server_only` session (reserved like at creation, replacing any
/// discount). Secret key, or publishable key plus the session's `clientSecret`. Errors carry
/// `"type": "error"`; guessing codes is rate-limited per session.
#[utoipa::path(post, path = "/api/v1/checkout-sessions/{id}/apply-discount-code", operation_id = "applyCheckoutDiscountCode", tag = "checkout",
    params(("id" = String, Path)), request_body = DiscountRequest, security(("bearer" = [])),
    responses((status = 200, body = DiscountOutcome), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "A wrong `clientSecret`"),
        (status = 404, body = ErrorBody, description = "`not_found`, or `invalid_or_expired` for the code"), (status = 409, body = ErrorBody, description = "Not a server_only session, or no longer open"),
        (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn apply_discount_code(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(req): ApiJson<DiscountRequest>) -> Response {
    let code = req.code.clone().unwrap_or_default();
    discount(s, a, id, req, discounts::Change::Code(code)).await
}

/// Applies the best matching discount rule to the session's subtotal as Stripe has it, or
/// removes the discount when none matches.
#[utoipa::path(post, path = "/api/v1/checkout-sessions/{id}/recompute-discounts", operation_id = "recomputeCheckoutDiscounts", tag = "checkout",
    params(("id" = String, Path)), request_body = DiscountRequest, security(("bearer" = [])),
    responses((status = 200, body = DiscountOutcome), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn recompute_discounts(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(req): ApiJson<DiscountRequest>) -> Response {
    discount(s, a, id, req, discounts::Change::Recompute).await
}

/// Removes the session's discount (a reserved code is released).
#[utoipa::path(post, path = "/api/v1/checkout-sessions/{id}/remove-discount", operation_id = "removeCheckoutDiscount", tag = "checkout",
    params(("id" = String, Path)), request_body = DiscountRequest, security(("bearer" = [])),
    responses((status = 200, body = DiscountOutcome), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn remove_discount(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(req): ApiJson<DiscountRequest>) -> Response {
    discount(s, a, id, req, discounts::Change::Remove).await
}

/// The return hop, public: Stripe sends the buyer here.
pub fn return_routes() -> Router<AppState> {
    Router::new().route("/checkout/return/{id}", get(return_hop))
}

list_query! {
    pub struct ListQuery {
        cursor: "The `id` (`cs_…`) of the last session of the previous page (newest first). An id that names no session of this environment gives an empty page.",
        /// Exactly this `requestId`.
        pub request_id: Option<String>,
        /// `pending`, `completed`, `expired` or `all` (default).
        #[param(schema_with = status_filter)]
        pub status: Option<String>,
    }
}

fn status_filter() -> utoipa::openapi::schema::Object {
    super::string_enum(&["pending", "completed", "expired", "all"])
}

/// Checkout sessions, newest first (client secrets are only in a session's own answer).
#[utoipa::path(get, path = "/api/v1/checkout-sessions", operation_id = "listCheckoutSessions", tag = "checkout", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CheckoutSession>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100, an unknown `status` or query parameter")))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Page<CheckoutSession>>> {
    let p = ListParams { limit: q.limit, starting_after: q.starting_after, request_id: q.request_id, status: q.status, search: None };
    Ok(Json(checkout::list(&s, &a, p).await?))
}

/// Opens a checkout session on Stripe Checkout: the product's price (or `priceId`), a locked
/// customer email (a Stripe customer found or created for it) or a Stripe customer id, a
/// coupon code shown pre-applied (a limited code reserves one use while the session is open),
/// the buyer's return through offerdeck (`successUrl` gets Creem's signed parameters) and
/// `metadata` carried to every later webhook. Stripe refusing or unreachable: 502, nothing
/// kept. An `Idempotency-Key` replay answers `clientSecret: null` (read it with `GET`).
#[utoipa::path(post, path = "/api/v1/checkout-sessions", operation_id = "createCheckoutSession", tag = "checkout", request_body = CheckoutSessionCreate, security(("bearer" = [])),
    responses((status = 201, body = CheckoutSession), (status = 400, body = ErrorBody, description = "`validation_failed`, the field named"),
        (status = 404, body = ErrorBody, description = "`invalid_or_expired`: the discount code is unknown, archived, expired, not yet valid or used up (open sessions count)"),
        (status = 502, body = ErrorBody, description = "`stripe_error`: Stripe refused the customer or the session, or could not be reached; no session was kept")))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<CheckoutSessionCreate>,
) -> ApiResult<(StatusCode, Extension<ShownOnce>, Json<CheckoutSession>)> {
    Ok((StatusCode::CREATED, Extension(ShownOnce(&["clientSecret"])), Json(checkout::create(&s, &a, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/checkout-sessions/{id}", operation_id = "getCheckoutSession", tag = "checkout", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CheckoutSession), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<CheckoutSession>> {
    Ok(Json(checkout::get(&s, &a, &id).await?))
}

/// Expires an open session in Stripe and here; its coupon reservation is released and
/// `checkout.expired` is sent. An expired session is answered as it is.
#[utoipa::path(post, path = "/api/v1/checkout-sessions/{id}/expire", operation_id = "expireCheckoutSession", tag = "checkout", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CheckoutSession), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "`conflict`: the session is completed"),
        (status = 502, body = ErrorBody, description = "`stripe_error`")))]
pub async fn expire(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<CheckoutSession>> {
    Ok(Json(lifecycle::expire(&s, &a, &id).await?))
}

/// The buyer's way back from Stripe: 303 to the success URL with `checkout_id`, `request_id`,
/// `customer_id`, `subscription_id`, `product_id` and `signature`, or to the cancel URL.
pub async fn return_hop(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    match lifecycle::return_hop(&s, &id).await {
        Ok(lifecycle::Return::Redirect(url)) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        Ok(lifecycle::Return::NotYet) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5".to_string()), (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string())],
            "<!doctype html><title>Confirming your payment</title><p>We could not confirm your payment with Stripe yet. Reload this page in a few seconds.</p>",
        )
            .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = if status == StatusCode::NOT_FOUND { "No such checkout session." } else { "Something went wrong; reload this page in a moment." };
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
        }
    }
}
