//! What happens to a checkout session after it is opened: completion (Stripe's
//! `checkout.session.completed` or the buyer's return hop, whichever comes first — one
//! conditional update decides, the other finds it done), expiry (Stripe's event or `/expire`),
//! and the coupon reservation each of them ends. Every webhook about the session or the
//! subscription it opened carries [`context`]: `checkoutSessionId`, `requestId`, `metadata`.
use super::view;
use crate::error::{AppError, AppResult};
use crate::model::{CheckoutSession, CheckoutStatus, CouponRedemptionSource};
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, checkout as kdb};
use crate::server::services::{coupons, integrations, redirects, webhooks};
use crate::server::{AppState, secrets};
use serde_json::{Value, json};
use sqlx::AnyConnection;

pub fn secret_context(scope: &Scoped, id: &str) -> String {
    format!("{}/{}/checkout_client_secret/{id}", scope.tenant_id(), scope.env().as_str())
}

fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// What a Stripe Checkout Session object says (creation answer, re-read or event).
pub fn facts(state: &AppState, scope: &Scoped, id: &str, obj: &Value) -> kdb::StripeFacts {
    let int = |p: &str| obj.pointer(p).and_then(Value::as_i64);
    let secret = obj.get("client_secret").and_then(Value::as_str).filter(|s| !s.is_empty());
    kdb::StripeFacts {
        stripe_checkout_session_id: id_of(obj.get("id")),
        checkout_url: obj.get("url").and_then(Value::as_str).map(str::to_string),
        client_secret_enc: secret.map(|s| secrets::encrypt(&state.config.secret_key, &secret_context(scope, id), s)),
        stripe_subscription_id: id_of(obj.get("subscription")),
        stripe_payment_intent_id: id_of(obj.get("payment_intent")),
        stripe_customer_id: id_of(obj.get("customer")),
        amount_subtotal: int("/amount_subtotal"),
        amount_discount: int("/total_details/amount_discount"),
        amount_total: int("/amount_total"),
    }
}

/// The fields every later webhook about this checkout carries.
pub fn context(s: &CheckoutSession) -> Value {
    json!({"checkoutSessionId": s.id, "requestId": s.request_id, "metadata": s.metadata})
}

/// Adds [`context`] to an event's `data`.
pub fn with_context(mut data: Value, s: &CheckoutSession) -> Value {
    if let (Some(d), Value::Object(c)) = (data.as_object_mut(), context(s)) {
        d.extend(c);
    }
    data
}

fn event_data(scope: &Scoped, s: &CheckoutSession) -> Value {
    with_context(
        json!({
            "mode": scope.env().as_str(),
            "status": s.status,
            "productId": s.product_id,
            "priceId": s.price_id,
            "units": s.units,
            "customer": s.customer,
            "discountCode": s.discount_code,
            "stripeCheckoutSessionId": s.stripe_checkout_session_id,
            "processorSubscriptionId": s.stripe_subscription_id,
            "processorCustomerId": s.customer.stripe_customer_id,
            "amountSubtotal": s.amount_subtotal,
            "amountDiscount": s.amount_discount,
            "amountTotal": s.amount_total,
            "currency": s.currency,
        }),
        s,
    )
}

/// Gives back what the session holds of its coupon (the global and the per-customer use).
async fn release(conn: &mut AnyConnection, scope: &Scoped, row: &kdb::CheckoutRow, now: i64) -> AppResult<()> {
    let (Some(coupon_id), true) = (&row.coupon_id, row.reserved) else { return Ok(()) };
    if kdb::drop_reservation(&mut *conn, scope, &row.session.id, now).await? {
        coupons::release_reservation(conn, scope, coupon_id, row.session.customer.stripe_customer_id.as_deref(), now).await?;
    }
    Ok(())
}

/// Removes a session Stripe refused to open, with its reservation.
pub async fn abandon(state: &AppState, scope: &Scoped, id: &str, why: &str) -> AppResult<()> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if let Some(row) = kdb::get(&mut *tx, scope, id).await? {
        release(&mut tx, scope, &row, now).await?;
        kdb::delete_opening(&mut *tx, scope, id).await?;
    }
    tx.commit().await?;
    tracing::info!(checkout_session = %id, reason = %why, "checkout session not opened");
    Ok(())
}

