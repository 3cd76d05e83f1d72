//! Catalogue prices: amounts in minor units with a currency, one-off or monthly/yearly, each
//! pointing at the Stripe price that Checkout will charge.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Page, Price, PriceCreate, PriceInterval, PriceUpdate, ProductStatus, parse_major_amount, validate_stripe_price_id};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{audit, new_id, prices, record};
use crate::server::services::records::page_limit;
use crate::server_fns::prices::PriceForm;

pub async fn list(state: &AppState, actor: &Actor, product_id: Option<&str>, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<Price>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = page_limit(limit)?;
    let (data, has_more) = prices::list(&state.db.pool, scope, product_id.filter(|s| !s.is_empty()), starting_after.filter(|s| !s.is_empty()), limit).await?;
    Ok(Page { data, has_more })
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Price> {
    super::records::get(state, actor, id, "price").await
}

pub async fn create(state: &AppState, actor: &Actor, input: PriceCreate) -> AppResult<Price> {
    let scope = super::versions::config_scope(state, actor).await?;
    let input = input.normalized()?;
    if input.live_stripe_price_id.is_some() {
        preview_only(scope)?;
    }
    let mut tx = state.db.begin_write().await?;
    // The product must be this tenant's and environment's, and not archived.
    match record::get::<crate::model::Product, _>(&mut *tx, scope, &input.product_id).await? {
        None => return Err(AppError::field("productId", "no such product in this environment")),
        Some(p) if p.status == ProductStatus::Archived => return Err(AppError::field("productId", "the product is archived")),
        Some(_) => {}
    }
    let id = new_id("price");
    let price = prices::insert(
        &mut *tx,
        scope,
        prices::NewPrice {
            id: &id,
            product_id: &input.product_id,
            currency: &input.currency,
            unit_amount: input.unit_amount,
            interval: input.interval,
            stripe_price_id: &input.stripe_price_id,
            live_stripe_price_id: input.live_stripe_price_id.as_deref(),
            now: state.clock.now_ms(),
        },
    )
    .await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "price.created", "price", &id).details(input.product_id.clone()), state.clock.now_ms())
        .await?;
    tx.commit().await?;
    Ok(price)
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: PriceUpdate) -> AppResult<Price> {
    let scope = super::versions::config_scope(state, actor).await?;
    let mut tx = state.db.begin_write().await?;
    let mut price = record::get::<Price, _>(&mut *tx, scope, id).await?.ok_or_else(|| AppError::not_found("price"))?;
    if let Some(sp) = input.stripe_price_id.as_deref().map(str::trim) {
        let mut e = FieldErrors::new();
        validate_stripe_price_id(sp, &mut e);
        e.into_result()?;
        if sp != price.stripe_price_id {
            price = prices::set_stripe_price_id(&mut *tx, scope, id, sp, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("price"))?;
        }
    }
    if let Some(live) = input.live_stripe_price_id.as_deref().map(str::trim) {
        preview_only(scope)?;
        if !live.is_empty() {
            let mut e = FieldErrors::new();
            crate::model::validate_stripe_price_field(live, "liveStripePriceId", &mut e);
            e.into_result()?;
        }
        let live = Some(live).filter(|l| !l.is_empty());
        if live != price.live_stripe_price_id.as_deref() {
            price = prices::set_live_stripe_price_id(&mut *tx, scope, id, live, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("price"))?;
        }
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "price.updated", "price", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(price)
}

/// A price's live Stripe price is set in preview: a deploy gives it to the live copy.
fn preview_only(scope: &crate::server::auth::Scoped) -> AppResult<()> {
    if scope.env() == crate::model::Environment::Preview {
        Ok(())
    } else {
        Err(AppError::field("liveStripePriceId", "is set on the preview price; a deploy gives it to the live one"))
    }
}

pub async fn set_archived(state: &AppState, actor: &Actor, id: &str, archived: bool) -> AppResult<Price> {
    let scope = super::versions::config_scope(state, actor).await?;
    let status = if archived { ProductStatus::Archived } else { ProductStatus::Active };
    let mut tx = state.db.begin_write().await?;
    let price = record::set_status(&mut *tx, scope, id, status, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("price"))?;
    let action = if archived { "price.archived" } else { "price.restored" };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "price", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(price)
}

/// Creates a price from the dashboard's form: the amount typed in major units (`10.00`, its
/// problems reported as `amount`), and an empty interval for a one-off price.
pub async fn create_from_form(state: &AppState, actor: &Actor, form: PriceForm) -> AppResult<Price> {
    let currency_lc = form.currency.trim().to_lowercase();
    let mut e = FieldErrors::new();
    let unit_amount = match parse_major_amount(&form.amount, &currency_lc) {
        Ok(a) => a,
        Err(m) => {
            e.add("amount", m);
            0
        }
    };
    let interval = match form.interval.as_str() {
        "" => None,
        other => match PriceInterval::parse(other) {
            Some(i) => Some(i),
            None => {
                e.add("interval", "must be one-off, month or year");
                None
            }
        },
    };
    e.into_result()?;
    let input = PriceCreate {
        product_id: form.product_id,
        currency: form.currency,
        unit_amount,
        interval,
        stripe_price_id: form.stripe_price_id,
        live_stripe_price_id: Some(form.live_stripe_price_id),
    };
    create(state, actor, input).await.map_err(|mut err| {
        if let Some(m) = err.fields.remove("liveStripePriceId") {
            err.fields.insert("live_stripe_price_id".into(), m);
        }
        if let Some(m) = err.fields.remove("unitAmount") {
            err.fields.insert("amount".into(), m);
        }
        err
    })
}
