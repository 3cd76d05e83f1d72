//! `/api/v1/prices`: thin handlers over `services::prices`.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::model::{Page, Price, PriceCreate, PriceUpdate};
use crate::server::AppState;
use crate::server::services::prices;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/prices", get(list).post(create)).route("/prices/{id}", get(read).patch(update).delete(archive))
}

list_query! {
    pub struct ListQuery {
        cursor: "The `id` of the last price of the previous page (newest first). An id that names no price of this environment gives an empty page.",
        /// Only this product's prices.
        pub product_id: Option<String>,
    }
}

/// Prices, newest first.
#[utoipa::path(get, path = "/api/v1/prices", operation_id = "listPrices", tag = "prices", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Price>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Page<Price>>> {
    let page = prices::list(&state, &actor, q.product_id.as_deref(), q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(page))
}

/// `productId` must name a product of this environment (else 400 naming `productId`).
#[utoipa::path(post, path = "/api/v1/prices", operation_id = "createPrice", tag = "prices", request_body = PriceCreate, security(("bearer" = [])),
    responses((status = 201, body = Price), (status = 400, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiJson(input): ApiJson<PriceCreate>) -> ApiResult<(StatusCode, Json<Price>)> {
    Ok((StatusCode::CREATED, Json(prices::create(&state, &actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/prices/{id}", operation_id = "getPrice", tag = "prices", params(("id" = String, Path, description = "`price_…`")), security(("bearer" = [])),
    responses((status = 200, body = Price), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Price>> {
    Ok(Json(prices::get(&state, &actor, &id).await?))
}

/// Only the Stripe price id can change (amounts are immutable, as in Stripe).
#[utoipa::path(patch, path = "/api/v1/prices/{id}", operation_id = "updatePrice", tag = "prices", params(("id" = String, Path, description = "`price_…`")), request_body = PriceUpdate,
    security(("bearer" = [])), responses((status = 200, body = Price), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PriceUpdate>,
) -> ApiResult<Json<Price>> {
    Ok(Json(prices::update(&state, &actor, &id, input).await?))
}

/// Archives the price: `DELETE` does not delete it (offers keep their history; amounts are
/// immutable, as in Stripe: archive it and add a new one). Answers the price with
/// `status: archived`.
#[utoipa::path(delete, path = "/api/v1/prices/{id}", operation_id = "archivePrice", tag = "prices", params(("id" = String, Path, description = "`price_…`")), security(("bearer" = [])),
    responses((status = 200, body = Price, description = "The archived price"), (status = 404, body = ErrorBody)))]
pub async fn archive(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Price>> {
    Ok(Json(prices::set_archived(&state, &actor, &id, true).await?))
}
