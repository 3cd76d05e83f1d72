//! `/api/v1/integrations/stripe`: the environment's Stripe integration.
use super::{ApiActor, ApiError, ApiJson, ApiResult, ErrorBody};
use crate::error::AppError;
use crate::model::{StripeAccount, StripeIntegration, StripeIntegrationInput};
use crate::server::AppState;
use crate::server::services::integrations;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/integrations/stripe", get(read).put(put).delete(remove)).route("/integrations/stripe/test", post(test))
}

#[utoipa::path(get, path = "/api/v1/integrations/stripe", operation_id = "getStripeIntegration", tag = "integrations", security(("bearer" = [])),
    responses((status = 200, body = StripeIntegration, description = "The secret key is masked"), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<StripeIntegration>> {
    integrations::get(&state, &actor).await?.map(Json).ok_or_else(|| ApiError(AppError::not_found("Stripe integration")))
}

/// Stores the environment's Stripe key (a test key in preview, a live key in live), encrypted.
#[utoipa::path(put, path = "/api/v1/integrations/stripe", operation_id = "putStripeIntegration", tag = "integrations", request_body = StripeIntegrationInput, security(("bearer" = [])),
    responses((status = 200, body = StripeIntegration), (status = 400, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<StripeIntegrationInput>,
) -> ApiResult<Json<StripeIntegration>> {
    Ok(Json(integrations::put(&state, &actor, input).await?))
}

/// Removes the integration (the key is deleted).
#[utoipa::path(delete, path = "/api/v1/integrations/stripe", operation_id = "deleteStripeIntegration", tag = "integrations", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<StatusCode> {
    integrations::delete(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Calls Stripe with the stored key and returns the account it belongs to.
#[utoipa::path(post, path = "/api/v1/integrations/stripe/test", operation_id = "testStripeIntegration", tag = "integrations", security(("bearer" = [])),
    responses((status = 200, body = StripeAccount), (status = 404, body = ErrorBody, description = "This environment has no Stripe integration"),
        (status = 502, body = ErrorBody, description = "Stripe refused the key or could not be reached")))]
pub async fn test(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<StripeAccount>> {
    Ok(Json(integrations::test_connection(&state, &actor).await?))
}
