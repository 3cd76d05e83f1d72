//! `/api/v1/offers`.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::model::{Offer, OfferCreate, OfferUpdate, Page};
use crate::server::AppState;
use crate::server::services::offers;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/offers", get(list).post(create))
        .route("/offers/{id}", get(read).patch(update).delete(archive))
        .route("/offers/{id}/stats", get(stats))
}

/// Offers, newest first.
#[utoipa::path(get, path = "/api/v1/offers", operation_id = "listOffers", tag = "offers", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Offer>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<Offer>>> {
    let p = offers::list(&state, &actor, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// `redemptionMethodId` and every `priceIds` entry must name objects of this environment (else
/// 400 naming the field); times are RFC 3339 and `validFrom` must come before `validUntil`.
#[utoipa::path(post, path = "/api/v1/offers", operation_id = "createOffer", tag = "offers", request_body = OfferCreate, security(("bearer" = [])),
    responses((status = 201, body = Offer), (status = 400, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiJson(input): ApiJson<OfferCreate>) -> ApiResult<(StatusCode, Json<Offer>)> {
    Ok((StatusCode::CREATED, Json(offers::create(&state, &actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/offers/{id}", operation_id = "getOffer", tag = "offers", params(("id" = String, Path, description = "`off_…`")), security(("bearer" = [])),
    responses((status = 200, body = Offer), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::get(&state, &actor, &id).await?))
}

/// Changes the given fields only (same rules as create).
#[utoipa::path(patch, path = "/api/v1/offers/{id}", operation_id = "updateOffer", tag = "offers", params(("id" = String, Path, description = "`off_…`")), request_body = OfferUpdate, security(("bearer" = [])),
    responses((status = 200, body = Offer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OfferUpdate>,
) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::update(&state, &actor, &id, input).await?))
}

/// Archives the offer: `DELETE` does not delete it (events and stats keep their history); it
/// answers the offer with `status: archived`, and surfaces stop presenting it.
#[utoipa::path(delete, path = "/api/v1/offers/{id}", operation_id = "archiveOffer", tag = "offers", params(("id" = String, Path, description = "`off_…`")), security(("bearer" = [])),
    responses((status = 200, body = Offer, description = "The archived offer"), (status = 404, body = ErrorBody)))]
pub async fn archive(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::set_archived(&state, &actor, &id, true).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// RFC 3339, inclusive; default 30 days before `to`.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// RFC 3339, exclusive; default now.
    #[param(format = DateTime)]
    pub to: Option<String>,
}

/// Impressions (offers presented by surface decisions), successful redemptions and conversion.
#[utoipa::path(get, path = "/api/v1/offers/{id}/stats", operation_id = "getOfferStats", tag = "offers", params(("id" = String, Path, description = "`off_…`"), StatsQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::model::OfferStats), (status = 400, body = ErrorBody, description = "`from`/`to` not RFC 3339, or `from` not before `to`"), (status = 404, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<crate::model::OfferStats>> {
    Ok(Json(offers::stats_between(&state, &actor, &id, q.from.as_deref(), q.to.as_deref()).await?))
}
