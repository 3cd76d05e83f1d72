//! `/api/v1/analytics`: the series and funnels the campaign page, the offer pages and the Coupons
//! list chart, as JSON for the merchant's own tools (read-only; marketers' data).
use super::{ApiActor, ApiQuery, ApiResult, ErrorBody};
use crate::model::{CampaignReport, CampaignSummary, Page, SeriesReport};
use crate::server::AppState;
use crate::server::services::analytics::{self, PeriodQuery};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/campaigns", get(list_campaigns))
        .route("/analytics/campaigns/{campaign}", get(campaign))
        .route("/analytics/offers/{id}", get(offer))
        .route("/analytics/coupons", get(coupons))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First local day (`2026-11-01`) in the tenant's time zone; default 29 days before `to`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local day, inclusive; default today. At most 400 days after `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `day` (default) or `week` (weeks start on Monday; `from` moves back to its Monday).
    pub bucket: Option<String>,
}

impl From<PeriodParams> for PeriodQuery {
    fn from(p: PeriodParams) -> Self {
        PeriodQuery { from: p.from, to: p.to, bucket: p.bucket }
    }
}

list_query! {
    pub struct CampaignListQuery {
        cursor: "The `campaign` of the last entry of the previous page (alphabetical). A tag that no coupon or offer carries gives an empty page.",
    }
}

/// Campaign tags in use on coupons and offers, alphabetical, with how many of each carry them.
#[utoipa::path(get, path = "/api/v1/analytics/campaigns", operation_id = "listCampaigns", tag = "analytics", params(CampaignListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CampaignSummary>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_campaigns(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<CampaignListQuery>,
) -> ApiResult<Json<Page<CampaignSummary>>> {
    Ok(Json(analytics::page_campaigns(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}

/// One campaign over a period: per bucket and in total, offers presented and redeemed (offers
/// tagged with the campaign), checkout sessions completed and sign-up carts finalized with one
/// of its codes, and its coupon redemptions; revenue and discount per currency; the top codes.
/// Counts are exact (kept in the transaction of each event).
#[utoipa::path(get, path = "/api/v1/analytics/campaigns/{campaign}", operation_id = "getCampaignAnalytics", tag = "analytics",
    params(("campaign" = String, Path, description = "The campaign tag, as on coupons and offers (URL-encoded)"), PeriodParams), security(("bearer" = [])),
    responses((status = 200, body = CampaignReport), (status = 400, body = ErrorBody, description = "`validation_failed`: a bad date or bucket, or more than 400 days"),
        (status = 404, body = ErrorBody, description = "No coupon or offer carries this campaign tag")))]
pub async fn campaign(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(c): Path<String>,
    ApiQuery(q): ApiQuery<PeriodParams>,
) -> ApiResult<Json<CampaignReport>> {
    Ok(Json(analytics::campaign(&s, &a, &c, &q.into()).await?))
}

/// An offer's presentations and successful redemptions over a period.
#[utoipa::path(get, path = "/api/v1/analytics/offers/{id}", operation_id = "getOfferAnalytics", tag = "analytics",
    params(("id" = String, Path, description = "`off_…`"), PeriodParams), security(("bearer" = [])),
    responses((status = 200, body = SeriesReport), (status = 400, body = ErrorBody, description = "`validation_failed`: a bad date or bucket"), (status = 404, body = ErrorBody)))]
pub async fn offer(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PeriodParams>,
) -> ApiResult<Json<SeriesReport>> {
    Ok(Json(analytics::offer(&s, &a, &id, &q.into()).await?))
}

/// Every coupon redemption of the environment over a period.
#[utoipa::path(get, path = "/api/v1/analytics/coupons", operation_id = "getCouponAnalytics", tag = "analytics", params(PeriodParams), security(("bearer" = [])),
    responses((status = 200, body = SeriesReport), (status = 400, body = ErrorBody, description = "`validation_failed`: a bad date or bucket")))]
pub async fn coupons(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PeriodParams>) -> ApiResult<Json<SeriesReport>> {
    Ok(Json(analytics::coupons(&s, &a, &q.into()).await?))
}