/// Turns the session's reservation into the coupon's redemption, once per (coupon,
/// subscription) — or per session in payment mode; a redemption recorded before through
/// another door releases the reservation instead.
async fn redeem(conn: &mut AnyConnection, scope: &Scoped, row: &kdb::CheckoutRow, stripe_event_id: Option<&str>, now: i64) -> AppResult<bool> {
    let (Some(coupon_id), true) = (&row.coupon_id, row.reserved) else { return Ok(false) };
    let s = &row.session;
    let key = s.stripe_subscription_id.clone().unwrap_or_else(|| s.id.clone());
    let used = coupons::ReservedUse {
        coupon_id,
        subscription_id: &key,
        customer_id: s.customer.stripe_customer_id.as_deref(),
        source: CouponRedemptionSource::Checkout,
        stripe_event_id,
        now,
    };
    let Some((coupon, redemption)) = coupons::redeem_reservation(conn, scope, used).await? else {
        release(conn, scope, row, now).await?;
        return Ok(false);
    };
    kdb::drop_reservation(&mut *conn, scope, &s.id, now).await?;
    let data = with_context(coupons::redeemed_event(scope, &coupon, &redemption), s);
    webhooks::emit(&mut *conn, scope, "coupon.redeemed", data, now).await?;
    Ok(true)
}

/// Completes the pending session `id` inside the caller's transaction: `Some` when this call
/// did (the coupon redeemed, `checkout.completed` queued), `None` when it was done already.
pub async fn complete_in(
    conn: &mut AnyConnection,
    scope: &Scoped,
    id: &str,
    facts: &kdb::StripeFacts,
    via: &str,
    stripe_event_id: Option<&str>,
    now: i64,
) -> AppResult<Option<kdb::CheckoutRow>> {
    let Some(row) = kdb::complete(&mut *conn, scope, id, facts, now).await? else { return Ok(None) };
    kdb::note(&mut *conn, scope, id, "completed", &format!("completed ({via})"), now).await?;
    crate::server::db::analytics::checkout_completed(&mut *conn, scope, id, now).await?;
    if redeem(conn, scope, &row, stripe_event_id, now).await? {
        let code = row.session.discount_code.clone().unwrap_or_default();
        kdb::note(&mut *conn, scope, id, "webhook", &format!("coupon.redeemed queued ({code})"), now).await?;
    }
    webhooks::emit(&mut *conn, scope, "checkout.completed", event_data(scope, &row.session), now).await?;
    kdb::note(&mut *conn, scope, id, "webhook", "checkout.completed queued", now).await?;
    Ok(Some(row))
}

/// Expires the open session `id` inside the caller's transaction (its reservation released,
/// `checkout.expired` queued); `None` when it was not open.
pub async fn expire_in(conn: &mut AnyConnection, scope: &Scoped, id: &str, via: &str, now: i64) -> AppResult<Option<kdb::CheckoutRow>> {
    let Some(row) = kdb::expire(&mut *conn, scope, id, now).await? else { return Ok(None) };
    release(conn, scope, &row, now).await?;
    kdb::note(&mut *conn, scope, id, "expired", &format!("expired ({via})"), now).await?;
    webhooks::emit(&mut *conn, scope, "checkout.expired", event_data(scope, &row.session), now).await?;
    kdb::note(&mut *conn, scope, id, "webhook", "checkout.expired queued", now).await?;
    Ok(Some(row))
}

/// Reads the session from Stripe: its Checkout Session object.
async fn stripe_session(state: &AppState, scope: &Scoped, stripe_id: &str) -> AppResult<Value> {
    let key = integrations::secret_key(state, scope).await?;
    let res = state.stripe.request(&key, "GET", &format!("/v1/checkout/sessions/{stripe_id}"), None, None).await.map_err(|u| AppError::stripe(u.0))?;
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe could not read the checkout session: {}", res.error_message())));
    }
    Ok(res.data)
}

/// Completes the session from Stripe's object if Stripe says it is complete (one transaction).
async fn settle(state: &AppState, scope: &Scoped, row: &kdb::CheckoutRow, obj: &Value, via: &str) -> AppResult<bool> {
    if obj.get("status").and_then(Value::as_str) != Some("complete") {
        return Ok(false);
    }
    let f = facts(state, scope, &row.session.id, obj);
    let mut tx = state.db.begin_write().await?;
    let done = complete_in(&mut tx, scope, &row.session.id, &f, via, None, state.clock.now_ms()).await?.is_some();
    tx.commit().await?;
    if done {
        state.webhooks.kick();
    }
    Ok(true)
}

