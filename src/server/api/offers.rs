//! `/api/v1/offers`.
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody};
use crate::model::{Offer, OfferCreate, OfferUpdate};
use crate::server::AppState;
use crate::server::services::offers;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new().route("/offers", get(list).post(create)).route("/offers/{id}", get(read).patch(update).delete(archive)).route("/offers/{id}/stats", get(stats))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub starting_after: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfferPage {
    pub data: Vec<Offer>,
    pub has_more: bool,
}

#[utoipa::path(get, path = "/api/v1/offers", tag = "offers", params(ListQuery), security(("bearer" = [])), responses((status = 200, body = OfferPage)))]
pub async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<OfferPage>> {
    let p = offers::list(&state, &actor, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(OfferPage { data: p.data, has_more: p.has_more }))
}

#[utoipa::path(post, path = "/api/v1/offers", tag = "offers", request_body = OfferCreate, security(("bearer" = [])),
    responses((status = 201, body = Offer), (status = 400, body = ErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiJson(input): ApiJson<OfferCreate>) -> ApiResult<(StatusCode, Json<Offer>)> {
    Ok((StatusCode::CREATED, Json(offers::create(&state, &actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "offers", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Offer), (status = 404, body = ErrorBody)))]
pub async fn read(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::get(&state, &actor, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/offers/{id}", tag = "offers", params(("id" = String, Path)), request_body = OfferUpdate, security(("bearer" = [])),
    responses((status = 200, body = Offer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>, ApiJson(input): ApiJson<OfferUpdate>) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::update(&state, &actor, &id, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/offers/{id}", tag = "offers", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Offer), (status = 404, body = ErrorBody)))]
pub async fn archive(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Offer>> {
    Ok(Json(offers::set_archived(&state, &actor, &id, true).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// RFC 3339, inclusive; default 30 days before `to`.
    pub from: Option<String>,
    /// RFC 3339, exclusive; default now.
    pub to: Option<String>,
}

/// Impressions (offers presented by surface decisions), successful redemptions and conversion.
#[utoipa::path(get, path = "/api/v1/offers/{id}/stats", tag = "offers", params(("id" = String, Path), StatsQuery), security(("bearer" = [])),
    responses((status = 200, body = crate::model::OfferStats), (status = 404, body = ErrorBody)))]
pub async fn stats(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>, ApiQuery(q): ApiQuery<StatsQuery>) -> ApiResult<Json<crate::model::OfferStats>> {
    let to = super::instant_param("to", q.to.as_deref())?.unwrap_or_else(crate::server::db::now_ms);
    let from = super::instant_param("from", q.from.as_deref())?.unwrap_or(to - 30 * 24 * 3600 * 1000);
    Ok(Json(offers::stats(&state, &actor, &id, from, to).await?))
}
