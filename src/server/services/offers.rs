//! Offers: a redemption method, one or more catalogue prices in one currency, a presentation,
//! instructions merged over the generated Checkout parameters, a validity window and an audience;
//! and its stats. The API takes RFC 3339 times; the dashboard's form (all text, times in the
//! tenant's time zone) goes through [`create_from_form`] and [`update_from_form`].
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    Audience, MethodSchema, Offer, OfferCreate, OfferDetail, OfferFormData, OfferPresentation, OfferStats, OfferUpdate, Page, Price, PriceOption,
    ProductStatus, RedemptionMethod,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::clock::instant_param;
use crate::server::db::{self, Scoped, audit, new_id};
use crate::server::services::records::page_limit;
use crate::server::services::{methods, prices, products, settings};
use crate::server::tz;
use crate::server_fns::offers::OfferForm;
use serde_json::{Value, json};

fn parse_instant(field: &str, v: Option<&str>, e: &mut FieldErrors) -> Option<i64> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    let ms = db::rfc3339_to_ms(v);
    if ms.is_none() {
        e.add(field, "must be an RFC 3339 time like 2026-12-01T00:00:00Z");
    }
    ms
}

struct Checked {
    name: String,
    method: RedemptionMethod,
    prices: Vec<Price>,
    presentation: OfferPresentation,
    instructions: Value,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    audience: crate::model::Audience,
    campaign: Option<String>,
}

/// At most this many prices per offer (one line item each).
pub const MAX_PRICES: usize = 20;

async fn check(tx: &mut sqlx::Transaction<'_, sqlx::Any>, scope: &Scoped, input: OfferCreate) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        e.add("name", "is required (200 characters at most)");
    }
    let method = db::record::get::<crate::model::RedemptionMethod, _>(&mut **tx, scope, input.redemption_method_id.trim()).await?;
    match &method {
        None => e.add("redemptionMethodId", "no such redemption method in this environment"),
        Some(m) if m.status == ProductStatus::Archived => e.add("redemptionMethodId", "the redemption method is archived"),
        _ => {}
    }
    let mut prices = Vec::new();
    if input.price_ids.is_empty() {
        e.add("priceIds", "needs at least one catalogue price");
    }
    if input.price_ids.len() > MAX_PRICES {
        return Err(AppError::field("priceIds", format!("at most {MAX_PRICES} prices per offer")));
    }
    let mut seen = std::collections::HashSet::new();
    for id in &input.price_ids {
        if !seen.insert(id.as_str()) {
            e.add("priceIds", format!("lists {id} twice"));
            continue;
        }
        match db::record::get::<crate::model::Price, _>(&mut **tx, scope, id.trim()).await? {
            None => e.add("priceIds", format!("{id} is not a price in this environment")),
            Some(p) if p.status == ProductStatus::Archived => e.add("priceIds", format!("{id} is archived")),
            Some(p) => prices.push(p),
        }
    }
    if let Some(first) = prices.first()
        && prices.iter().any(|p| p.currency != first.currency)
    {
        e.add("priceIds", "all prices of an offer must be in one currency");
    }
    let title = input.presentation.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        e.add("presentation.title", "is required (200 characters at most)");
    }
    let instructions = match input.instructions {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v,
        Some(_) => {
            e.add("instructions", "must be a JSON object, e.g. {\"allow_promotion_codes\": true}");
            json!({})
        }
    };
    let valid_from = parse_instant("validFrom", input.valid_from.as_deref(), &mut e);
    let valid_until = parse_instant("validUntil", input.valid_until.as_deref(), &mut e);
    if let (Some(f), Some(u)) = (valid_from, valid_until)
        && f >= u
    {
        e.add("validUntil", "must be after validFrom");
    }
    let campaign = input.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if campaign.as_deref().is_some_and(|c| c.chars().count() > crate::model::CAMPAIGN_MAX) {
        e.add("campaign", format!("must be at most {} characters", crate::model::CAMPAIGN_MAX));
    }
    e.into_result()?;
    let price_label =
        input.presentation.price.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).or_else(|| prices.first().map(|p| p.display.clone()));
    let presentation =
        OfferPresentation { title, price: price_label, description: input.presentation.description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()) };
    Ok(Checked {
        name,
        method: method.ok_or_else(AppError::internal)?,
        prices,
        presentation,
        instructions,
        valid_from,
        valid_until,
        audience: input.audience.unwrap_or_default(),
        campaign,
    })
}