/// `POST /api/v1/checkout-sessions/{id}/expire`: expires the session in Stripe and here. 409
/// once completed (also when Stripe says it completed meanwhile); an expired one is answered
/// as it is.
pub async fn expire(state: &AppState, actor: &Actor, id: &str) -> AppResult<CheckoutSession> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let row = super::row_of(state, scope, id).await?;
    match row.session.status {
        CheckoutStatus::Completed => return Err(AppError::conflict("this checkout session is completed; it cannot expire")),
        CheckoutStatus::Expired => return view(state, scope, row).await,
        CheckoutStatus::Pending => {}
    }
    if let Some(sid) = &row.session.stripe_checkout_session_id {
        let key = integrations::secret_key(state, scope).await?;
        let path = format!("/v1/checkout/sessions/{sid}/expire");
        let res = state.stripe.request(&key, "POST", &path, None, Some(&format!("offerdeck-expire-{id}"))).await.map_err(|u| AppError::stripe(u.0))?;
        if !res.ok() {
            // Stripe refuses to expire a session that is complete: record that instead.
            let obj = stripe_session(state, scope, sid).await?;
            if settle(state, scope, &row, &obj, "Stripe says it completed").await? {
                return Err(AppError::conflict("this checkout session completed in Stripe; it cannot expire"));
            }
            return Err(AppError::stripe(format!("Stripe refused to expire the session: {}", res.error_message())));
        }
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done = expire_in(&mut tx, scope, id, &format!("by {}", actor.label()), now).await?;
    tx.commit().await?;
    if done.is_some() {
        state.webhooks.kick();
    }
    let row = super::row_of(state, scope, id).await?;
    if row.session.status == CheckoutStatus::Completed {
        return Err(AppError::conflict("this checkout session is completed; it cannot expire"));
    }
    view(state, scope, row).await
}

/// Where the return hop sends the buyer.
pub enum Return {
    /// 303 to this URL.
    Redirect(String),
    /// Stripe could not confirm the payment yet: the buyer is asked to reload.
    NotYet,
}

/// The success URL with Creem's parameters and their signature appended. The signature covers
/// every query parameter of the URL the buyer lands on but `signature` (the success URL's own
/// ones too), so a verifier simply takes all of them.
pub fn signed_success_url(s: &CheckoutSession, secrets: &[String]) -> String {
    let (base, own) = s.success_url.split_once('?').unwrap_or((&s.success_url, ""));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(own).unwrap_or_default();
    pairs.retain(|(k, _)| !matches!(k.as_str(), "signature" | "checkout_id" | "product_id" | "request_id" | "customer_id" | "subscription_id"));
    pairs.push(("checkout_id".into(), s.id.clone()));
    pairs.push(("product_id".into(), s.product_id.clone()));
    let optional = [("request_id", &s.request_id), ("customer_id", &s.customer.stripe_customer_id), ("subscription_id", &s.stripe_subscription_id)];
    pairs.extend(optional.iter().filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone()))));
    if let Some(secret) = secrets.first() {
        let signed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signature = redirects::sign(secret, &signed);
        pairs.push(("signature".into(), signature));
    }
    format!("{base}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
}

/// `GET /checkout/return/{id}`: Stripe brings the buyer back here. The session is re-read from
/// Stripe and completed if it is complete (the same function as the webhook); a completed
/// session goes to its success URL, signed; an open one to its cancel URL.
pub async fn return_hop(state: &AppState, id: &str) -> AppResult<Return> {
    let Some(scope) = db::worker::checkout::scope_of(&state.db.pool, id).await? else {
        return Err(AppError::not_found("checkout session"));
    };
    let row = super::row_of(state, &scope, id).await?;
    if row.session.status == CheckoutStatus::Pending
        && let Some(sid) = &row.session.stripe_checkout_session_id
    {
        match stripe_session(state, &scope, sid).await {
            Ok(obj) => {
                settle(state, &scope, &row, &obj, "return hop").await?;
            }
            Err(e) if e.code == crate::error::ErrorCode::StripeError => return Ok(Return::NotYet),
            Err(e) => return Err(e),
        }
    }
    let row = super::row_of(state, &scope, id).await?;
    let s = &row.session;
    let now = state.clock.now_ms();
    match s.status {
        CheckoutStatus::Completed => {
            let secrets = redirects::secrets_now(state, &scope).await?;
            if secrets.is_empty() {
                tracing::warn!(checkout_session = %id, "redirect not signed: the environment has no redirect signing secret (Settings → API keys)");
            }
            let mut tx = state.db.begin_write().await?;
            kdb::note(&mut *tx, &scope, id, "return", "buyer returned; sent to the success URL", now).await?;
            tx.commit().await?;
            Ok(Return::Redirect(signed_success_url(s, &secrets)))
        }
        _ => Ok(Return::Redirect(s.cancel_url.clone())),
    }
}

