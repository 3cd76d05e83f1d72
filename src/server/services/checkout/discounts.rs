//! Server-side discounts on a checkout session (API.md §11, Stripe's "dynamically update
//! discounts"): `apply-discount-code`, `recompute-discounts` and `remove-discount`. Each one
//! re-reads the session from Stripe (the caller's amounts are never trusted), allows at most one
//! discount, updates the session in Stripe with the beta version header, and records the
//! application. A code is reserved like at creation; the discount it replaces is released.
use super::{row_of, view};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::{CheckoutStatus, DiscountOutcome, DiscountRequest, DiscountUpdates, normalize_code};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{Scoped, checkout as kdb, coupons as cdb, discounts as ddb};
use crate::server::services::{coupons, discounts, integrations};
use crate::server::stripe::CHECKOUT_SERVER_UPDATE_VERSION;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// What the caller asks for.
pub enum Change {
    Code(String),
    Recompute,
    Remove,
}

/// The scope, after the key and (for a publishable key) the session's client secret passed.
async fn authorize<'a>(state: &AppState, actor: &'a Actor, id: &str, client_secret: Option<&str>) -> AppResult<(&'a Scoped, kdb::CheckoutRow)> {
    let publishable = actor.is_publishable();
    let scope = if publishable { actor.authorize(Permission::Runtime)? } else { actor.authorize(Permission::TenantWrite)? };
    let row = row_of(state, scope, id).await?;
    let stored = view(state, scope, row.clone()).await?.client_secret;
    let matches = match (client_secret, stored.as_deref()) {
        (Some(given), Some(real)) => bool::from(given.as_bytes().ct_eq(real.as_bytes())),
        _ => false,
    };
    // A secret key needs no client secret; one it sends must still be right.
    if (publishable || client_secret.is_some()) && !matches {
        return Err(AppError::new(ErrorCode::Forbidden, "the clientSecret does not belong to this checkout session"));
    }
    if row.session.discount_updates != DiscountUpdates::ServerOnly {
        return Err(AppError::conflict("this session was not created with discountUpdates \"server_only\": Stripe owns its discounts"));
    }
    if row.session.status != CheckoutStatus::Pending {
        return Err(AppError::conflict(format!("this checkout session is {}; its discounts can no longer change", row.session.status.as_str())));
    }
    if let Err(wait) = state.limits.check_discount(scope, id) {
        return Err(AppError::retry_after(format!("too many discount changes on this session; try again in {wait} s"), wait));
    }
    Ok((scope, row))
}

/// The session as Stripe has it now: its subtotal, checked to carry at most one discount.
async fn reread(state: &AppState, key: &str, stripe_id: &str) -> AppResult<i64> {
    let res = state
        .stripe
        .request_as(key, "GET", &format!("/v1/checkout/sessions/{stripe_id}"), None, None, CHECKOUT_SERVER_UPDATE_VERSION)
        .await
        .map_err(|u| AppError::stripe(u.0))?;
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe could not read the checkout session: {}", res.error_message())));
    }
    if res.data.get("status").and_then(Value::as_str) != Some("open") {
        return Err(AppError::conflict("Stripe says this checkout session is no longer open"));
    }
    if res.data.get("discounts").and_then(Value::as_array).is_some_and(|d| d.len() > 1) {
        return Err(AppError::validation("the session carries more than one discount; a checkout session takes at most one"));
    }
    res.data.get("amount_subtotal").and_then(Value::as_i64).ok_or_else(|| AppError::stripe("Stripe's session has no amount_subtotal"))
}

/// The new discount, decided: Stripe's `discounts` form, and what the session records.
struct Decided {
    discounts: Value,
    source: Option<&'static str>,
    code: Option<String>,
    rule_id: Option<String>,
    /// The coupon newly reserved for this session (released again if Stripe refuses).
    reserved: Option<String>,
}

async fn decide(state: &AppState, scope: &Scoped, row: &kdb::CheckoutRow, change: Change, subtotal: i64) -> AppResult<Decided> {
    let none = Decided { discounts: json!(""), source: None, code: None, rule_id: None, reserved: None };
    match change {
        Change::Remove => Ok(none),
        Change::Recompute => {
            let s = &row.session;
            let session =
                json!({"id": s.id, "productId": s.product_id, "priceId": s.price_id, "units": s.units, "metadata": s.metadata, "requestId": s.request_id});
            let customer = s.customer.stripe_customer_id.as_deref();
            let cart = discounts::Cart { subtotal, currency: &s.currency, customer_id: customer, email: s.customer.email.as_deref(), session };
            let Some(d) = discounts::evaluate(state, scope, &cart).await?.0 else { return Ok(none) };
            let data = json!({"name": d.name.chars().take(40).collect::<String>(), "amount_off": d.amount_off, "currency": s.currency});
            Ok(Decided { discounts: json!([{"coupon_data": data}]), source: Some("rule"), code: None, rule_id: Some(d.rule_id), reserved: None })
        }
        Change::Code(code) => {
            let code = normalize_code(&code);
            if code.is_empty() {
                return Err(AppError::field("code", "is required"));
            }
            let same = row.session.discount_code.as_deref() == Some(code.as_str()) && row.reserved;
            let now = state.clock.now_ms();
            let (coupon_id, stripe_id, reserved) = if same {
                let c = cdb::get_by_code(&state.db.pool, scope, &code, now).await?.ok_or_else(coupons::invalid_or_expired)?.coupon;
                (c.id, c.stripe_coupon_id, None)
            } else {
                let mut tx = state.db.begin_write().await?;
                let held = coupons::reserve(&mut tx, scope, &code, row.session.customer.stripe_customer_id.as_deref(), now).await;
                let (id, stripe_id) = match held {
                    Ok(h) => (h.coupon.id, h.coupon.stripe_coupon_id),
                    Err(e) => {
                        tx.rollback().await?;
                        return Err(e);
                    }
                };
                tx.commit().await?;
                (id.clone(), stripe_id, Some(id))
            };
            let _ = coupon_id;
            Ok(Decided { discounts: json!([{"coupon": stripe_id}]), source: Some("code"), code: Some(code), rule_id: None, reserved })
        }
    }
}

