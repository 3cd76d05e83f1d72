//! `/api/v1/offers/{id}/rates` (API.md §12): the rates a sign-up cart names.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Page, Rate, RateCreate, RateUpdate};
use crate::server::AppState;
use crate::server::services::rates;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/offers/{id}/rates", get(list).post(create)).route("/offers/{id}/rates/{rate_id}", get(read).patch(update))
}

/// The offer's rates, newest first.
#[utoipa::path(get, path = "/api/v1/offers/{id}/rates", operation_id = "listRates", tag = "offers", params(("id" = String, Path, description = "`off_…`"), PageQuery),
    security(("bearer" = [])), responses((status = 200, body = Page<Rate>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<Rate>>> {
    Ok(Json(rates::page(&s, &a, &id, q.starting_after.as_deref(), q.limit).await?))
}

/// Creates a rate: a name and prices of the offer, one per product, of one currency and
/// interval (400 naming `priceIds` otherwise). At most 50 per offer.
#[utoipa::path(post, path = "/api/v1/offers/{id}/rates", operation_id = "createRate", tag = "offers", params(("id" = String, Path, description = "`off_…`")),
    request_body = RateCreate, security(("bearer" = [])),
    responses((status = 201, body = Rate), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "50 rates already")))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<RateCreate>,
) -> ApiResult<(StatusCode, Json<Rate>)> {
    Ok((StatusCode::CREATED, Json(rates::create(&s, &a, &id, i).await?)))
}

#[utoipa::path(get, path = "/api/v1/offers/{id}/rates/{rate_id}", operation_id = "getRate", tag = "offers",
    params(("id" = String, Path, description = "`off_…`"), ("rate_id" = String, Path, description = "`rate_…`")), security(("bearer" = [])),
    responses((status = 200, body = Rate), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path((id, rate_id)): Path<(String, String)>) -> ApiResult<Json<Rate>> {
    Ok(Json(rates::get(&s, &a, &id, &rate_id).await?))
}

/// Changes the given fields (same rules as create); `status: "archived"` takes the rate off
/// sign-up pages.
#[utoipa::path(patch, path = "/api/v1/offers/{id}/rates/{rate_id}", operation_id = "updateRate", tag = "offers",
    params(("id" = String, Path, description = "`off_…`"), ("rate_id" = String, Path, description = "`rate_…`")), request_body = RateUpdate, security(("bearer" = [])),
    responses((status = 200, body = Rate), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path((id, rate_id)): Path<(String, String)>,
    ApiJson(i): ApiJson<RateUpdate>,
) -> ApiResult<Json<Rate>> {
    Ok(Json(rates::update(&s, &a, &id, &rate_id, i).await?))
}