async fn store(state: &AppState, actor: &Actor, scope: &Scoped, id: &str, c: Checked, is_new: bool) -> AppResult<Offer> {
    let row_presentation = serde_json::to_string(&c.presentation).map_err(|e| crate::server::internal("offer json", e))?;
    let row_instructions = c.instructions.to_string();
    let row = db::offers::OfferRow {
        id,
        name: &c.name,
        method_id: &c.method.id,
        presentation: &row_presentation,
        instructions: &row_instructions,
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        audience: c.audience,
        campaign: c.campaign.as_deref(),
        now: state.clock.now_ms(),
    };
    let mut tx = state.db.begin_write().await?;
    if is_new {
        db::offers::insert(&mut *tx, scope, &row).await?;
    } else if !db::offers::update(&mut *tx, scope, &row).await? {
        return Err(AppError::not_found("offer"));
    }
    let ids: Vec<String> = c.prices.iter().map(|p| p.id.clone()).collect();
    db::offers::set_prices(&mut tx, scope, id, &ids).await?;
    let action = if is_new { "offer.created" } else { "offer.updated" };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "offer", id), state.clock.now_ms()).await?;
    let offer = db::offers::get(&mut tx, scope, id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(offer)
}

pub async fn create(state: &AppState, actor: &Actor, input: OfferCreate) -> AppResult<Offer> {
    let scope = super::versions::config_scope(state, actor).await?.clone();
    let mut tx = state.db.begin_write().await?;
    let checked = check(&mut tx, &scope, input).await?;
    tx.rollback().await?;
    store(state, actor, &scope, &new_id("off"), checked, true).await
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: OfferUpdate) -> AppResult<Offer> {
    let scope = super::versions::config_scope(state, actor).await?.clone();
    let current = get(state, actor, id).await?;
    let merged = OfferCreate {
        name: input.name.unwrap_or(current.name),
        redemption_method_id: input.redemption_method_id.unwrap_or(current.redemption_method_id),
        price_ids: input.price_ids.unwrap_or(current.price_ids),
        presentation: input.presentation.unwrap_or(current.presentation),
        instructions: Some(input.instructions.unwrap_or(current.instructions)),
        valid_from: input.valid_from.or(current.valid_from),
        valid_until: input.valid_until.or(current.valid_until),
        audience: Some(input.audience.unwrap_or(current.audience)),
        campaign: input.campaign.or(current.campaign),
    };
    let mut tx = state.db.begin_write().await?;
    let checked = check(&mut tx, &scope, merged).await?;
    tx.rollback().await?;
    store(state, actor, &scope, id, checked, false).await
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Offer> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let mut conn = state.db.pool.acquire().await?;
    db::offers::get(&mut conn, scope, id).await?.ok_or_else(|| AppError::not_found("offer"))
}

pub async fn list(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<Offer>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = page_limit(limit)?;
    let mut conn = state.db.pool.acquire().await?;
    let (data, has_more) = db::offers::list(&mut conn, scope, starting_after.filter(|s| !s.is_empty()), limit).await?;
    Ok(Page { data, has_more })
}

pub async fn set_archived(state: &AppState, actor: &Actor, id: &str, archived: bool) -> AppResult<Offer> {
    let scope = super::versions::config_scope(state, actor).await?;
    let status = if archived { ProductStatus::Archived } else { ProductStatus::Active };
    let mut tx = state.db.begin_write().await?;
    if !db::offers::set_status(&mut *tx, scope, id, status, state.clock.now_ms()).await? {
        return Err(AppError::not_found("offer"));
    }
    let action = if archived { "offer.archived" } else { "offer.restored" };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "offer", id), state.clock.now_ms()).await?;
    let offer = db::offers::get(&mut tx, scope, id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(offer)
}

/// The `offer` object a workflow receives (API.md §7). For the Stripe Checkout schema the
/// instructions are Checkout Session parameters built from the prices, with the offer's own
/// instructions merged over them.
/// The offer as its workflow will see it, for the offer page (the token is a placeholder).
pub async fn workflow_preview(state: &AppState, actor: &Actor, offer: &Offer, method: &RedemptionMethod) -> AppResult<Value> {
    let scope = actor.authorize(Permission::TenantRead)?;
    workflow_offer(state, scope, offer, method, "<offer token, minted at decision time>").await
}

