//! A product's prices on its dashboard page, through `services::prices` like `/api/v1/prices`.
use crate::error::AppError;
use crate::model::Price;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::prices, server_fns::ctx};

/// The new-price form as posted: `amount` in major units (`10.00`), an empty `interval` for a
/// one-off price (else `month` or `year`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceForm {
    pub product_id: String,
    pub currency: String,
    pub amount: String,
    pub interval: String,
    pub stripe_price_id: String,
    #[serde(default)]
    pub live_stripe_price_id: String,
}

#[server(prefix = "/sfn", endpoint = "prices/list")]
pub async fn list_product_prices(product_id: String) -> Result<Vec<Price>, AppError> {
    ctx::run(|s, a| async move { Ok(prices::list(&s, &a, Some(&product_id), None, Some(100)).await?.data) }).await
}

#[server(prefix = "/sfn", endpoint = "prices/create")]
pub async fn create_price(#[server(flatten)] input: PriceForm) -> Result<Price, AppError> {
    ctx::run(|s, a| async move { prices::create_from_form(&s, &a, input).await }).await
}

#[server(prefix = "/sfn", endpoint = "prices/archive")]
pub async fn set_price_archived(id: String, archived: String) -> Result<Price, AppError> {
    ctx::run(|s, a| async move { prices::set_archived(&s, &a, &id, archived == "true").await }).await
}

/// Sets (empty: forgets) the live Stripe price of a preview price, for deploys (API.md §14).
#[server(prefix = "/sfn", endpoint = "prices/live")]
pub async fn set_live_price(id: String, live_stripe_price_id: String) -> Result<Price, AppError> {
    ctx::run(|s, a| async move {
        let input = crate::model::PriceUpdate { stripe_price_id: None, live_stripe_price_id: Some(live_stripe_price_id) };
        prices::update(&s, &a, &id, input).await
    })
    .await
}
