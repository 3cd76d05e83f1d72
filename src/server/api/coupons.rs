//! `/api/v1/coupons` (API.md §5), and the dashboard's CSV download of the same export
//! ([`dashboard_export`], signed in by session).
use super::{ApiActor, ApiJson, ApiQuery, ApiResult, ErrorBody, PageQuery};
use crate::error::AppError;
use crate::model::{
    CampaignCount, Coupon, CouponBatch, CouponBatchCreate, CouponCodeInput, CouponCreate, CouponRedemption, CouponRedemptionInput, CouponValidation, Page,
};
use crate::server::AppState;
use crate::server::services::auth;
use crate::server::services::batches;
use crate::server::services::coupons::{self, ListParams};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/coupons", get(list).post(create))
        .route("/coupons/validate", post(validate))
        .route("/coupons/campaigns", get(campaigns))
        .route("/coupons/export.csv", get(export))
        .route("/coupons/batches", get(list_batches).post(create_batch))
        .route("/coupons/batches/{id}", get(read_batch))
        .route("/coupons/batches/{id}/export.csv", get(export_batch))
        .route("/coupons/{code}", get(read))
        .route("/coupons/{code}/archive", post(archive))
        .route("/coupons/{code}/redemptions", get(list_redemptions).post(redeem))
}

list_query! {
    pub struct ListQuery {
        cursor: "The `id` (`cpn_…`) of the last coupon of the previous page (newest first). An id that names no coupon of this environment gives an empty page.",
        /// Case-insensitive substring of the code or campaign.
        pub q: Option<String>,
        /// `active`, `expired`, `exhausted`, `archived` or `all` (default).
        #[param(schema_with = super::status_filter_coupon)]
        pub status: Option<String>,
        /// Exact campaign tag; empty selects coupons without one.
        pub campaign: Option<String>,
    }
}

/// Coupons, newest first.
#[utoipa::path(get, path = "/api/v1/coupons", operation_id = "listCoupons", tag = "coupons", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Coupon>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100, an unknown `status` or query parameter")))]
pub async fn list(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Page<Coupon>>> {
    let page =
        coupons::list(&s, &a, ListParams { limit: q.limit, starting_after: q.starting_after, search: q.q, status: q.status, campaign: q.campaign }).await?;
    Ok(Json(page))
}

/// Creates the coupon and mirrors it to the environment's Stripe account first: when Stripe
/// refuses or cannot be reached nothing is stored (502 `stripe_error` with Stripe's message).
/// The code is upper-cased first. Rules that depend on `type`: `amount` 1–100 for
/// `percentage`, ≥ 1 minor units plus `currency` for `fixed`, 1–36 months for `first_n_months`
/// (`currency` only for `fixed`); `maxRedemptionsPerCustomer` ≤ `maxRedemptions`; `startsAt`
/// before `expiresAt`, and `expiresAt` in the future. The environment needs a Stripe
/// integration (400 otherwise).
#[utoipa::path(post, path = "/api/v1/coupons", operation_id = "createCoupon", tag = "coupons", request_body = CouponCreate, security(("bearer" = [])),
    responses((status = 201, body = Coupon), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody, description = "`conflict`: the code exists in this environment, or `idempotency_key_reused`"),
        (status = 502, body = ErrorBody, description = "`stripe_error`: Stripe refused the coupon or could not be reached; nothing was stored")))]
pub async fn create(State(s): State<AppState>, ApiActor(a): ApiActor, ApiJson(i): ApiJson<CouponCreate>) -> ApiResult<(StatusCode, Json<Coupon>)> {
    Ok((StatusCode::CREATED, Json(coupons::create(&s, &a, i).await?)))
}

