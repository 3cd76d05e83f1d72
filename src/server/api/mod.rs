//! `/api/v1`: bearer-key authentication, `Idempotency-Key`, the contract's error body, and one
//! module per area (named as in `services::` and `server_fns::`). Handlers are thin: extract,
//! call one `services::…` function, wrap the answer. Also the two doors outside `/api/v1` that
//! are not pages: Stripe's events (`stripe_events`) and the dashboard's coupon CSV download.
/// A list's query parameters: `limit` (1–100, default 50) and `startingAfter` (the cursor,
/// described by `cursor`), then the list's own filters; any other parameter is refused (400).
/// One definition, so every list pages alike.
macro_rules! list_query {
    ($(#[$m:meta])* pub struct $name:ident { cursor: $cursor:literal $(, $(#[$fm:meta])* pub $field:ident: $ty:ty)* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// Page size, 1–100 (default 50).
            #[param(minimum = 1, maximum = 100, default = 50)]
            pub limit: Option<i64>,
            #[doc = $cursor]
            pub starting_after: Option<String>,
            $($(#[$fm])* pub $field: $ty,)*
        }
    };
}

// Declared after `list_query!` so the macro is in scope in them.
pub mod analytics;
pub mod checkout;
pub mod coupons;
pub mod discounts;
pub mod docs;
pub mod events;
pub mod experiences;
pub mod extract;
pub mod integrations;
pub mod methods;
pub mod offers;
pub mod prices;
pub mod products;
pub mod rates;
pub mod redemptions;
pub mod reference;
pub mod schemas;
pub mod settings;
pub mod signup;
pub mod stripe_events;
pub mod surfaces;
pub mod versions;
pub mod webhooks;

use crate::error::{AppError, ErrorCode};
use crate::server::AppState;
use crate::server::services;
use crate::server::services::idempotency;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use extract::{ApiActor, ApiJson, ApiQuery};

/// The contract's error body.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Always `error`.
    pub status: &'static str,
    pub status_code: u16,
    /// Stable machine code, e.g. `validation_failed`.
    pub code: String,
    pub message: String,
    /// Field name → problem.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
    /// Positions in submitted code (workflow saves).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<crate::error::CodeError>,
    pub trace_id: String,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (_, retry_after) = crate::server::error_status(&self.0);
        let mut res = self.body_response();
        if let Some(v) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

impl ApiError {
    fn body_response(self) -> Response {
        let mut res = error_response(self.0.status(), self.0.code.as_str(), self.0.message.clone(), self.0.fields.clone());
        if !self.0.errors.is_empty() {
            let body = ErrorBody {
                status: "error",
                status_code: self.0.status(),
                code: self.0.code.as_str().into(),
                message: self.0.message,
                fields: self.0.fields,
                errors: self.0.errors,
                trace_id: crate::server::telemetry::current_trace_id(),
            };
            res = (StatusCode::from_u16(body.status_code).unwrap_or(StatusCode::BAD_REQUEST), axum::Json(body)).into_response();
        }
        res
    }
}

pub fn error_response(status: u16, code: &str, message: String, fields: std::collections::BTreeMap<String, String>) -> Response {
    let body = ErrorBody {
        status: "error",
        status_code: status,
        code: code.to_string(),
        message,
        fields,
        errors: Vec::new(),
        trace_id: crate::server::telemetry::current_trace_id(),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

pub type ApiResult<T> = Result<T, ApiError>;

list_query! {
    /// The paging parameters of the lists without filters (schemas, experiences, surfaces, coupon
    /// redemptions, webhook endpoints and deliveries).
    pub struct PageQuery {
        cursor: "The `id` of the last object of the previous page (newest first). An id that names no object of this list (never existed, or deleted since) gives an empty page.",
    }
}

/// The limiter key of the caller's address (see `server::client_ip`).
pub fn client_key(
    state: &AppState,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: &axum::http::HeaderMap,
) -> String {
    crate::server::client_ip::client_key(&state.config.client_ip, peer.map(|p| (p.0).0), headers)
}

pub fn router(state: AppState) -> Router<AppState> {
    let authed = Router::new()
        .merge(products::routes())
        .merge(prices::routes())
        .merge(integrations::routes())
        .merge(methods::routes())
        .merge(offers::routes())
        .merge(rates::routes())
        .merge(redemptions::routes())
        .merge(events::routes())
        .merge(schemas::routes())
        .merge(experiences::routes())
        .merge(settings::routes())
        .merge(surfaces::routes())
        .merge(coupons::routes())
        .merge(analytics::routes())
        .merge(checkout::routes())
        .merge(discounts::routes())
        .merge(versions::routes())
        .merge(webhooks::routes())
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/openapi.json", get(docs::openapi_json))
        .merge(authed)
        // One bound for every request body under /api/v1 (axum's default is 2 MiB).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .fallback(|| async { ApiError(AppError::new(ErrorCode::NotFound, "no such API endpoint")) })
        .method_not_allowed_fallback(|method: Method| async move {
            error_response(405, "validation_failed", format!("method {method} is not allowed on this endpoint"), Default::default())
        })
        .layer(middleware::from_fn_with_state(state, preflight))
}

/// CORS preflights of the publishable endpoints (API.md §13), answered before authentication
/// (a preflight carries no key): allowed when some environment allows the origin; the request
/// itself is checked against its key's environment in [`authenticate`]. Any other preflight
/// goes on without CORS headers, so the browser refuses it.
async fn preflight(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_preflight = req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    match origin {
        Some(origin)
            if is_preflight && services::origins::is_publishable_path(req.uri().path()) && services::origins::preflight_allowed(&state, &origin).await =>
        {
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&origin) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            }
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, PATCH"));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type, idempotency-key"));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            res
        }
        _ => next.run(req).await,
    }
}

