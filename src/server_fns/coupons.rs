//! Coupons on the dashboard, through `services::coupons` like `/api/v1/coupons`. Start and
//! expiry are typed in the tenant's time zone. (The CSV download is `api::coupons::dashboard_export`.)
use crate::error::AppError;
use crate::model::{Coupon, CouponDetail, CouponsData};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    server::services::{coupons, settings},
    server_fns::ctx,
};

/// The new-coupon form as posted, all text (see `model::CouponForm` for the typed rules);
/// `starts` and `expires` are `datetime-local` values in the tenant's time zone. Only `code`,
/// `coupon_type` and `amount` must be present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCouponForm {
    pub code: String,
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
    #[serde(default)]
    pub campaign: String,
}

/// One page of 25 coupons (filtered), the campaign tags, and expiry in local time.
#[server(prefix = "/sfn", endpoint = "coupons/page")]
pub async fn coupons_page(q: Option<String>, status: Option<String>, campaign: Option<String>, after: Option<String>) -> Result<CouponsData, AppError> {
    let params = coupons::ListParams { limit: Some(25), starting_after: after, search: q, status, campaign: campaign.filter(|c| !c.is_empty()) };
    ctx::run(|s, a| async move { coupons::dashboard_page(&s, &a, params).await }).await
}

#[server(prefix = "/sfn", endpoint = "coupons/get")]
pub async fn load_coupon(code: String) -> Result<CouponDetail, AppError> {
    ctx::run(|s, a| async move { coupons::detail(&s, &a, &code).await }).await
}

/// The tenant's time zone, for the expiry field's label.
#[server(prefix = "/sfn", endpoint = "coupons/time_zone")]
pub async fn coupon_time_zone() -> Result<String, AppError> {
    ctx::run(|s, a| async move { settings::time_zone(&s, &a).await }).await
}

/// Creates the coupon, then on to its page.
#[server(prefix = "/sfn", endpoint = "coupons/create")]
pub async fn create_coupon(#[server(flatten)] input: NewCouponForm) -> Result<Coupon, AppError> {
    let created = ctx::run(|s, a| async move { coupons::create_from_form(&s, &a, input).await }).await;
    ctx::redirect_on_ok(created, |c| format!("/coupons/{}", c.code))
}

#[server(prefix = "/sfn", endpoint = "coupons/archive")]
pub async fn archive_coupon(code: String) -> Result<Coupon, AppError> {
    ctx::run(|s, a| async move { coupons::archive(&s, &a, &code).await }).await
}
