//! SQL for catalogue prices, always within one tenant and environment.
use super::Scoped;
use super::record::one;
use super::row::{self, impl_record, stamped};
use crate::model::{Price, PriceInterval, format_amount};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str =
    "id, product_id, currency, unit_amount, billing_interval, stripe_price_id, live_stripe_price_id, status, environment, created_at, updated_at";

impl_record!(Price, "prices", COLS, price);

fn price(r: &AnyRow) -> Result<Price, sqlx::Error> {
    let (currency, unit_amount): (String, i64) = (r.try_get("currency")?, r.try_get("unit_amount")?);
    let interval = r.try_get::<Option<String>, _>("billing_interval")?.as_deref().and_then(PriceInterval::parse);
    stamped!(r => Price { id, product_id, stripe_price_id, live_stripe_price_id;
        display: format_amount(unit_amount, &currency), currency: currency, unit_amount: unit_amount, interval: interval, status: row::status(r)? })
}

pub struct NewPrice<'a> {
    pub id: &'a str,
    pub product_id: &'a str,
    pub currency: &'a str,
    pub unit_amount: i64,
    pub interval: Option<PriceInterval>,
    pub stripe_price_id: &'a str,
    pub live_stripe_price_id: Option<&'a str>,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, p: NewPrice<'_>) -> Result<Price, sqlx::Error> {
    let sql = format!(
        "INSERT INTO prices (id, tenant_id, environment, product_id, currency, unit_amount, billing_interval, stripe_price_id, live_stripe_price_id, status, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, 'active', $10, $10) RETURNING {COLS}"
    );
    let q = super::scoped(scope, &sql)
        .bind(p.id)
        .bind(p.product_id)
        .bind(p.currency)
        .bind(p.unit_amount)
        .bind(p.interval.map(|i| i.as_str().to_string()))
        .bind(p.stripe_price_id)
        .bind(p.live_stripe_price_id.map(str::to_string))
        .bind(p.now);
    one(q, ex).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Newest first; optionally only one product's prices.
pub async fn list<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    product_id: Option<&str>,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Price>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM prices WHERE tenant_id = $1 AND environment = $2 \
         AND ($3 IS NULL OR product_id = $3) AND {after} ORDER BY id DESC LIMIT $5",
        after = super::after_cursor("prices", "prices", 4, super::Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql).bind(product_id.map(str::to_string)).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(price).collect::<Result<Vec<_>, _>>()?, limit))
}

/// Points the price at another Stripe price and answers it; `None` when the scope has no such row.
pub async fn set_stripe_price_id<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    stripe_price_id: &str,
    now: i64,
) -> Result<Option<Price>, sqlx::Error> {
    let sql = format!("UPDATE prices SET stripe_price_id = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 RETURNING {COLS}");
    one(super::scoped(scope, &sql).bind(stripe_price_id).bind(now).bind(id), ex).await
}

/// Sets (or with `None` forgets) the live Stripe price of a preview price and answers it.
pub async fn set_live_stripe_price_id<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    live: Option<&str>,
    now: i64,
) -> Result<Option<Price>, sqlx::Error> {
    let sql = format!("UPDATE prices SET live_stripe_price_id = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 RETURNING {COLS}");
    one(super::scoped(scope, &sql).bind(live.map(str::to_string)).bind(now).bind(id), ex).await
}