/// A publishable key's browser request from `origin`: refused unless its environment allows
/// the origin; allowed ones get `Access-Control-Allow-Origin`.
async fn cross_origin(state: &AppState, actor: &crate::server::auth::Actor, origin: &str, req: Request, next: Next) -> Response {
    let Ok(scope) = actor.authorize(crate::server::auth::Permission::Runtime) else { return next.run(req).await };
    match services::origins::allows(state, scope, origin).await {
        Ok(true) => {
            let mut res = idempotency(State(state.clone()), req, next).await;
            if let Ok(v) = HeaderValue::from_str(origin) {
                res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                res.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
            }
            res
        }
        Ok(false) => ApiError(AppError::new(
            ErrorCode::Forbidden,
            format!("the origin {origin} is not allowed for this environment (Settings → API keys → Allowed origins)"),
        ))
        .into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

/// Resolves `Authorization: Bearer <key>` into an `Actor` request extension, then applies
/// `Idempotency-Key` (one middleware for both: one layer fewer on every API request).
async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|v| v.trim().to_string());
    let Some(bearer) = bearer else {
        return ApiError(AppError::new(ErrorCode::Unauthenticated, "send your API key as Authorization: Bearer <key>")).into_response();
    };
    match services::api_keys::authenticate(&state, &bearer).await {
        Ok(actor) => {
            // No object's id or code holds U+0000 (PostgreSQL cannot even compare with one).
            if req.uri().path().contains("%00") {
                return ApiError(AppError::new(ErrorCode::NotFound, "no such object: a path segment holds U+0000")).into_response();
            }
            let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
            let browser = origin.filter(|_| actor.is_publishable() && services::origins::is_publishable_path(req.uri().path()));
            req.extensions_mut().insert(actor.clone());
            match browser {
                Some(origin) => cross_origin(&state, &actor, &origin, req, next).await,
                None => idempotency(State(state), req, next).await,
            }
        }
        Err(e) => ApiError(e).into_response(),
    }
}

const MAX_BODY: usize = 1 << 20;

