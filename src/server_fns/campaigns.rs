//! Campaigns and coupon batches on the dashboard, through `services::analytics` and
//! `services::batches` like `/api/v1/analytics` and `/api/v1/coupons/batches`. Marketers read
//! everything here; only merchants create batches.
use crate::error::AppError;
use crate::model::{CampaignPageData, CampaignSummary, CouponBatch, SeriesReport};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    server::services::{analytics, batches},
    server_fns::ctx,
};

/// The batch form as posted, all text: `mode` is `generate` (template + count) or `import`
/// (`codes`: CSV or one code per line, first column); the rules as on the coupon form, times in
/// the tenant's time zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchForm {
    pub campaign: String,
    pub mode: String,
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub codes: String,
    pub coupon_type: String,
    pub amount: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub repeat_months: String,
    #[serde(default)]
    pub max_redemptions: String,
    #[serde(default)]
    pub max_per_customer: String,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub expires: String,
}

#[server(prefix = "/sfn", endpoint = "campaigns/list")]
pub async fn list_campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    ctx::run(|s, a| async move { analytics::campaigns(&s, &a).await }).await
}

/// The campaign page over `from`–`to` by `bucket`, compared with another campaign or period.
#[server(prefix = "/sfn", endpoint = "campaigns/page")]
pub async fn campaign_page(
    name: String,
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
    compare: Option<String>,
    compare_from: Option<String>,
    compare_to: Option<String>,
) -> Result<CampaignPageData, AppError> {
    let q = analytics::PeriodQuery { from, to, bucket };
    let cmp = analytics::Compare { campaign: compare, from: compare_from, to: compare_to };
    ctx::run(|s, a| async move { analytics::page(&s, &a, &name, &q, &cmp).await }).await
}

#[server(prefix = "/sfn", endpoint = "batches/get")]
pub async fn load_batch(id: String) -> Result<CouponBatch, AppError> {
    ctx::run(|s, a| async move { batches::get(&s, &a, &id).await }).await
}

/// Creates the batch, then on to its page (progress while it generates).
#[server(prefix = "/sfn", endpoint = "batches/create")]
pub async fn create_batch(#[server(flatten)] form: BatchForm) -> Result<CouponBatch, AppError> {
    let created = ctx::run(|s, a| async move { batches::create_from_form(&s, &a, form).await }).await;
    ctx::redirect_on_ok(created, |b| format!("/coupons/batches/{}", b.id))
}

/// The last 30 days of an offer (its page's chart).
#[server(prefix = "/sfn", endpoint = "analytics/offer")]
pub async fn offer_series(id: String) -> Result<SeriesReport, AppError> {
    ctx::run(|s, a| async move { analytics::offer(&s, &a, &id, &analytics::PeriodQuery::default()).await }).await
}

/// The last 30 days of coupon redemptions (the Coupons list's chart).
#[server(prefix = "/sfn", endpoint = "analytics/coupons")]
pub async fn coupons_series() -> Result<SeriesReport, AppError> {
    ctx::run(|s, a| async move { analytics::coupons(&s, &a, &analytics::PeriodQuery::default()).await }).await
}