/// Gives back a use reserved for `session` that it will not keep.
async fn unreserve(state: &AppState, scope: &Scoped, coupon_id: &str, customer: Option<&str>) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    cdb::end_reservation(&mut *tx, scope, coupon_id, false, now).await?;
    if let Some(c) = customer {
        cdb::give_back_customer_use(&mut *tx, scope, coupon_id, c).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One of the three endpoints: the session after the change, as the seed's client expects it.
pub async fn change(state: &AppState, actor: &Actor, id: &str, req: DiscountRequest, change: Change) -> AppResult<DiscountOutcome> {
    let (scope, row) = authorize(state, actor, id, req.client_secret.as_deref()).await?;
    let stripe_id = row.session.stripe_checkout_session_id.clone().ok_or_else(|| AppError::conflict("the session is not open in Stripe"))?;
    let key = integrations::secret_key(state, scope).await?;
    let subtotal = reread(state, &key, &stripe_id).await?;
    let before = row.session.amount_total;
    let decided = decide(state, scope, &row, change, subtotal).await?;
    let customer = row.session.customer.stripe_customer_id.clone();
    let body = json!({"discounts": decided.discounts});
    let answer = state.stripe.request_as(&key, "POST", &format!("/v1/checkout/sessions/{stripe_id}"), Some(&body), None, CHECKOUT_SERVER_UPDATE_VERSION).await;
    let res = match answer {
        Ok(r) if r.ok() => r,
        failed => {
            if let Some(c) = &decided.reserved {
                unreserve(state, scope, c, customer.as_deref()).await?;
            }
            return Err(match failed {
                Ok(r) => AppError::stripe(format!("Stripe refused the discount: {}", r.error_message())),
                Err(u) => AppError::stripe(u.0),
            });
        }
    };
    let int = |p: &str| res.data.pointer(p).and_then(Value::as_i64);
    let (sub, off, total) = (int("/amount_subtotal").unwrap_or(subtotal), int("/total_details/amount_discount").unwrap_or(0), int("/amount_total"));
    let total = total.unwrap_or(sub - off);
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The coupon the session held before, unless it keeps it.
    let kept = decided.reserved.is_none() && decided.source == Some("code");
    if row.reserved
        && !kept
        && let Some(old) = &row.coupon_id
        && kdb::drop_reservation(&mut *tx, scope, id, now).await?
    {
        cdb::end_reservation(&mut *tx, scope, old, false, now).await?;
        if let Some(c) = &customer {
            cdb::give_back_customer_use(&mut *tx, scope, old, c).await?;
        }
    }
    let coupon_id = match (&decided.reserved, kept) {
        (Some(c), _) => Some(c.clone()),
        (None, true) => row.coupon_id.clone(),
        _ => None,
    };
    let change = kdb::DiscountChange {
        source: decided.source,
        code: decided.code.as_deref(),
        rule_id: decided.rule_id.as_deref(),
        coupon_id: coupon_id.as_deref(),
        amount_subtotal: sub,
        amount_discount: off,
        amount_total: total,
    };
    let updated = kdb::set_discount(&mut *tx, scope, id, change, now).await?.ok_or_else(|| AppError::conflict("the session changed meanwhile; try again"))?;
    let source = decided.source.unwrap_or("removed");
    let app = ddb::Application {
        session_id: id,
        source,
        rule_id: decided.rule_id.as_deref(),
        code: decided.code.as_deref(),
        amount_before: before,
        amount_after: total,
    };
    ddb::record_application(&mut *tx, scope, app, now).await?;
    let what = match (&decided.code, &decided.rule_id) {
        (Some(c), _) => format!("code {c}"),
        (_, Some(r)) => format!("rule {r}"),
        _ => "no discount".into(),
    };
    kdb::note(&mut *tx, scope, id, "discount", &format!("{what}: total {before} → {total}"), now).await?;
    tx.commit().await?;
    Ok(DiscountOutcome { kind: "object".into(), value: json!({"succeeded": true}), checkout_session: view(state, scope, updated).await? })
}
