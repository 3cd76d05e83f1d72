//! What a sign-up cart asks of Stripe (API.md §12): the customer (found or created for the
//! contact email, with name and address), a SetupIntent for Stripe's hosted payment form, the
//! check of a completed SetupIntent before its payment method becomes the customer's default,
//! and the subscription — or, for a later start, the subscription schedule — of FINALIZE.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{IdOnly, SignUpCustomerInput, SignUpInvoice, SignUpPayment};
use crate::server::AppState;
use crate::server::db::Scoped;
use crate::server::db::signup::CartRow;
use crate::server::services::checkout;
use crate::server::services::stripe_events::id_of;
use serde_json::{Value, json};

/// The customer's name and address as Stripe's customer form takes them.
pub fn details(c: &SignUpCustomerInput) -> Value {
    let mut d = json!({"name": c.name, "metadata": {"offerdeck_account_name": c.account_name}});
    if let Some(a) = &c.billing_address {
        let mut address = serde_json::Map::new();
        for (k, v) in
            [("line1", &a.line1), ("line2", &a.line2), ("city", &a.city), ("state", &a.state), ("postal_code", &a.postal_code), ("country", &a.country)]
        {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                address.insert(k.into(), json!(v));
            }
        }
        if !address.is_empty() {
            d["address"] = Value::Object(address);
        }
    }
    d
}

/// The cart's Stripe customer: the one it has, or the contact email's (found or created).
pub async fn customer(state: &AppState, scope: &Scoped, key: &str, cart: &CartRow) -> AppResult<String> {
    match &cart.stripe_customer_id {
        Some(c) => Ok(c.clone()),
        None => checkout::customer_for(state, scope, key, &cart.customer.email, Some(&details(&cart.customer))).await,
    }
}

async fn call(state: &AppState, key: &str, method: &str, path: &str, body: Option<&Value>, idem: Option<&str>, what: &str) -> AppResult<Value> {
    let res = state.stripe.request(key, method, path, body, idem).await.map_err(|u| AppError::stripe(format!("{} ({what})", u.0)))?;
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe refused {what}: {}", res.error_message())));
    }
    Ok(res.data)
}

/// A SetupIntent the customer can still complete: the cart's own when Stripe says it waits for
/// a payment method, else a new one (`usage=off_session`). Its id and client secret, the secret
/// read from Stripe's answer and never stored.
pub async fn setup_intent(state: &AppState, key: &str, cart: &CartRow, customer: &str) -> AppResult<(String, String)> {
    if let Some(seti) = &cart.setup_intent_id {
        let s = call(state, key, "GET", &format!("/v1/setup_intents/{seti}"), None, None, "reading the SetupIntent").await?;
        let open = matches!(s.get("status").and_then(Value::as_str), Some("requires_payment_method" | "requires_confirmation" | "requires_action"));
        if let (true, Some(secret)) = (open, s.get("client_secret").and_then(Value::as_str)) {
            return Ok((seti.clone(), secret.to_string()));
        }
    }
    let body = json!({"customer": customer, "usage": "off_session", "metadata": {"offerdeck_signup_cart": cart.id}});
    let s = call(state, key, "POST", "/v1/setup_intents", Some(&body), None, "creating the SetupIntent").await?;
    match (id_of(s.get("id")), s.get("client_secret").and_then(Value::as_str)) {
        (Some(id), Some(secret)) => Ok((id, secret.to_string())),
        _ => Err(AppError::stripe("Stripe's SetupIntent came without an id or client secret")),
    }
}

/// A payment method the customer completed with Stripe's form.
pub struct Verified {
    pub id: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
}

const TOKEN: &str = "paymentMethod.paymentToken";

/// Checks with Stripe that SetupIntent `token` succeeded for `customer`, then makes its payment
/// method the customer's default for invoices.
pub async fn adopt(state: &AppState, key: &str, customer: &str, token: &str) -> AppResult<Verified> {
    let token = token.trim();
    if !token.starts_with("seti_") || token.len() > 255 || !token[5..].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || token.len() == 5 {
        return Err(AppError::field(TOKEN, "must be the id of the Stripe SetupIntent (seti_…) the customer completed"));
    }
    let res = state
        .stripe
        .request(key, "GET", &format!("/v1/setup_intents/{token}"), Some(&json!({"expand": ["payment_method"]})), None)
        .await
        .map_err(|u| AppError::stripe(format!("{} (reading the SetupIntent)", u.0)))?;
    if res.status == 404 {
        return Err(AppError::field(TOKEN, "no such SetupIntent in this Stripe account"));
    }
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe refused reading the SetupIntent: {}", res.error_message())));
    }
    let s = res.data;
    if id_of(s.get("customer")).as_deref() != Some(customer) {
        return Err(AppError::field(TOKEN, "belongs to another customer than this cart's"));
    }
    let status = s.get("status").and_then(Value::as_str).unwrap_or("unknown");
    if status != "succeeded" {
        return Err(AppError::field(TOKEN, format!("is {status}, not succeeded: the customer has not completed Stripe's form")));
    }
    let pm = s.get("payment_method");
    let Some(id) = id_of(pm) else { return Err(AppError::field(TOKEN, "has no payment method")) };
    let body = json!({"invoice_settings": {"default_payment_method": id}});
    call(state, key, "POST", &format!("/v1/customers/{customer}"), Some(&body), None, "setting the default payment method").await?;
    let card = pm.and_then(|p| p.get("card"));
    let text = |k: &str| card.and_then(|c| c.get(k)).and_then(Value::as_str).map(str::to_string);
    Ok(Verified { id, brand: text("brand"), last4: text("last4") })
}