/// Publishable or secret key. Archived, expired, not-yet-valid and used-up codes are 404
/// `invalid_or_expired`.
#[utoipa::path(post, path = "/api/v1/coupons/validate", operation_id = "validateCoupon", tag = "coupons", request_body = CouponCodeInput, security(("bearer" = [])),
    responses((status = 200, body = CouponValidation), (status = 400, body = ErrorBody, description = "A blank code"), (status = 404, body = ErrorBody, description = "`invalid_or_expired`"),
        (status = 429, body = ErrorBody, description = "Too many checks from this address (see Retry-After)")))]
pub async fn validate(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    ApiJson(i): ApiJson<CouponCodeInput>,
) -> ApiResult<Json<CouponValidation>> {
    let client = super::client_key(&s, peer, &headers);
    if let Err(wait) = s.limits.check_validate(a.authorize(crate::server::auth::Permission::Runtime)?, &client) {
        return Err(AppError::retry_after(format!("too many coupon checks from this address; try again in {wait} s"), wait).into());
    }
    Ok(Json(coupons::validate(&s, &a, &i.code).await?))
}

list_query! {
    pub struct CampaignQuery {
        cursor: "The `campaign` of the last entry of the previous page. A tag that no coupon has gives an empty page.",
    }
}

/// Coupons and redemptions per campaign tag: most redeemed first, then by tag; coupons without
/// a campaign last (`campaign: null`).
#[utoipa::path(get, path = "/api/v1/coupons/campaigns", operation_id = "listCouponCampaigns", tag = "coupons", params(CampaignQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CampaignCount>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn campaigns(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<CampaignQuery>) -> ApiResult<Json<Page<CampaignCount>>> {
    let p = coupons::page_campaigns(&s, &a, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// Every coupon of the environment with its redemption count, as CSV.
#[utoipa::path(get, path = "/api/v1/coupons/export.csv", operation_id = "exportCoupons", tag = "coupons", security(("bearer" = [])), responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export(State(s): State<AppState>, ApiActor(a): ApiActor) -> ApiResult<impl IntoResponse> {
    Ok(csv_download(coupons::export_csv(&s, &a).await?))
}

fn csv_download(csv: String) -> impl IntoResponse {
    named_csv(csv, "coupons.csv")
}

/// A CSV download named `file` (a name made of safe characters only).
pub fn named_csv(csv: String, file: &str) -> Response {
    let file: String = file.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\""))], csv)
        .into_response()
}

/// Batches of codes, newest first.
#[utoipa::path(get, path = "/api/v1/coupons/batches", operation_id = "listCouponBatches", tag = "coupons", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CouponBatch>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter")))]
pub async fn list_batches(State(s): State<AppState>, ApiActor(a): ApiActor, ApiQuery(q): ApiQuery<PageQuery>) -> ApiResult<Json<Page<CouponBatch>>> {
    Ok(Json(batches::list(&s, &a, q.starting_after.as_deref(), q.limit).await?))
}

/// Creates a batch of codes under one campaign with shared rules (those of a coupon). With
/// `template` and `count` (1–100,000) the codes are generated in the background: the answer is
/// the batch `queued`; `GET` it for `generated` of `requested`; no code is usable until the
/// batch is `completed`, and a failed batch keeps none. With `codes` (1–10,000 existing codes)
/// they are imported at once: every row is checked, and if any fails nothing is imported and
/// the 400 lists each bad row as `codes[i]`. The batch's one Stripe coupon is created first
/// (502 `stripe_error` and nothing stored when Stripe refuses).
#[utoipa::path(post, path = "/api/v1/coupons/batches", operation_id = "createCouponBatch", tag = "coupons", request_body = CouponBatchCreate, security(("bearer" = [])),
    responses((status = 201, body = CouponBatch), (status = 400, body = ErrorBody, description = "Field errors, including one per bad import row (`codes[i]`)"),
        (status = 409, body = ErrorBody, description = "Imported codes were created by another request meanwhile; nothing was imported"),
        (status = 502, body = ErrorBody, description = "`stripe_error`: Stripe refused the batch's coupon; nothing was stored")))]
