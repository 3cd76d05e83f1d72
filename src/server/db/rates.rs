//! SQL for the rates of offers, always within one tenant and environment.
use super::Scoped;
use super::record::one;
use super::row::{self, impl_record, stamped};
use crate::model::{PriceInterval, Rate};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, offer_id, name, currency, billing_interval, price_ids, product_ids, self_service, status, environment, created_at, updated_at";

impl_record!(Rate, "rates", COLS, rate);

fn rate(r: &AnyRow) -> Result<Rate, sqlx::Error> {
    let interval = r.try_get::<Option<String>, _>("billing_interval")?.as_deref().and_then(PriceInterval::parse);
    stamped!(r => Rate { id, offer_id, name, currency;
        interval: interval,
        price_ids: row::json(r, "price_ids")?,
        product_ids: row::json(r, "product_ids")?,
        self_service: r.try_get::<i64, _>("self_service")? != 0,
        status: row::status(r)? })
}

/// A rate's stored fields.
pub struct RateRow<'a> {
    pub name: &'a str,
    pub currency: &'a str,
    pub interval: Option<PriceInterval>,
    pub price_ids: &'a [String],
    pub product_ids: &'a [String],
    pub self_service: bool,
    pub status: &'a str,
}

/// Binds a rate's fields in their column order (`$5`…`$11` of both statements).
fn bind_row<'q>(q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>, r: &RateRow<'q>) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(r.name)
        .bind(r.currency)
        .bind(r.interval.map(|i| i.as_str().to_string()))
        .bind(serde_json::to_string(r.price_ids).unwrap_or_default())
        .bind(serde_json::to_string(r.product_ids).unwrap_or_default())
        .bind(i64::from(r.self_service))
        .bind(r.status)
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    offer_id: &str,
    r: &RateRow<'_>,
    now: i64,
) -> Result<Rate, sqlx::Error> {
    let sql = format!(
        "INSERT INTO rates (id, tenant_id, environment, offer_id, name, currency, billing_interval, price_ids, product_ids, self_service, status, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {COLS}"
    );
    one(bind_row(super::scoped(scope, &sql).bind(id).bind(offer_id), r).bind(now), ex).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Replaces the rate's fields; `None` when the offer has no such rate in the scope.
pub async fn update<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    offer_id: &str,
    id: &str,
    r: &RateRow<'_>,
    now: i64,
) -> Result<Option<Rate>, sqlx::Error> {
    let sql = format!(
        "UPDATE rates SET name = $5, currency = $6, billing_interval = $7, price_ids = $8, product_ids = $9, self_service = $10, status = $11, updated_at = $12 \
         WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND id = $4 RETURNING {COLS}"
    );
    one(bind_row(super::scoped(scope, &sql).bind(offer_id).bind(id), r).bind(now), ex).await
}

/// The rate `id` of the offer.
pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, offer_id: &str, id: &str) -> Result<Option<Rate>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM rates WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND id = $4");
    one(super::scoped(scope, &sql).bind(offer_id).bind(id), ex).await
}

/// One page of the offer's rates, newest first.
pub async fn page<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    offer_id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Rate>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM rates WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND {after} ORDER BY id DESC LIMIT $5",
        after = super::after_cursor("rates", "rates", 4, super::Keyset::Id, "AND k.offer_id = $3")
    );
    let rows = super::scoped(scope, &sql).bind(offer_id).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(rate).collect::<Result<Vec<_>, _>>()?, limit))
}

pub async fn count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, offer_id: &str) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM rates WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3")
        .bind(offer_id)
        .fetch_one(ex)
        .await?
        .try_get(0)
}