/// `Idempotency-Key` on POST and PATCH: the first request claims the key and its response is stored; the
/// same key with the same body replays that response; with another body it is 409
/// `idempotency_key_reused`. A 5xx releases the key so that the client may retry.
async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST && req.method() != Method::PATCH {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 {
        return ApiError(AppError::field("Idempotency-Key", "must be 1 to 255 characters")).into_response();
    }
    let Some(actor) = req.extensions().get::<crate::server::auth::Actor>().cloned() else {
        return next.run(req).await;
    };
    let Some(record) = idempotency::key(&actor, &key) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return ApiError(AppError::validation("request body too large (1 MiB at most)")).into_response(),
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.path());
    h.update(b"\n");
    h.update(&bytes);
    let request_hash = hex::encode(h.finalize());
    match run_idempotent(&state, record, &request_hash, Request::from_parts(parts, Body::from(bytes)), next).await {
        Ok(r) => r,
        Err(e) => ApiError(e).into_response(),
    }
}

/// Marks an answer whose top-level fields hold a secret shown only once (a webhook signing
/// secret): the stored copy for `Idempotency-Key` replays has them set to `null`, so that the
/// secret never sits in the database in plaintext. A replay says so in `secretOmitted`.
#[derive(Clone, Copy, Debug)]
pub struct ShownOnce(pub &'static [&'static str]);

async fn run_idempotent(state: &AppState, rec: idempotency::Key<'_>, hash: &str, req: Request, next: Next) -> Result<Response, AppError> {
    if !idempotency::claim(state, &rec, hash).await? {
        let stored = idempotency::stored(state, &rec).await?.ok_or_else(|| AppError::conflict("retry the request"))?;
        if stored.request_hash != hash {
            return Err(AppError::new(ErrorCode::IdempotencyKeyReused, "this Idempotency-Key was already used with a different request body"));
        }
        if stored.status_code == 0 {
            return Err(AppError::conflict("a request with this Idempotency-Key is still being processed"));
        }
        let mut res = Response::new(Body::from(stored.response_body.unwrap_or_default()));
        *res.status_mut() = StatusCode::from_u16(stored.status_code as u16).unwrap_or(StatusCode::OK);
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(res);
    }
    let res = next.run(req).await;
    let status = res.status();
    if status.is_server_error() {
        idempotency::release(state, &rec).await?;
        return Ok(res);
    }
    let shown_once = res.extensions().get::<ShownOnce>().copied();
    let (parts, body) = res.into_parts();
    let bytes = to_bytes(body, 16 * MAX_BODY).await.map_err(|e| crate::server::internal("buffer response", e))?;
    let text = match shown_once {
        None => String::from_utf8_lossy(&bytes).to_string(),
        Some(ShownOnce(fields)) => redact(&bytes, fields),
    };
    idempotency::complete(state, &rec, status.as_u16() as i64, &text).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The JSON answer with `fields` set to `null` and `"secretOmitted": true` (or `{}` when the
/// answer is not a JSON object: nothing of it is kept).
fn redact(bytes: &[u8], fields: &[&str]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(mut o)) => {
            for f in fields {
                if let Some(v) = o.get_mut(*f) {
                    *v = serde_json::Value::Null;
                }
            }
            o.insert("secretOmitted".into(), serde_json::Value::Bool(true));
            serde_json::Value::Object(o).to_string()
        }
        _ => "{}".into(),
    }
}

pub(crate) fn string_enum(values: &[&str]) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String).enum_values(Some(values.iter().copied())).build()
}

/// Schema of the `status` filter of `GET /api/v1/products`.
pub fn status_filter_product() -> utoipa::openapi::schema::Object {
    string_enum(&["active", "archived", "all"])
}

/// Schema of the `status` filter of `GET /api/v1/coupons`.
pub fn status_filter_coupon() -> utoipa::openapi::schema::Object {
    string_enum(&["active", "expired", "exhausted", "archived", "all"])
}

/// Schema of the `type` filter of `GET /api/v1/events`.
pub fn event_type_filter() -> utoipa::openapi::schema::Object {
    string_enum(&["surface.decision", "offer.redemption"])
}

/// Schema of the `status` filter of `GET /api/v1/events`.
pub fn event_status_filter() -> utoipa::openapi::schema::Object {
    string_enum(&["presented", "empty", "succeeded", "declined", "failed"])
}
