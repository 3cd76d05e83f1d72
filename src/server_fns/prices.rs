//! A product's prices on its dashboard page, through `services::prices`.
use crate::error::AppError;
use crate::model::Price;
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "prices/list")]
pub async fn list_product_prices(product_id: String) -> Result<Vec<Price>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::prices::list(&state, &actor, Some(&product_id), None, Some(100)).await.map(|p| p.data))
}

/// `amount` is typed in major units (`10.00`); an empty `interval` is a one-off price.
#[server(prefix = "/sfn", endpoint = "prices/create")]
pub async fn create_price(product_id: String, currency: String, amount: String, interval: String, stripe_price_id: String) -> Result<Price, AppError> {
    use crate::error::{AppError, FieldErrors};
    use crate::model::{PriceCreate, PriceInterval, parse_major_amount};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let currency_lc = currency.trim().to_lowercase();
    let mut e = FieldErrors::new();
    let unit_amount = match parse_major_amount(&amount, &currency_lc) {
        Ok(a) => a,
        Err(m) => {
            e.add("amount", m);
            0
        }
    };
    let interval = match interval.as_str() {
        "" => None,
        other => match PriceInterval::parse(other) {
            Some(i) => Some(i),
            None => {
                e.add("interval", "must be one-off, month or year");
                None
            }
        },
    };
    ctx::finish(e.into_result())?;
    let input = PriceCreate { product_id, currency, unit_amount, interval, stripe_price_id };
    let r = crate::server::services::prices::create(&state, &actor, input).await.map_err(|mut err: AppError| {
        // The form asks for the amount in major units.
        if let Some(m) = err.fields.remove("unitAmount") {
            err.fields.insert("amount".into(), m);
        }
        err
    });
    ctx::finish(r)
}

#[server(prefix = "/sfn", endpoint = "prices/archive")]
pub async fn set_price_archived(id: String, archived: String) -> Result<Price, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::prices::set_archived(&state, &actor, &id, archived == "true").await)
}