pub async fn create_batch(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(i): ApiJson<CouponBatchCreate>,
) -> ApiResult<(StatusCode, Json<CouponBatch>)> {
    Ok((StatusCode::CREATED, Json(batches::create(&s, &a, i).await?)))
}

/// The batch with its progress.
#[utoipa::path(get, path = "/api/v1/coupons/batches/{id}", operation_id = "getCouponBatch", tag = "coupons", params(("id" = String, Path, description = "`cpb_…`")), security(("bearer" = [])),
    responses((status = 200, body = CouponBatch), (status = 404, body = ErrorBody)))]
pub async fn read_batch(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Json<CouponBatch>> {
    Ok(Json(batches::get(&s, &a, &id).await?))
}

/// Every code of the batch with its status and redemptions, as CSV (`pending` while generating).
#[utoipa::path(get, path = "/api/v1/coupons/batches/{id}/export.csv", operation_id = "exportCouponBatch", tag = "coupons", params(("id" = String, Path, description = "`cpb_…`")),
    security(("bearer" = [])), responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn export_batch(State(s): State<AppState>, ApiActor(a): ApiActor, Path(id): Path<String>) -> ApiResult<Response> {
    let csv = batches::export_csv(&s, &a, &id).await?;
    Ok(named_csv(csv, &format!("{id}.csv")))
}

/// `GET /coupons/batches/{id}/export.csv`: the dashboard's download of a batch (session).
pub async fn dashboard_batch_export(State(state): State<AppState>, session: tower_sessions::Session, Path(id): Path<String>) -> Response {
    let result = async {
        let actor = auth::actor(&state, &session).await?;
        batches::export_csv(&state, &actor, &id).await
    }
    .await;
    match result {
        Ok(csv) => named_csv(csv, &format!("{id}.csv")),
        Err(e) => (crate::server::error_status(&e).0, e.message).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesCsvQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub bucket: Option<String>,
}

/// `GET /campaigns/{campaign}/series.csv`, `/offers/{id}/series.csv` and `/coupons/series.csv`:
/// the numbers under each chart, for any signed-in member of the tenant.
pub async fn dashboard_campaign_series(s: State<AppState>, session: tower_sessions::Session, Path(name): Path<String>, q: Query<SeriesCsvQuery>) -> Response {
    dashboard_series(s, session, Some(("campaigns", name)), q).await
}

pub async fn dashboard_offer_series(s: State<AppState>, session: tower_sessions::Session, Path(id): Path<String>, q: Query<SeriesCsvQuery>) -> Response {
    dashboard_series(s, session, Some(("offers", id)), q).await
}

pub async fn dashboard_coupons_series(s: State<AppState>, session: tower_sessions::Session, q: Query<SeriesCsvQuery>) -> Response {
    dashboard_series(s, session, None, q).await
}

async fn dashboard_series(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    path: Option<(&str, String)>,
    Query(q): Query<SeriesCsvQuery>,
) -> Response {
    use crate::server::services::analytics;
    let period = analytics::PeriodQuery { from: q.from, to: q.to, bucket: q.bucket };
    let result = async {
        let actor = auth::actor(&state, &session).await?;
        match path.as_ref().map(|(k, v)| (*k, v.as_str())) {
            Some(("campaigns", name)) => {
                let r = analytics::campaign(&state, &actor, name, &period).await?;
                Ok((analytics::series_csv(&r.series, &r.revenue), format!("campaign-{}-{}-{}.csv", r.campaign, r.period.from, r.period.to)))
            }
            Some(("offers", id)) => {
                let r = analytics::offer(&state, &actor, id, &period).await?;
                Ok((analytics::series_csv(&r.series, &[]), format!("offer-{id}-{}-{}.csv", r.period.from, r.period.to)))
            }
            _ => {
                let r = analytics::coupons(&state, &actor, &period).await?;
                Ok((analytics::series_csv(&r.series, &[]), format!("coupons-{}-{}.csv", r.period.from, r.period.to)))
            }
        }
    }
    .await;
    match result {
        Ok((csv, name)) => named_csv(csv, &name),
        Err(e) => (crate::server::error_status(&e).0, e.message).into_response(),
    }
}

/// `GET /coupons/export.csv`: the coupons page's download, for any signed-in member of the
/// tenant (marketers too). A failure is its status with the message as plain text.
pub async fn dashboard_export(State(state): State<AppState>, session: tower_sessions::Session) -> Response {
    let result = async {
        let actor = auth::actor(&state, &session).await?;
        coupons::export_csv(&state, &actor).await
    }
    .await;
    match result {
        Ok(csv) => csv_download(csv).into_response(),
        Err(e) => (crate::server::error_status(&e).0, e.message).into_response(),
    }
}

#[utoipa::path(get, path = "/api/v1/coupons/{code}", operation_id = "getCoupon", tag = "coupons", params(("code" = String, Path, description = "The code, case-insensitive")), security(("bearer" = [])),
    responses((status = 200, body = Coupon), (status = 404, body = ErrorBody)))]
