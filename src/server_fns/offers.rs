//! Offers on the dashboard and their stats, through `services::offers` like `/api/v1/offers`.
//! Validity windows are typed in the tenant's time zone and stored in UTC.
use crate::error::AppError;
use crate::model::{Offer, OfferDetail, OfferFormData, OfferStats, Page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::offers, server_fns::ctx};

/// The offer form as posted, all text. `price_ids` arrive as `price_ids[0]`, … (the checked
/// boxes); `instructions` is JSON or blank; `valid_from`/`valid_until` are `datetime-local`
/// values in the tenant's time zone, blank for no bound; `audience` is all, anonymous or
/// authenticated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OfferForm {
    pub name: String,
    pub method_id: String,
    pub price_ids: Option<Vec<String>>,
    pub title: String,
    pub price_label: String,
    pub description: String,
    pub instructions: String,
    pub valid_from: String,
    pub valid_until: String,
    pub audience: String,
    #[serde(default)]
    pub campaign: String,
}

#[server(prefix = "/sfn", endpoint = "offers/list")]
/// Offers, newest first, 50 a page after the offer `after`.
pub async fn list_offers(after: Option<String>) -> Result<Page<Offer>, AppError> {
    ctx::run(|s, a| async move { offers::list(&s, &a, after.as_deref(), Some(50)).await }).await
}

/// The choices of the offer form: active methods and prices, and the tenant's time zone.
#[server(prefix = "/sfn", endpoint = "offers/form")]
pub async fn load_offer_form() -> Result<OfferFormData, AppError> {
    ctx::run(|s, a| async move { offers::form_data(&s, &a).await }).await
}

#[server(prefix = "/sfn", endpoint = "offers/get")]
pub async fn get_offer(id: String) -> Result<OfferDetail, AppError> {
    ctx::run(|s, a| async move { offers::detail(&s, &a, &id).await }).await
}

/// Creates the offer, then on to its page.
#[server(prefix = "/sfn", endpoint = "offers/create")]
pub async fn create_offer(#[server(flatten)] input: OfferForm) -> Result<Offer, AppError> {
    let created = ctx::run(|s, a| async move { offers::create_from_form(&s, &a, input).await }).await;
    ctx::redirect_on_ok(created, |o| format!("/offers/{}", o.id))
}

/// Replaces every field of the form (a blank bound clears it).
#[server(prefix = "/sfn", endpoint = "offers/update")]
pub async fn update_offer(id: String, #[server(flatten)] input: OfferForm) -> Result<Offer, AppError> {
    ctx::run(|s, a| async move { offers::update_from_form(&s, &a, &id, input).await }).await
}

#[server(prefix = "/sfn", endpoint = "offers/archive")]
pub async fn set_offer_archived(id: String, archived: String) -> Result<Offer, AppError> {
    ctx::run(|s, a| async move { offers::set_archived(&s, &a, &id, archived == "true").await }).await
}

/// The offer's impressions, redemptions and conversion over the last `days` days.
#[server(prefix = "/sfn", endpoint = "offers/stats")]
pub async fn load_offer_stats(id: String, days: i64) -> Result<OfferStats, AppError> {
    ctx::run(|s, a| async move { offers::stats_last_days(&s, &a, &id, days).await }).await
}

/// The offer's rates (its first 100), for the offer page.
#[server(prefix = "/sfn", endpoint = "offers/rates")]
pub async fn load_offer_rates(id: String) -> Result<Vec<crate::model::Rate>, AppError> {
    ctx::run(|s, a| async move { Ok(crate::server::services::rates::page(&s, &a, &id, None, Some(100)).await?.data) }).await
}

/// Adds a rate to the offer: a name, the ticked prices, and whether sign-up pages offer it.
#[server(prefix = "/sfn", endpoint = "offers/rates/create")]
pub async fn create_offer_rate(
    offer_id: String,
    name: String,
    #[server(default)] price_ids: Vec<String>,
    #[server(default)] self_service: Option<String>,
) -> Result<crate::model::Rate, AppError> {
    let self_service = self_service.is_some_and(|v| v == "true" || v == "on");
    ctx::run(|s, a| async move { crate::server::services::rates::create_from_form(&s, &a, &offer_id, name, price_ids, self_service).await }).await
}
