//! `POST /webhooks/stripe/{integration_id}`: Stripe's own events, signed by Stripe (not by an
//! API key or a session), through `services::stripe_events`. Outside `/api/v1`, with its own
//! body bound; the answer and errors use the API's JSON.
use super::ApiError;
use crate::server::AppState;
use crate::server::services::stripe_events;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

/// Stripe's own events are far below this; anything larger is refused before it is hashed.
pub const STRIPE_EVENT_MAX_BYTES: usize = 512 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/webhooks/stripe/{integration_id}", post(receive).layer(DefaultBodyLimit::max(STRIPE_EVENT_MAX_BYTES)))
}

/// Verifies the `Stripe-Signature` with the integration's webhook secret and applies the event.
pub async fn receive(State(state): State<AppState>, Path(integration_id): Path<String>, headers: axum::http::HeaderMap, body: axum::body::Bytes) -> Response {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    match stripe_events::receive(&state, &integration_id, signature, &body).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}
