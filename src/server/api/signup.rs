//! `/api/selfService/signup` (API.md §12): MonetizeNow's sign-up API, with `/api/v1`'s keys,
//! `Idempotency-Key` (on PATCH too: FINALIZE charges) and error body — which here also carries
//! the seed's `sessionId` and `error: true` ([`seed_errors`], for every error of these routes).
use super::{ApiActor, ApiJson, ErrorBody, ShownOnce};
use crate::model::{SignUpRequest, SignUpResponse};
use crate::server::AppState;
use crate::server::auth::Actor;
use crate::server::services::signup::{self, Failure, Outcome};
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};

/// The error body of these routes: the contract's, plus the seed's `sessionId` and `error`.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignUpRequestError {
    /// `cart_…` when a cart was saved (or named), else `null`.
    pub session_id: Option<String>,
    /// Always `true`.
    pub error: bool,
    #[serde(flatten)]
    pub body: ErrorBody,
}

/// Mounted at `/api/selfService`.
pub fn routes(state: AppState) -> Router<AppState> {
    let authed = Router::new()
        .route("/signup", post(create))
        .route("/signup/{id}", get(read).patch(update))
        .layer(middleware::from_fn_with_state(state.clone(), super::authenticate));
    Router::new()
        .merge(authed)
        .layer(axum::extract::DefaultBodyLimit::max(super::MAX_BODY))
        .fallback(|| async { super::ApiError(crate::error::AppError::not_found("sign-up endpoint")) })
        .method_not_allowed_fallback(|| async {
            super::error_response(405, "validation_failed", "this method is not allowed on this endpoint".into(), Default::default())
        })
        .layer(middleware::from_fn(seed_errors))
        .layer(middleware::from_fn_with_state(state, super::preflight))
}

/// Names the cart of an error answer (carried by the handler, else the path's `cart_…`).
#[derive(Clone)]
struct CartOf(String);

/// Adds `sessionId` and `error: true` to every error body of these routes (authentication,
/// malformed JSON and unknown paths included).
async fn seed_errors(req: Request, next: Next) -> Response {
    let from_path = req.uri().path().strip_prefix("/signup/").filter(|id| id.starts_with("cart_") && !id.contains('/')).map(str::to_string);
    let res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NO_CONTENT {
        return res;
    }
    let session = res.extensions().get::<CartOf>().map(|c| c.0.clone()).or(from_path);
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 1 << 20).await else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let Ok(Value::Object(mut o)) = serde_json::from_slice::<Value>(&bytes) else { return Response::from_parts(parts, Body::from(bytes)) };
    o.entry("sessionId").or_insert(json!(session));
    o.insert("error".into(), json!(true));
    let text = Value::Object(o).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

/// The answer of an action, recorded in the cart's history when a cart was saved (an
/// `ESTIMATE` records nothing).
async fn answer(s: &AppState, a: &Actor, req: Option<&SignUpRequest>, out: Outcome) -> Response {
    let estimate = req.is_some_and(|r| r.action == crate::model::SignUpAction::Estimate);
    match out {
        Ok(r) => {
            let body = serde_json::to_value(&r).unwrap_or_default();
            if let (Some(id), false, Some(_)) = (&r.session_id, estimate, req) {
                signup::record(s, a, id, req, 200, &body).await;
            }
            // A replay of the same Idempotency-Key has the SetupIntent's secret left out.
            match r.payment_method_init {
                Some(_) => (Extension(ShownOnce(&["paymentMethodInit"])), Json(body)).into_response(),
                None => Json(body).into_response(),
            }
        }
        Err(Failure { session_id, error }) => {
            if let (Some(id), false, Some(_)) = (&session_id, estimate, req) {
                let body = json!({"code": error.code.as_str(), "message": error.message, "fields": error.fields});
                signup::record(s, a, id, req, error.status(), &body).await;
            }
            let mut res = super::ApiError(error).into_response();
            if let Some(id) = session_id {
                res.extensions_mut().insert(CartOf(id));
            }
            res
        }
    }
}

/// Starts a sign-up cart: `CREATE_IN_PENDING` saves it, `CREATE_WITH_PAYMENT_METHOD` also
/// answers `paymentMethodInit.stripe` for Stripe's form (a Stripe customer and a SetupIntent),
/// `CREATE_AND_FINALIZE` finalizes a cart that needs no payment information, `ESTIMATE` prices
/// it and saves nothing (the one action a publishable key may send, from a browser).
#[utoipa::path(post, path = "/api/selfService/signup", operation_id = "createSignUp", tag = "sign-up", request_body = SignUpRequest, security(("bearer" = [])),
    responses((status = 200, body = SignUpResponse), (status = 400, body = SignUpRequestError, description = "`validation_failed`, the field named"),
        (status = 402, body = SignUpRequestError, description = "`payment_failed`: Stripe declined the payment; the cart stays PENDING"),
        (status = 403, body = SignUpRequestError, description = "`forbidden`: a publishable key sent another action than ESTIMATE"),
        (status = 404, body = SignUpRequestError, description = "`invalid_or_expired`: the discount code"),
        (status = 502, body = SignUpRequestError, description = "`stripe_error`: Stripe refused or could not be reached (a saved cart is named in `sessionId`)")))]
pub async fn create(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(req): ApiJson<SignUpRequest>) -> Response {
    let out = signup::create(&s, &a, req.clone()).await;
    answer(&s, &a, Some(&req), out).await
}

/// Continues a cart: `UPDATE` (changes, and `paymentMethod.paymentToken` — a SetupIntent Stripe
/// says succeeded for this customer — as the default payment method: `ADD_PAYMENT_METHOD`),
/// `INIT_PAYMENT_METHOD`, `FINALIZE` (the subscription, or a schedule for a later start; a
/// second FINALIZE answers the first result), `CANCEL`, `ESTIMATE` (saves nothing).
#[utoipa::path(patch, path = "/api/selfService/signup/{sessionId}", operation_id = "updateSignUp", tag = "sign-up", params(("sessionId" = String, Path)),
    request_body = SignUpRequest, security(("bearer" = [])),
    responses((status = 200, body = SignUpResponse), (status = 400, body = SignUpRequestError, description = "`validation_failed`: a field, or a SetupIntent of another customer or not succeeded"),
        (status = 402, body = SignUpRequestError, description = "`payment_failed`: Stripe declined the payment; the cart stays PENDING"),
        (status = 404, body = SignUpRequestError, description = "`not_found`, or `invalid_or_expired` for the discount code"),
        (status = 409, body = SignUpRequestError, description = "`conflict`: the cart's state does not allow the action"),
        (status = 502, body = SignUpRequestError, description = "`stripe_error`")))]
pub async fn update(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiJson(req): ApiJson<SignUpRequest>) -> Response {
    let out = signup::update(&s, &a, &id, req.clone()).await;
    answer(&s, &a, Some(&req), out).await
}

/// The cart as it is now (a finalized one answers its FINALIZE result, `action: "GET"`).
#[utoipa::path(get, path = "/api/selfService/signup/{sessionId}", operation_id = "getSignUp", tag = "sign-up", params(("sessionId" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = SignUpResponse), (status = 404, body = SignUpRequestError)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> Response {
    let out = signup::get(&s, &a, &id).await;
    answer(&s, &a, None, out).await
}
