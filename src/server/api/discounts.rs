//! `/api/v1/discount-rules` (API.md §11): the rules `recompute-discounts` applies, and
//! `evaluate`, the "try it" of the rule page.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{DiscountRule, DiscountRuleInput, DiscountTrial, DiscountTrialResult, Page};
use crate::server::AppState;
use crate::server::services::discounts;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/discount-rules", get(list).post(create))
        .route("/discount-rules/evaluate", post(evaluate))
        .route("/discount-rules/{id}", get(read).patch(update).delete(remove))
}

/// Discount rules, newest first.
#[utoipa::path(get, path = "/api/v1/discount-rules", operation_id = "listDiscountRules", tag = "discount-rules", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<DiscountRule>), (status = 400, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<DiscountRule>>> {
    Ok(Json(discounts::page(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}

/// Creates a rule. `cart_value`: `tiers` (the highest `minSubtotal` reached applies);
/// `loyalty`: `minCompletedCheckouts` and `percentOff` or `amountOff`; `workflow`: `code`, the
/// TypeScript `export default async ({session, customer}) => ({amountOff}|{percentOff}|null)`
/// (compiled now; no I/O when it runs). Amounts need `currency`. At most 100 rules.
#[utoipa::path(post, path = "/api/v1/discount-rules", operation_id = "createDiscountRule", tag = "discount-rules", request_body = DiscountRuleInput, security(("bearer" = [])),
    responses((status = 201, body = DiscountRule), (status = 400, body = ErrorBody, description = "`validation_failed`, the field named (or the code's compile errors)"),
        (status = 409, body = ErrorBody, description = "100 rules already")))]
pub async fn create(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<DiscountRuleInput>) -> ApiResult<(StatusCode, Json<DiscountRule>)> {
    Ok((StatusCode::CREATED, Json(discounts::create(&s, &a, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/discount-rules/{id}", operation_id = "getDiscountRule", tag = "discount-rules", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DiscountRule), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<DiscountRule>> {
    Ok(Json(discounts::get(&s, &a, &id).await?))
}

/// Replaces the rule with the body (the same rules as create).
#[utoipa::path(patch, path = "/api/v1/discount-rules/{id}", operation_id = "updateDiscountRule", tag = "discount-rules", params(("id" = String, Path)), request_body = DiscountRuleInput,
    security(("bearer" = [])), responses((status = 200, body = DiscountRule), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<DiscountRuleInput>,
) -> ApiResult<Json<DiscountRule>> {
    Ok(Json(discounts::update(&s, &a, &id, i).await?))
}

#[utoipa::path(delete, path = "/api/v1/discount-rules/{id}", operation_id = "deleteDiscountRule", tag = "discount-rules", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<StatusCode> {
    discounts::delete(&s, &a, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the active rules give a subtotal (minor units) in a currency, for a customer (their
/// completed checkouts count for loyalty rules): the discount and the rule that gave it.
#[utoipa::path(post, path = "/api/v1/discount-rules/evaluate", operation_id = "evaluateDiscountRules", tag = "discount-rules", request_body = DiscountTrial,
    security(("bearer" = [])), responses((status = 200, body = DiscountTrialResult), (status = 400, body = ErrorBody)))]
pub async fn evaluate(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(t): ApiJson<DiscountTrial>) -> ApiResult<Json<DiscountTrialResult>> {
    Ok(Json(discounts::trial(&s, &a, t).await?))
}
