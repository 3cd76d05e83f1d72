//! Incoming Stripe events at `POST /webhooks/stripe/{integrationId}` (API.md §9): the
//! `Stripe-Signature` is checked against the integration's webhook secret (five-minute
//! tolerance) before anything is read; each event id is recorded once, in the same transaction
//! as what it causes; a subscription or checkout session that carries a coupon redeems it
//! through [`coupons::redeem_in`], the function behind the API.
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::CouponRedemptionSource;
use crate::server::AppState;
use crate::server::db::{self, Scoped, coupons as cdb};
use crate::server::services::checkout::lifecycle;
use crate::server::services::coupons::{self, RedeemArgs, Redeemed};
use crate::server::{internal, secrets};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::AnyConnection;

pub const TOLERANCE_SECS: i64 = 300;

/// At most this many `v1=` entries of a `Stripe-Signature` header are compared (Stripe sends one
/// per active secret, two while a secret is being rolled); the rest are ignored.
pub const MAX_SIGNATURES: usize = 8;

/// Checks `t=…,v1=…[,v1=…]` against HMAC-SHA256(secret, "{t}.{body}"). The body is hashed once,
/// whatever the header holds; each candidate is then compared in constant time.
pub fn verify_signature(secret: &str, header: &str, body: &[u8], now_secs: i64) -> Result<(), &'static str> {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<[u8; 32]> = Vec::new();
    for part in header.split(',').take(64) {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse().ok(),
            Some(("v1", v)) if candidates.len() < MAX_SIGNATURES && v.len() == 64 => {
                let mut bytes = [0u8; 32];
                if hex::decode_to_slice(v, &mut bytes).is_ok() {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or("the Stripe-Signature header has no timestamp")?;
    if candidates.is_empty() {
        return Err("the Stripe-Signature header has no v1 signature");
    }
    // abs_diff cannot overflow, whatever timestamp the header claims.
    if now_secs.abs_diff(t) > TOLERANCE_SECS as u64 {
        return Err("the Stripe-Signature timestamp is outside the five-minute tolerance");
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "bad secret")?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    use subtle::ConstantTimeEq;
    let mut matched = subtle::Choice::from(0);
    for c in &candidates {
        matched |= expected.as_slice().ct_eq(c);
    }
    if bool::from(matched) { Ok(()) } else { Err("the Stripe-Signature does not match this integration's webhook secret") }
}

/// The `Stripe-Signature` header Stripe would send for `body` at `t` (tests and tools).
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The id of a Stripe field that is an id or an expanded object.
pub fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Coupon code, subscription id and customer id of an event that applies a coupon.
pub fn coupon_use(event_type: &str, obj: &Value) -> Option<(String, String, Option<String>)> {
    let customer = id_of(obj.get("customer"));
    let (subscription, coupon) = match event_type {
        "customer.subscription.created" => {
            let sub = id_of(obj.get("id"))?;
            let coupon = id_of(obj.pointer("/discount/coupon"))
                .or_else(|| obj.get("discounts").and_then(Value::as_array).and_then(|ds| ds.iter().find_map(|d| id_of(d.get("coupon")))));
            (sub, coupon)
        }
        "checkout.session.completed" => {
            let sub = id_of(obj.get("subscription"))?;
            let coupon = obj.get("discounts").and_then(Value::as_array).and_then(|ds| ds.iter().find_map(|d| id_of(d.get("coupon")))).or_else(|| {
                obj.pointer("/total_details/breakdown/discounts")
                    .and_then(Value::as_array)
                    .and_then(|ds| ds.iter().find_map(|d| id_of(d.pointer("/discount/coupon"))))
            });
            (sub, coupon)
        }
        _ => return None,
    };
    Some((crate::model::normalize_code(&coupon?), subscription, customer))
}

/// The webhook event offerdeck emits for a Stripe event, if any.
pub fn forwarded(event_type: &str, obj: &Value, mode: &str, stripe_event_id: &str) -> Option<(&'static str, Value)> {
    let ours = match event_type {
        "checkout.session.completed" => "checkout.completed",
        "customer.subscription.created" => "subscription.created",
        "customer.subscription.deleted" => "subscription.cancelled",
        _ => return None,
    };
    let subscription = if event_type == "checkout.session.completed" { id_of(obj.get("subscription")) } else { id_of(obj.get("id")) };
    let coupon = coupon_use(event_type, obj).map(|(code, _, _)| code);
    let mut data = json!({
        "mode": mode,
        "stripeEventId": stripe_event_id,
        "processorSubscriptionId": subscription,
        "processorCustomerId": id_of(obj.get("customer")),
        "couponCode": coupon,
    });
    if event_type == "checkout.session.completed" {
        data["checkoutSessionId"] = json!(id_of(obj.get("id")));
        data["amountTotal"] = obj.get("amount_total").cloned().unwrap_or(Value::Null);
        data["currency"] = obj.get("currency").cloned().unwrap_or(Value::Null);
    } else {
        data["status"] = obj.get("status").cloned().unwrap_or(Value::Null);
    }
    Some((ours, data))
}

/// What one recorded event causes, inside its transaction: the outcome line, and whether a
/// webhook was queued. Checkout events of offerdeck's own sessions go to the checkout
/// lifecycle; a subscription that one of them opened has its coupon redeemed there (not here),
/// and its events carry the session's `checkoutSessionId`, `requestId` and `metadata`.
async fn handle(
    state: &AppState,
    tx: &mut AnyConnection,
    scope: &Scoped,
    event_type: &str,
    obj: &Value,
    event_id: &str,
    now: i64,
) -> AppResult<(String, bool)> {
    if event_type.starts_with("checkout.session.")
        && let Some(outcome) = lifecycle::on_stripe_event(state, &mut *tx, scope, event_type, obj, event_id, now).await?
    {
        return Ok((outcome, true));
    }
    let session = if event_type.starts_with("customer.subscription.") { lifecycle::session_of_subscription(&mut *tx, scope, obj).await? } else { None };
    // A sign-up cart's subscription: FINALIZE redeemed its coupon and queued
    // `subscription.created` already; later events pass on with the cart's id.
    let cart = obj.pointer("/metadata/offerdeck_signup_cart").and_then(Value::as_str).filter(|_| event_type.starts_with("customer.subscription."));
    if let Some(cart) = cart {
        if event_type == "customer.subscription.created" {
            return Ok((format!("subscription of sign-up cart {cart} (announced at FINALIZE)"), false));
        }
        let Some((ours, mut data)) = forwarded(event_type, obj, scope.env().as_str(), event_id) else { return Ok(("ignored".into(), false)) };
        data["signupSessionId"] = json!(cart);
        crate::server::services::webhooks::emit(&mut *tx, scope, ours, data, now).await?;
        return Ok((format!("subscription of sign-up cart {cart}"), true));
    }
    let mut queued = false;
    let outcome = match (coupon_use(event_type, obj), &session) {
        (_, Some(s)) => format!("subscription of checkout session {}", s.id),
        (None, None) => "ignored".to_string(),
        (Some((code, sub, customer)), None) => {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            let args = RedeemArgs {
                code: &code,
                subscription_id: &sub,
                customer_id: customer.as_deref(),
                source: CouponRedemptionSource::Stripe,
                stripe_event_id: Some(event_id),
                now,
            };
            match coupons::redeem_in(&mut sp, scope, args).await {
                Ok(Redeemed::Created(r)) => {
                    sp.commit().await?;
                    queued = true;
                    format!("redeemed {code} ({})", r.id)
                }
                Ok(Redeemed::Existing(r)) => {
                    sp.rollback().await?;
                    format!("{code} was already redeemed for {} ({})", r.subscription_id, r.id)
                }
                Err(e) if e.code == ErrorCode::Internal => return Err(e),
                Err(e) => {
                    sp.rollback().await?;
                    format!("{code} not redeemed: {}", e.message)
                }
            }
        }
    };
    // Stripe's subscription and checkout events, passed on to the merchant's endpoints under
    // offerdeck's names (once per Stripe event id: same transaction as its record).
    if let Some((ours, data)) = forwarded(event_type, obj, scope.env().as_str(), event_id) {
        let data = match &session {
            Some(s) => lifecycle::with_context(data, s),
            None => data,
        };
        crate::server::services::webhooks::emit(&mut *tx, scope, ours, data, now).await?;
        if let Some(s) = &session {
            crate::server::db::checkout::note(&mut *tx, scope, &s.id, "webhook", &format!("{ours} queued ({event_type}, {event_id})"), now).await?;
        }
        queued = true;
    }
    Ok((outcome, queued))
}

/// Handles one delivery from Stripe. A bad signature is 400 and records nothing.
pub async fn receive(state: &AppState, integration_id: &str, signature: Option<&str>, body: &[u8]) -> AppResult<Value> {
    let Some((scope, row)) = db::worker::stripe_events::get_by_id(&state.db.pool, integration_id).await? else {
        return Err(AppError::not_found("Stripe integration"));
    };
    let Some(enc) = row.webhook_secret_enc.as_deref() else {
        return Err(AppError::validation("this integration has no webhook signing secret: add it under Settings → Stripe"));
    };
    let context = format!("{}/{}/stripe_webhook_secret", scope.tenant_id(), scope.env().as_str());
    let secret =
        secrets::decrypt(&state.config.secret_key, &context, enc).ok_or_else(|| internal("stripe webhook", "stored webhook secret does not decrypt"))?;
    let now = state.clock.now_ms();
    let header = signature.ok_or_else(|| AppError::validation("the Stripe-Signature header is missing"))?;
    verify_signature(&secret, header, body, now / 1000).map_err(AppError::validation)?;
    let event: Value = serde_json::from_slice(body).map_err(|_| AppError::validation("the event is not JSON"))?;
    let event_id = event.get("id").and_then(Value::as_str).filter(|s| !s.is_empty() && s.len() <= 255).ok_or_else(|| AppError::field("id", "is required"))?;
    let event_type = event.get("type").and_then(Value::as_str).unwrap_or("").to_string();
    let mut tx = state.db.begin_write().await?;
    // First statement a write: SQLite takes its write lock before anything is read.
    if !cdb::record_stripe_event(&mut *tx, &scope, &row.id, event_id, &event_type, now).await? {
        tx.rollback().await?;
        return Ok(json!({"received": true, "duplicate": true}));
    }
    let obj = event.pointer("/data/object").cloned().unwrap_or(Value::Null);
    let (outcome, queued) = handle(state, &mut tx, &scope, &event_type, &obj, event_id, now).await?;
    cdb::set_stripe_event_outcome(&mut *tx, &row.id, event_id, &outcome).await?;
    tx.commit().await?;
    if queued {
        state.webhooks.kick();
    }
    tracing::info!(integration = %row.id, event = %event_id, event_type = %event_type, outcome = %outcome, "Stripe event processed");
    Ok(json!({"received": true, "outcome": outcome}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let body = r#"{"id":"evt_1"}"#;
        let h = sign("whsec_test", 1_700_000_000, body);
        assert!(verify_signature("whsec_test", &h, body.as_bytes(), 1_700_000_100).is_ok());
        assert!(verify_signature("whsec_other", &h, body.as_bytes(), 1_700_000_100).is_err());
        assert!(verify_signature("whsec_test", &h, br#"{"id":"evt_2"}"#, 1_700_000_100).is_err());
        assert!(verify_signature("whsec_test", &h, body.as_bytes(), 1_700_000_301).is_err(), "too old");
        let two = format!("{h},v1={}", "00".repeat(32));
        assert!(verify_signature("whsec_test", &two, body.as_bytes(), 1_700_000_000).is_ok(), "any v1 may match");
    }

    #[test]
    fn a_hostile_header_costs_one_hmac_and_cannot_overflow() {
        let body = r#"{"id":"evt_1"}"#;
        for t in [i64::MIN, i64::MAX, -1] {
            let h = format!("t={t},v1={}", "00".repeat(32));
            assert!(verify_signature("whsec_test", &h, body.as_bytes(), 1_700_000_000).is_err());
            assert!(verify_signature("whsec_test", &h, body.as_bytes(), i64::MIN).is_err());
        }
        // Only the first MAX_SIGNATURES entries are compared: a header padded with thousands
        // of entries does not buy thousands of HMAC computations.
        let good = sign("whsec_test", 1_700_000_000, body);
        let junk = (0..10_000).map(|_| format!("v1={}", "ab".repeat(32))).collect::<Vec<_>>().join(",");
        let padded = format!("t=1700000000,{junk},{}", good.split_once(',').unwrap().1);
        assert!(verify_signature("whsec_test", &padded, body.as_bytes(), 1_700_000_000).is_err());
        let early = format!("{good},{junk}");
        assert!(verify_signature("whsec_test", &early, body.as_bytes(), 1_700_000_000).is_ok());
    }

    #[test]
    fn finds_the_coupon_in_both_event_shapes() {
        let sub = json!({"id": "sub_1", "customer": "cus_1", "discount": {"coupon": {"id": "winback30"}}});
        assert_eq!(coupon_use("customer.subscription.created", &sub), Some(("WINBACK30".into(), "sub_1".into(), Some("cus_1".into()))));
        let newer = json!({"id": "sub_2", "customer": {"id": "cus_2"}, "discounts": [{"coupon": {"id": "SPRING"}}]});
        assert_eq!(coupon_use("customer.subscription.created", &newer).unwrap().0, "SPRING");
        let cs = json!({"id": "cs_1", "subscription": "sub_3", "customer": "cus_3", "discounts": [{"coupon": "LAUNCH", "promotion_code": null}]});
        assert_eq!(coupon_use("checkout.session.completed", &cs), Some(("LAUNCH".into(), "sub_3".into(), Some("cus_3".into()))));
        let payment = json!({"id": "cs_2", "subscription": null, "discounts": [{"coupon": "LAUNCH"}]});
        assert_eq!(coupon_use("checkout.session.completed", &payment), None);
        assert_eq!(coupon_use("customer.subscription.created", &json!({"id": "sub_4"})), None);
    }
}