pub async fn read(State(s): State<AppState>, ApiActor(a): ApiActor, Path(code): Path<String>) -> ApiResult<Json<Coupon>> {
    Ok(Json(coupons::get(&s, &a, &code).await?))
}

/// Archives the coupon and deletes it in Stripe (new redemptions stop; history stays).
/// Archiving an archived coupon answers it unchanged.
#[utoipa::path(post, path = "/api/v1/coupons/{code}/archive", operation_id = "archiveCoupon", tag = "coupons", params(("code" = String, Path, description = "The code, case-insensitive")), security(("bearer" = [])),
    responses((status = 200, body = Coupon, description = "The archived coupon"), (status = 404, body = ErrorBody),
        (status = 502, body = ErrorBody, description = "`stripe_error`: Stripe refused or could not be reached; the coupon was not archived")))]
pub async fn archive(State(s): State<AppState>, ApiActor(a): ApiActor, Path(code): Path<String>) -> ApiResult<Json<Coupon>> {
    Ok(Json(coupons::archive(&s, &a, &code).await?))
}

/// The coupon's redemptions, newest first.
#[utoipa::path(get, path = "/api/v1/coupons/{code}/redemptions", operation_id = "listCouponRedemptions", tag = "coupons",
    params(("code" = String, Path, description = "The code, case-insensitive"), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<CouponRedemption>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100 or an unknown query parameter"),
        (status = 404, body = ErrorBody)))]
pub async fn list_redemptions(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<CouponRedemption>>> {
    let p = coupons::page_redemptions(&s, &a, &code, q.starting_after.as_deref(), q.limit).await?;
    Ok(Json(p))
}

/// Records a redemption: 201 the first time for a (coupon, subscription), 200 with that same
/// redemption afterwards; over a limit, expired or archived → 404 `invalid_or_expired`.
#[utoipa::path(post, path = "/api/v1/coupons/{code}/redemptions", operation_id = "redeemCoupon", tag = "coupons", params(("code" = String, Path, description = "The code, case-insensitive")), request_body = CouponRedemptionInput,
    security(("bearer" = [])),
    responses((status = 201, body = CouponRedemption), (status = 200, body = CouponRedemption, description = "Already redeemed for this subscription"),
        (status = 400, body = ErrorBody, description = "Field errors; also a missing `customerId` when the coupon has a per-customer limit"),
        (status = 404, body = ErrorBody, description = "`invalid_or_expired`: unknown, archived, expired, not yet valid or used up")))]
pub async fn redeem(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<CouponRedemptionInput>,
) -> ApiResult<(StatusCode, Json<CouponRedemption>)> {
    let (first, r) = coupons::redeem(&s, &a, &code, &i.subscription_id, i.customer_id.as_deref()).await?;
    Ok((if first { StatusCode::CREATED } else { StatusCode::OK }, Json(r)))
}