/// A Stripe Checkout event about one of our sessions, inside the event's transaction: the
/// outcome line, or `None` when the object is not an offerdeck session of this scope.
pub async fn on_stripe_event(
    state: &AppState,
    conn: &mut AnyConnection,
    scope: &Scoped,
    event_type: &str,
    obj: &Value,
    stripe_event_id: &str,
    now: i64,
) -> AppResult<Option<String>> {
    let ours = obj
        .get("client_reference_id")
        .and_then(Value::as_str)
        .or_else(|| obj.pointer("/metadata/offerdeck_checkout_session").and_then(Value::as_str))
        .filter(|id| id.starts_with("cs_"))
        .map(str::to_string);
    let Some(id) = ours else { return Ok(None) };
    let Some(row) = kdb::get(&mut *conn, scope, &id).await? else { return Ok(None) };
    let outcome = match event_type {
        "checkout.session.completed" => {
            let f = facts(state, scope, &id, obj);
            match complete_in(conn, scope, &id, &f, "Stripe event", Some(stripe_event_id), now).await? {
                Some(_) => format!("checkout session {id} completed"),
                None => format!("checkout session {id} was {} already", status_word(&row)),
            }
        }
        "checkout.session.expired" => match expire_in(conn, scope, &id, "Stripe event", now).await? {
            Some(_) => format!("checkout session {id} expired"),
            None => format!("checkout session {id} was {} already", status_word(&row)),
        },
        _ => return Ok(None),
    };
    kdb::note(&mut *conn, scope, &id, "stripe_event", &format!("{event_type} ({stripe_event_id})"), now).await?;
    Ok(Some(outcome))
}

fn status_word(row: &kdb::CheckoutRow) -> &'static str {
    if row.opening { "opening" } else { row.session.status.as_str() }
}

/// The session a Stripe subscription object belongs to (by our metadata, or the subscription
/// id a completion recorded).
pub async fn session_of_subscription(conn: &mut AnyConnection, scope: &Scoped, obj: &Value) -> AppResult<Option<CheckoutSession>> {
    if let Some(id) = obj.pointer("/metadata/offerdeck_checkout_session").and_then(Value::as_str)
        && let Some(row) = kdb::get(&mut *conn, scope, id).await?
    {
        return Ok(Some(row.session));
    }
    let Some(sub) = id_of(obj.get("id")) else { return Ok(None) };
    Ok(kdb::by_subscription(&mut *conn, scope, &sub).await?.map(|r| r.session))
}

/// How long after its expiry a session still open here waits for Stripe's own
/// `checkout.session.expired` before housekeeping expires it.
pub const SWEEP_GRACE_MS: i64 = 3600 * 1000;

/// Housekeeping: expires sessions whose expiry passed more than [`SWEEP_GRACE_MS`] ago (Stripe's
/// event was lost, or Stripe never opened them), releasing their reservations. At most `limit`
/// per call; the number expired.
pub async fn sweep_overdue(state: &AppState, limit: i64) -> AppResult<usize> {
    let now = state.clock.now_ms();
    let overdue = db::worker::checkout::overdue(&state.db.pool, now - SWEEP_GRACE_MS, limit).await?;
    let mut n = 0;
    for (scope, id) in overdue {
        let mut tx = state.db.begin_write().await?;
        if expire_in(&mut tx, &scope, &id, "housekeeping: past its expiry", now).await?.is_some() {
            n += 1;
        }
        tx.commit().await?;
    }
    if n > 0 {
        state.webhooks.kick();
    }
    Ok(n)
}