/// What FINALIZE sends Stripe, checked.
pub struct Plan<'a> {
    pub cart: &'a CartRow,
    pub customer: &'a str,
    pub lines: &'a [(String, i64)],
    pub stripe_coupon: Option<&'a str>,
    pub days_until_due: i64,
    /// Unix seconds of a later start: a subscription schedule.
    pub start_at: Option<i64>,
}

/// The path and form of the subscription (or schedule) FINALIZE creates.
pub fn contract_body(p: &Plan<'_>) -> (&'static str, Value) {
    let automatic = p.cart.bill_group.collect_invoice_balance_automatically;
    let items: Vec<Value> = p.lines.iter().map(|(price, qty)| json!({"price": price, "quantity": qty})).collect();
    let metadata = json!({"offerdeck_signup_cart": p.cart.id, "offerdeck_quote": p.cart.quote.id});
    let discounts = p.stripe_coupon.map(|c| json!([{"coupon": c}]));
    let mut settings = json!({"collection_method": if automatic { "charge_automatically" } else { "send_invoice" }});
    if let Some(pm) = &p.cart.payment_method {
        settings["default_payment_method"] = json!(pm.id);
    }
    if let Some(start) = p.start_at {
        if !automatic {
            settings["invoice_settings"] = json!({"days_until_due": p.days_until_due});
        }
        let mut phase = json!({"items": items});
        if let Some(d) = discounts {
            phase["discounts"] = d;
        }
        let body = json!({"customer": p.customer, "start_date": start, "end_behavior": "release", "phases": [phase], "default_settings": settings, "metadata": metadata});
        return ("/v1/subscription_schedules", body);
    }
    let mut b = json!({"customer": p.customer, "items": items, "metadata": metadata, "expand": ["latest_invoice.payment_intent"]});
    for (k, v) in settings.as_object().into_iter().flatten() {
        b[k] = v.clone();
    }
    if automatic {
        // A decline is then an error (402), not an incomplete subscription.
        b["payment_behavior"] = json!("error_if_incomplete");
    } else {
        b["days_until_due"] = json!(p.days_until_due);
    }
    if let Some(d) = discounts {
        b["discounts"] = d;
    }
    ("/v1/subscriptions", b)
}

/// Stripe's answer to FINALIZE.
pub enum Answer {
    Created(Contract),
    /// A card Stripe declined (HTTP 402): its message.
    Declined(String),
    /// Stripe refused otherwise (a 4xx): its message.
    Refused(String),
}

#[derive(Debug, Default)]
pub struct Contract {
    pub subscription_id: Option<String>,
    pub schedule_id: Option<String>,
    pub invoice: Option<SignUpInvoice>,
    pub payment: Option<SignUpPayment>,
}

/// Creates the contract; `Err` only when Stripe could not be reached or failed (5xx): then the
/// same idempotency key is safe to send again.
pub async fn create_contract(state: &AppState, key: &str, p: &Plan<'_>) -> AppResult<Answer> {
    let (path, body) = contract_body(p);
    let idem = format!("offerdeck-{}-finalize-{}", p.cart.id, p.cart.finalize_attempt);
    let res = state.stripe.request(key, "POST", path, Some(&body), Some(&idem)).await.map_err(|u| AppError::stripe(u.0))?;
    if res.status == 402 {
        return Ok(Answer::Declined(res.error_message()));
    }
    if res.status >= 500 {
        return Err(AppError::stripe(format!("Stripe failed creating the subscription: {}", res.error_message())));
    }
    if !res.ok() {
        return Ok(Answer::Refused(res.error_message()));
    }
    let d = res.data;
    if path == "/v1/subscription_schedules" {
        return Ok(Answer::Created(Contract { schedule_id: id_of(d.get("id")), subscription_id: id_of(d.get("subscription")), ..Contract::default() }));
    }
    let invoice = d.get("latest_invoice").filter(|i| i.is_object());
    let n = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_i64);
    let payment = invoice.and_then(|i| i.get("payment_intent")).filter(|p| p.is_object()).and_then(|p| {
        let paid = p.get("status").and_then(Value::as_str) == Some("succeeded");
        Some(SignUpPayment { id: id_of(Some(p))?, amount: n(Some(p), "amount_received").filter(|_| paid).or(n(Some(p), "amount"))? })
    });
    let invoice = invoice.and_then(|i| {
        let total = n(Some(i), "total")?;
        let items = i.pointer("/lines/data").and_then(Value::as_array).map(|ls| ls.iter().filter_map(|l| id_of(l.get("id"))).map(|id| IdOnly { id }).collect());
        Some(SignUpInvoice {
            id: id_of(i.get("id"))?,
            amount_without_tax: n(Some(i), "total_excluding_tax").unwrap_or(total),
            amount: total,
            status: i.get("status").and_then(Value::as_str).map(str::to_string),
            items: items.unwrap_or_default(),
        })
    });
    Ok(Answer::Created(Contract { subscription_id: id_of(d.get("id")), schedule_id: None, invoice, payment }))
}

/// Midnight (in the tenant's time zone) of `date` when it is after `today`: the schedule's start.
pub fn later_start(date: &str, today: &str, tz: &str, e: &mut FieldErrors) -> Option<i64> {
    if date <= today {
        return None;
    }
    match crate::server::tz::local_to_ms(&format!("{date}T00:00"), tz) {
        Ok(ms) => Some(ms / 1000),
        Err(m) => {
            e.add("quote.startDate", m);
            None
        }
    }
}