pub async fn workflow_offer(state: &AppState, scope: &Scoped, offer: &Offer, method: &RedemptionMethod, token: &str) -> AppResult<Value> {
    let mut prices = Vec::new();
    for id in &offer.price_ids {
        if let Some(p) = db::record::get::<crate::model::Price, _>(&state.db.pool, scope, id).await? {
            prices.push(p);
        }
    }
    let mut obj = build_offer_object(offer, method.schema, &prices, token);
    // The workflow also sees the catalogue prices (for `integrations.offerdeck.checkoutSessions`).
    obj["prices"] = prices
        .iter()
        .map(|p| json!({"id": p.id, "productId": p.product_id, "currency": p.currency, "unitAmount": p.unit_amount, "interval": p.interval, "stripePriceId": p.stripe_price_id}))
        .collect();
    Ok(obj)
}

pub fn build_offer_object(offer: &Offer, schema: MethodSchema, prices: &[Price], token: &str) -> Value {
    let mut instructions = match schema {
        MethodSchema::StripeCheckout => {
            let recurring = prices.iter().any(|p| p.interval.is_some());
            json!({
                "mode": if recurring { "subscription" } else { "payment" },
                "line_items": prices.iter().map(|p| json!({"price": p.stripe_price_id, "quantity": 1})).collect::<Vec<_>>(),
            })
        }
        MethodSchema::Custom => json!({}),
    };
    if let (Some(base), Some(extra)) = (instructions.as_object_mut(), offer.instructions.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    json!({
        "id": offer.id,
        "token": token,
        "presentation": offer.presentation,
        "redemptionSchema": schema.redemption_schema(),
        "redemption": { "instructions": instructions },
    })
}

/// Impressions, redemptions and conversion of one offer in `[from_ms, to_ms)`. Marketers may
/// read it. Decisions still queued in the recorder are not counted yet.
pub async fn stats(state: &AppState, actor: &Actor, id: &str, from_ms: i64, to_ms: i64) -> AppResult<OfferStats> {
    let scope = actor.authorize(Permission::TenantRead)?;
    if to_ms <= from_ms {
        return Err(AppError::field("to", "must be after from"));
    }
    let mut conn = state.db.pool.acquire().await?;
    db::offers::get(&mut conn, scope, id).await?.ok_or_else(|| AppError::not_found("offer"))?;
    let (impressions, redemptions, redeemers) = db::impressions::offer_counts(&mut *conn, scope, id, from_ms, to_ms).await?;
    Ok(OfferStats {
        offer_id: id.to_string(),
        from: db::ms_to_rfc3339(from_ms),
        to: db::ms_to_rfc3339(to_ms),
        impressions,
        redemptions,
        redeemers,
        conversion: if impressions > 0 { redemptions as f64 / impressions as f64 } else { 0.0 },
    })
}

/// [`stats`] between RFC 3339 bounds (`/api/v1/offers/{id}/stats`): `to` defaults to now and
/// `from` to 30 days before `to`.
pub async fn stats_between(state: &AppState, actor: &Actor, id: &str, from: Option<&str>, to: Option<&str>) -> AppResult<OfferStats> {
    let to = instant_param("to", to)?.unwrap_or_else(|| state.clock.now_ms());
    let from = instant_param("from", from)?.unwrap_or(to - 30 * 24 * 3600 * 1000);
    stats(state, actor, id, from, to).await
}

/// [`stats`] over the last `days` days (1 to 366) up to now, for the offer page.
pub async fn stats_last_days(state: &AppState, actor: &Actor, id: &str, days: i64) -> AppResult<OfferStats> {
    let days = days.clamp(1, 366);
    let to = state.clock.now_ms();
    stats(state, actor, id, to - days * 86_400_000, to).await
}

/// The offer form as typed → an [`OfferCreate`]: blank instructions are none, otherwise JSON;
/// the validity bounds are local times in `tz` (blank: no bound); the audience is named.
/// Every problem is reported at once, under the form's field names.
pub fn parse_form(form: OfferForm, tz: &str) -> AppResult<OfferCreate> {
    let mut e = FieldErrors::new();
    let instructions = match form.instructions.trim() {
        "" => None,
        text => match serde_json::from_str::<Value>(text) {
            Ok(v) => Some(v),
            Err(err) => {
                e.add("instructions", format!("is not valid JSON: {err}"));
                None
            }
        },
    };
    let valid_from = tz::local_field(&mut e, "validFrom", &form.valid_from, tz);
    let valid_until = tz::local_field(&mut e, "validUntil", &form.valid_until, tz);
    let audience = Audience::parse(&form.audience);
    if audience.is_none() {
        e.add("audience", "must be all, anonymous or authenticated");
    }
    e.into_result()?;
    Ok(OfferCreate {
        name: form.name,
        redemption_method_id: form.method_id,
        price_ids: form.price_ids.unwrap_or_default(),
        presentation: OfferPresentation { title: form.title, price: Some(form.price_label), description: Some(form.description) },
        instructions,
        valid_from,
        valid_until,
        audience,
        campaign: Some(form.campaign),
    })
}

/// Creates an offer from the dashboard's form (times in the tenant's time zone).
pub async fn create_from_form(state: &AppState, actor: &Actor, form: OfferForm) -> AppResult<Offer> {
    let input = parse_form(form, &settings::time_zone(state, actor).await?)?;
    create(state, actor, input).await
}

/// Replaces the offer with the dashboard's form: every field is set, and a blank instruction
/// or bound clears it.
pub async fn update_from_form(state: &AppState, actor: &Actor, id: &str, form: OfferForm) -> AppResult<Offer> {
    let c = parse_form(form, &settings::time_zone(state, actor).await?)?;
    let clear = |v: Option<String>| Some(v.unwrap_or_default());
    let input = OfferUpdate {
        name: Some(c.name),
        redemption_method_id: Some(c.redemption_method_id),
        price_ids: Some(c.price_ids),
        presentation: Some(c.presentation),
        instructions: Some(c.instructions.unwrap_or(json!({}))),
        valid_from: clear(c.valid_from),
        valid_until: clear(c.valid_until),
        audience: c.audience,
        campaign: clear(c.campaign),
    };
    update(state, actor, id, input).await
}

/// The offer form's choices: active methods, active prices labelled with their product, and the
/// time zone its times are typed in.
pub async fn form_data(state: &AppState, actor: &Actor) -> AppResult<OfferFormData> {
    let time_zone = settings::time_zone(state, actor).await?;
    let methods =
        methods::list(state, actor, None, Some(100)).await?.data.into_iter().filter(|m| m.status == ProductStatus::Active).map(|m| (m.id, m.name)).collect();
    let products = products::list(state, actor, products::ListParams { limit: Some(100), ..Default::default() }).await?.data;
    let prices = prices::list(state, actor, None, None, Some(100))
        .await?
        .data
        .into_iter()
        .filter(|p| p.status == ProductStatus::Active)
        .map(|p| {
            let product = products.iter().find(|x| x.id == p.product_id).map(|x| x.name.clone()).unwrap_or_default();
            let every = p.interval.map(|i| format!(" / {}", i.as_str())).unwrap_or_default();
            PriceOption { label: format!("{product} — {}{every} ({})", p.display, p.stripe_price_id), id: p.id }
        })
        .collect();
    Ok(OfferFormData { methods, prices, time_zone })
}

/// The offer page: the offer, its window in the tenant's time zone, the form's choices and the
/// object its workflow receives.
pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<OfferDetail> {
    let offer = get(state, actor, id).await?;
    let form = form_data(state, actor).await?;
    let method = methods::get(state, actor, &offer.redemption_method_id).await?;
    let object = workflow_preview(state, actor, &offer, &method).await?;
    let local = |v: &Option<String>| v.as_deref().map(|s| tz::rfc3339_to_local(s, &form.time_zone)).unwrap_or_default();
    Ok(OfferDetail {
        valid_from_local: local(&offer.valid_from),
        valid_until_local: local(&offer.valid_until),
        workflow_object: serde_json::to_string_pretty(&object).unwrap_or_default(),
        offer,
        form,
    })
}
