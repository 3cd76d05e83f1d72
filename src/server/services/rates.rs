//! Rates of an offer (API.md §12): create, change, read. A rate's prices must be the offer's
//! own, active, one per product, all of one currency and interval; an offer has at most 50.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Page, Price, ProductStatus, RATE_NAME_MAX, RATE_PRICES_MAX, Rate, RateCreate, RateUpdate};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit, new_id, rates as rdb};
use crate::server::services::{offers, records};

/// The most rates one offer holds.
pub const MAX_RATES: i64 = 50;

/// The prices of a rate, checked against the offer: (prices, products), in the given order.
async fn checked_prices(state: &AppState, scope: &Scoped, offer_price_ids: &[String], ids: &[String], e: &mut FieldErrors) -> AppResult<Vec<Price>> {
    if ids.is_empty() || ids.len() > RATE_PRICES_MAX {
        e.add("priceIds", format!("must list 1 to {RATE_PRICES_MAX} prices"));
        return Ok(Vec::new());
    }
    let mut prices: Vec<Price> = Vec::new();
    for id in ids {
        if !offer_price_ids.contains(id) {
            e.add("priceIds", format!("{} is not a price of this offer", id.chars().take(64).collect::<String>()));
            return Ok(Vec::new());
        }
        match db::record::get::<Price, _>(&state.db.pool, scope, id).await? {
            Some(p) if p.status == ProductStatus::Active => prices.push(p),
            _ => {
                e.add("priceIds", format!("{id} is archived"));
                return Ok(Vec::new());
            }
        }
    }
    let first = &prices[0];
    if prices.iter().any(|p| p.currency != first.currency || p.interval != first.interval) {
        e.add("priceIds", "must all have one currency and one billing interval");
    }
    let mut products: Vec<&str> = prices.iter().map(|p| p.product_id.as_str()).collect();
    products.sort_unstable();
    if products.windows(2).any(|w| w[0] == w[1]) {
        e.add("priceIds", "must have one price per product");
    }
    Ok(prices)
}

fn check_name(name: &str, e: &mut FieldErrors) {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > RATE_NAME_MAX {
        e.add("name", format!("must be 1 to {RATE_NAME_MAX} characters"));
    }
}

/// What a rate is stored with.
struct Stored<'a> {
    name: &'a str,
    prices: &'a [Price],
    self_service: bool,
    status: ProductStatus,
}

async fn store(state: &AppState, actor: &Actor, offer_id: &str, existing: Option<&Rate>, r: Stored<'_>) -> AppResult<Rate> {
    let scope = super::versions::config_scope(state, actor).await?;
    let Stored { name, prices, self_service, status } = r;
    let price_ids: Vec<String> = prices.iter().map(|p| p.id.clone()).collect();
    let product_ids: Vec<String> = prices.iter().map(|p| p.product_id.clone()).collect();
    let row = rdb::RateRow {
        name: name.trim(),
        currency: &prices[0].currency,
        interval: prices[0].interval,
        price_ids: &price_ids,
        product_ids: &product_ids,
        self_service,
        status: status.as_str(),
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (rate, what) = match existing {
        Some(r) => (rdb::update(&mut *tx, scope, offer_id, &r.id, &row, now).await?.ok_or_else(|| AppError::not_found("rate"))?, "rate.updated"),
        None => {
            if rdb::count(&mut *tx, scope, offer_id).await? >= MAX_RATES {
                return Err(AppError::conflict(format!("this offer already has {MAX_RATES} rates, the most allowed")));
            }
            (rdb::insert(&mut *tx, scope, &new_id("rate"), offer_id, &row, now).await?, "rate.created")
        }
    };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), what, "rate", &rate.id).details(rate.name.clone()), now).await?;
    tx.commit().await?;
    Ok(rate)
}

pub async fn create(state: &AppState, actor: &Actor, offer_id: &str, input: RateCreate) -> AppResult<Rate> {
    let scope = super::versions::config_scope(state, actor).await?;
    let offer = offers::get(state, actor, offer_id).await?;
    let mut e = FieldErrors::new();
    check_name(&input.name, &mut e);
    let prices = checked_prices(state, scope, &offer.price_ids, &input.price_ids, &mut e).await?;
    e.into_result()?;
    let stored = Stored { name: &input.name, prices: &prices, self_service: input.self_service.unwrap_or(true), status: ProductStatus::Active };
    store(state, actor, &offer.id, None, stored).await
}

pub async fn update(state: &AppState, actor: &Actor, offer_id: &str, id: &str, input: RateUpdate) -> AppResult<Rate> {
    let scope = super::versions::config_scope(state, actor).await?;
    let offer = offers::get(state, actor, offer_id).await?;
    let rate = get(state, actor, offer_id, id).await?;
    let mut e = FieldErrors::new();
    let name = input.name.unwrap_or_else(|| rate.name.clone());
    check_name(&name, &mut e);
    let ids = input.price_ids.unwrap_or_else(|| rate.price_ids.clone());
    let prices = checked_prices(state, scope, &offer.price_ids, &ids, &mut e).await?;
    e.into_result()?;
    let status = input.status.unwrap_or(rate.status);
    let stored = Stored { name: &name, prices: &prices, self_service: input.self_service.unwrap_or(rate.self_service), status };
    store(state, actor, &offer.id, Some(&rate), stored).await
}

pub async fn get(state: &AppState, actor: &Actor, offer_id: &str, id: &str) -> AppResult<Rate> {
    let scope = actor.authorize(Permission::TenantRead)?;
    rdb::get(&state.db.pool, scope, offer_id, id).await?.ok_or_else(|| AppError::not_found("rate"))
}

/// The offer's rates, newest first (404 for an offer that is not there).
pub async fn page(state: &AppState, actor: &Actor, offer_id: &str, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<Rate>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = records::page_limit(limit)?;
    offers::get(state, actor, offer_id).await?;
    let (data, has_more) = rdb::page(&state.db.pool, scope, offer_id, records::cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}

/// The offer page's rates and the form's: name, the ticked prices, self-service.
pub async fn create_from_form(state: &AppState, actor: &Actor, offer_id: &str, name: String, price_ids: Vec<String>, self_service: bool) -> AppResult<Rate> {
    create(state, actor, offer_id, RateCreate { name, price_ids, self_service: Some(self_service) }).await
}
