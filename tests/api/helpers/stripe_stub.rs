//! A local Stripe-compatible HTTP server for tests: it records every request it receives and
//! answers from a script of queued responses, or with a default per path. Requests to paths under
//! `/v1/hang` are recorded and never answered (a Stripe that hangs).
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Recorded {
    pub fn form(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_str(if self.method == "GET" { &self.query } else { &self.body }).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

#[derive(Clone, Default)]
struct Inner {
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    arrived: Arc<tokio::sync::Notify>,
    /// What the stub keeps, as Stripe would: objects by id, and counters for new ids.
    objects: Arc<Mutex<Objects>>,
}

#[derive(Default)]
struct Objects {
    next: u64,
    /// Stripe price id → unit amount (tests register them; 1000 otherwise).
    prices: std::collections::HashMap<String, i64>,
    coupons: std::collections::HashMap<String, Value>,
    customers: std::collections::HashMap<String, Value>,
    sessions: std::collections::HashMap<String, Value>,
    setup_intents: std::collections::HashMap<String, Value>,
    /// Payment methods made by test cards: the object, and whether its charges are declined.
    payment_methods: std::collections::HashMap<String, (Value, bool)>,
    /// Answers of subscription calls by idempotency key (Stripe replays them).
    replays: std::collections::HashMap<String, (u16, Value)>,
}

impl Objects {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_{:06}", self.next)
    }
}

fn form_map(rec: &Recorded) -> std::collections::BTreeMap<String, String> {
    rec.form().into_iter().collect()
}

fn bad_request(message: String) -> (StatusCode, axum::Json<Value>) {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {"type": "invalid_request_error", "message": message}})))
}

/// The discount of `form`'s `discounts[0]` on `subtotal`: a coupon the stub knows, or
/// `coupon_data`; `Err` for more than one discount or an unknown coupon.
fn discount_of(objects: &Objects, form: &std::collections::BTreeMap<String, String>, subtotal: i64) -> Result<(i64, Value), String> {
    if form.keys().any(|k| k.starts_with("discounts[1]")) {
        return Err("You may only specify one discount.".into());
    }
    let coupon = if let Some(id) = form.get("discounts[0][coupon]") {
        objects.coupons.get(id).cloned().ok_or_else(|| format!("No such coupon: '{id}'"))?
    } else if form.keys().any(|k| k.starts_with("discounts[0][coupon_data]")) {
        let g = |k: &str| form.get(&format!("discounts[0][coupon_data][{k}]")).cloned();
        json!({"id": "coupon_data", "name": g("name"), "percent_off": g("percent_off").and_then(|v| v.parse::<f64>().ok()),
               "amount_off": g("amount_off").and_then(|v| v.parse::<i64>().ok())})
    } else {
        return Ok((0, json!([])));
    };
    let off = match (coupon["percent_off"].as_f64(), coupon["amount_off"].as_i64()) {
        (Some(p), _) => (subtotal as f64 * p / 100.0).round() as i64,
        (None, Some(a)) => a.min(subtotal),
        _ => 0,
    };
    Ok((off, json!([{"coupon": coupon["id"], "promotion_code": null}])))
}

fn set_amounts(s: &mut Value, off: i64, discounts: Value) {
    let subtotal = s["amount_subtotal"].as_i64().unwrap_or(0);
    s["discounts"] = discounts;
    s["total_details"] = json!({"amount_discount": off, "amount_tax": 0, "amount_shipping": 0});
    s["amount_total"] = json!(subtotal - off);
}

pub struct StripeStub {
    pub base: String,
    inner: Inner,
}

/// The test-mode key the stub accepts.
pub const GOOD_TEST_KEY: &str = "sk_test_51GoodKeyForTheStripeStub00";
/// The live-mode key the stub accepts (its prices answer `livemode: true`).
pub const GOOD_LIVE_KEY: &str = "sk_live_51GoodKeyForTheStripeStub00";

impl StripeStub {
    pub async fn start() -> Self {
        let inner = Inner::default();
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StripeStub { base, inner }
    }

    /// The next answers, in order, before the defaults apply again.
    pub fn script(&self, answers: Vec<(u16, Value)>) {
        self.inner.script.lock().unwrap().extend(answers);
    }

    /// The unit amount Stripe knows for `price` (default 1000).
    pub fn price(&self, price: &str, unit_amount: i64) {
        self.inner.objects.lock().unwrap().prices.insert(price.into(), unit_amount);
    }

    /// The checkout session `id` as the stub holds it.
    pub fn session(&self, id: &str) -> Value {
        self.inner.objects.lock().unwrap().sessions.get(id).cloned().unwrap_or(Value::Null)
    }

    /// The buyer paid: the session is `complete` (with a subscription in subscription mode) and
    /// answered as the `checkout.session.completed` event's object would carry it.
    pub fn complete(&self, id: &str) -> Value {
        let mut o = self.inner.objects.lock().unwrap();
        let sub = o.id("sub_stub");
        let pi = o.id("pi_stub");
        let s = o.sessions.get_mut(id).expect("the stub knows the session");
        s["status"] = json!("complete");
        s["payment_status"] = json!("paid");
        if s["mode"] == "subscription" {
            s["subscription"] = json!(sub);
        } else {
            s["payment_intent"] = json!(pi);
        }
        s.clone()
    }

    /// Stripe expired the session (its `expires_at` passed): `checkout.session.expired`'s object.
    pub fn expire(&self, id: &str) -> Value {
        let mut o = self.inner.objects.lock().unwrap();
        let s = o.sessions.get_mut(id).expect("the stub knows the session");
        s["status"] = json!("expired");
        s.clone()
    }

    /// The customer completed Stripe's form with a test card: the SetupIntent succeeded with a
    /// new payment method (whose charges are declined when `declines`); its id.
    pub fn succeed_setup_intent(&self, seti: &str, brand: &str, last4: &str, declines: bool) -> String {
        let mut o = self.inner.objects.lock().unwrap();
        let pm = o.id("pm_stub");
        let obj = json!({"id": pm, "object": "payment_method", "type": "card", "card": {"brand": brand, "last4": last4}});
        o.payment_methods.insert(pm.clone(), (obj, declines));
        let s = o.setup_intents.get_mut(seti).expect("the stub knows the SetupIntent");
        s["status"] = json!("succeeded");
        s["payment_method"] = json!(pm);
        pm
    }

    /// The customer `id` as the stub holds it.
    pub fn customer(&self, id: &str) -> Value {
        self.inner.objects.lock().unwrap().customers.get(id).cloned().unwrap_or(Value::Null)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Waits until `n` requests to `path` have arrived (no polling: woken by each request).
    pub async fn wait_for(&self, path: &str, n: usize) {
        loop {
            let arrived = self.inner.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if self.requests().iter().filter(|r| r.path == path).count() >= n {
                return;
            }
            arrived.await;
        }
    }
}

async fn handle(State(inner): State<Inner>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> (StatusCode, axum::Json<Value>) {
    let rec = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers.clone(),
        body: String::from_utf8_lossy(&body).to_string(),
    };
    inner.requests.lock().unwrap().push(rec.clone());
    inner.arrived.notify_waiters();
    if rec.path.starts_with("/v1/hang") {
        return std::future::pending().await;
    }
    if let Some((status, body)) = inner.script.lock().unwrap().pop_front() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(body));
    }
    let key = rec.header("authorization").unwrap_or_default();
    let livemode = key == format!("Bearer {GOOD_LIVE_KEY}");
    if key != format!("Bearer {GOOD_TEST_KEY}") && !livemode {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****"}})),
        );
    }
    match (rec.method.as_str(), rec.path.as_str()) {
        // Only the prices a test registered exist.
        ("GET", p) if p.starts_with("/v1/prices/") => {
            let id = p.trim_start_matches("/v1/prices/");
            match inner.objects.lock().unwrap().prices.get(id) {
                Some(amount) => (StatusCode::OK, axum::Json(json!({"id": id, "object": "price", "unit_amount": amount, "livemode": livemode, "active": true}))),
                None => not_found("price", id),
            }
        }
        ("GET", "/v1/account") => (
            StatusCode::OK,
            axum::Json(
                json!({"id": "acct_stub123", "object": "account", "email": "owner@example.com", "country": "GB", "business_profile": {"name": "Stub Shop"}}),
            ),
        ),
        ("POST", "/v1/checkout/sessions") if !form_map(&rec).get("client_reference_id").is_some_and(|r| r.starts_with("cs_")) => {
            (StatusCode::OK, axum::Json(json!({"id": "cs_test_stub", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_stub"})))
        }
        ("POST", "/v1/checkout/sessions") => create_session(&inner, &rec),
        ("POST", "/v1/customers") => {
            let mut o = inner.objects.lock().unwrap();
            let id = o.id("cus_stub");
            let f = form_map(&rec);
            let c = json!({"id": id, "object": "customer", "email": f.get("email"), "name": f.get("name"), "address": {"line1": f.get("address[line1]"),
                "city": f.get("address[city]"), "country": f.get("address[country]")}, "invoice_settings": {"default_payment_method": null}});
            o.customers.insert(id, c.clone());
            (StatusCode::OK, axum::Json(c))
        }
        ("POST", p) if p.starts_with("/v1/customers/") => {
            let id = p.trim_start_matches("/v1/customers/");
            let f = form_map(&rec);
            let mut o = inner.objects.lock().unwrap();
            let Some(c) = o.customers.get_mut(id) else { return not_found("customer", id) };
            if let Some(pm) = f.get("invoice_settings[default_payment_method]") {
                c["invoice_settings"]["default_payment_method"] = json!(pm);
            }
            (StatusCode::OK, axum::Json(c.clone()))
        }
        ("POST", "/v1/setup_intents") => {
            let f = form_map(&rec);
            let mut o = inner.objects.lock().unwrap();
            let id = o.id("seti_stub");
            let s = json!({"id": id, "object": "setup_intent", "status": "requires_payment_method", "customer": f.get("customer"), "usage": f.get("usage"),
                "client_secret": format!("{id}_secret_{:x}", rand_u64(&id)), "payment_method": null,
                "metadata": {"offerdeck_signup_cart": f.get("metadata[offerdeck_signup_cart]")}});
            o.setup_intents.insert(id, s.clone());
            (StatusCode::OK, axum::Json(s))
        }
        ("GET", p) if p.starts_with("/v1/setup_intents/") => {
            let id = p.trim_start_matches("/v1/setup_intents/");
            let o = inner.objects.lock().unwrap();
            let Some(mut s) = o.setup_intents.get(id).cloned() else { return not_found("setup_intent", id) };
            let expand = rec.form().iter().any(|(k, v)| k.starts_with("expand") && v == "payment_method");
            if let (true, Some(pm)) = (expand, s["payment_method"].as_str().and_then(|pm| o.payment_methods.get(pm))) {
                s["payment_method"] = pm.0.clone();
            }
            (StatusCode::OK, axum::Json(s))
        }
        ("POST", "/v1/subscriptions") => subscribe(&inner, &rec),
        ("POST", "/v1/subscription_schedules") => {
            let f = form_map(&rec);
            let mut o = inner.objects.lock().unwrap();
            let id = o.id("sub_sched_stub");
            let s = json!({"id": id, "object": "subscription_schedule", "status": "not_started", "subscription": null, "customer": f.get("customer"),
                "metadata": {"offerdeck_signup_cart": f.get("metadata[offerdeck_signup_cart]")}});
            (StatusCode::OK, axum::Json(s))
        }
        ("GET", p) if p.starts_with("/v1/checkout/sessions/") => {
            let id = p.trim_start_matches("/v1/checkout/sessions/");
            match inner.objects.lock().unwrap().sessions.get(id) {
                Some(s) => (StatusCode::OK, axum::Json(s.clone())),
                None => (
                    StatusCode::NOT_FOUND,
                    axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("No such checkout.session: '{id}'")}})),
                ),
            }
        }
        ("POST", p) if p.starts_with("/v1/checkout/sessions/") => update_session(&inner, &rec, p.trim_start_matches("/v1/checkout/sessions/")),
        ("POST", "/v1/coupons") => {
            let form: std::collections::HashMap<String, String> = rec.form().into_iter().collect();
            let id = form.get("id").cloned().unwrap_or_default();
            if id.starts_with("REFUSE") {
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("Coupon {id} cannot be created on this account.")}})),
                );
            }
            let g = |k: &str| form.get(k).cloned();
            let coupon = json!({"id": id, "object": "coupon", "valid": true, "percent_off": g("percent_off").and_then(|v| v.parse::<f64>().ok()),
                                "amount_off": g("amount_off").and_then(|v| v.parse::<i64>().ok()), "currency": g("currency")});
            inner.objects.lock().unwrap().coupons.insert(id.clone(), coupon.clone());
            (StatusCode::OK, axum::Json(coupon))
        }
        ("DELETE", p) if p.starts_with("/v1/coupons/") => {
            (StatusCode::OK, axum::Json(json!({"id": p.trim_start_matches("/v1/coupons/"), "object": "coupon", "deleted": true})))
        }
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("Unrecognized request URL ({} {})", rec.method, rec.path)}})),
        ),
    }
}

fn create_session(inner: &Inner, rec: &Recorded) -> (StatusCode, axum::Json<Value>) {
    let f = form_map(rec);
    let mut o = inner.objects.lock().unwrap();
    let id = o.id("cs_test");
    let price = f.get("line_items[0][price]").cloned().unwrap_or_default();
    let qty: i64 = f.get("line_items[0][quantity]").and_then(|q| q.parse().ok()).unwrap_or(1);
    let subtotal = o.prices.get(&price).copied().unwrap_or(1000) * qty;
    let (off, discounts) = match discount_of(&o, &f, subtotal) {
        Ok(d) => d,
        Err(m) => return bad_request(m),
    };
    let custom = f.get("ui_mode").map(String::as_str) == Some("custom");
    let mut s = json!({
        "id": id, "object": "checkout.session", "status": "open", "payment_status": "unpaid",
        "mode": f.get("mode"), "customer": f.get("customer"), "client_reference_id": f.get("client_reference_id"),
        "metadata": {"offerdeck_checkout_session": f.get("metadata[offerdeck_checkout_session]")},
        "amount_subtotal": subtotal, "currency": "gbp", "subscription": null, "payment_intent": null,
        "url": if custom { Value::Null } else { json!(format!("https://checkout.stripe.com/c/pay/{id}")) },
        "client_secret": if custom { json!(format!("{id}_secret_{:x}", rand_u64(&id))) } else { Value::Null },
        "ui_mode": if custom { "custom" } else { "hosted" },
        "permissions": {"update_discounts": f.get("permissions[update_discounts]")},
    });
    set_amounts(&mut s, off, discounts);
    o.sessions.insert(id, s.clone());
    (StatusCode::OK, axum::Json(s))
}

/// A stand-in for randomness the stub can repeat: the client secret's tail.
fn rand_u64(seed: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    h.finish()
}

fn update_session(inner: &Inner, rec: &Recorded, rest: &str) -> (StatusCode, axum::Json<Value>) {
    let f = form_map(rec);
    let mut o = inner.objects.lock().unwrap();
    let (id, expire) = match rest.strip_suffix("/expire") {
        Some(id) => (id.to_string(), true),
        None => (rest.to_string(), false),
    };
    let Some(mut s) = o.sessions.get(&id).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("No such checkout.session: '{id}'")}})),
        );
    };
    if s["status"] != "open" {
        return bad_request(format!("This Checkout Session is {}; it can no longer be changed.", s["status"].as_str().unwrap_or("closed")));
    }
    if expire {
        s["status"] = json!("expired");
    } else if f.contains_key("discounts") || f.keys().any(|k| k.starts_with("discounts[")) {
        if s["permissions"]["update_discounts"] != "server_only" {
            return bad_request("Discounts of this Checkout Session cannot be updated from a server.".into());
        }
        let subtotal = s["amount_subtotal"].as_i64().unwrap_or(0);
        match discount_of(&o, &f, subtotal) {
            Ok((off, d)) => set_amounts(&mut s, off, d),
            Err(m) => return bad_request(m),
        }
    }
    o.sessions.insert(id, s.clone());
    (StatusCode::OK, axum::Json(s))
}

fn not_found(what: &str, id: &str) -> (StatusCode, axum::Json<Value>) {
    (StatusCode::NOT_FOUND, axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("No such {what}: '{id}'")}})))
}

/// `POST /v1/subscriptions`: priced from the stub's prices, the first invoice paid by the
/// default payment method (a declining one is a 402 and nothing is made); the same
/// idempotency key answers the first answer again.
fn subscribe(inner: &Inner, rec: &Recorded) -> (StatusCode, axum::Json<Value>) {
    let f = form_map(rec);
    let mut o = inner.objects.lock().unwrap();
    let idem = rec.header("idempotency-key").unwrap_or_default();
    if let Some((status, body)) = o.replays.get(&idem) {
        return (StatusCode::from_u16(*status).unwrap(), axum::Json(body.clone()));
    }
    let mut subtotal = 0;
    let mut lines = Vec::new();
    for i in 0.. {
        let Some(price) = f.get(&format!("items[{i}][price]")) else { break };
        let qty: i64 = f.get(&format!("items[{i}][quantity]")).and_then(|q| q.parse().ok()).unwrap_or(1);
        subtotal += o.prices.get(price).copied().unwrap_or(1000) * qty;
        lines.push(o.id("il_stub"));
    }
    let (off, discounts) = match discount_of(&o, &f, subtotal) {
        Ok(d) => d,
        Err(m) => return bad_request(m),
    };
    let total = subtotal - off;
    let automatic = f.get("collection_method").map(String::as_str) != Some("send_invoice");
    let pm = f.get("default_payment_method").cloned();
    let answer = if automatic && total > 0 && pm.is_none() {
        (400, json!({"error": {"type": "invalid_request_error", "message": "This customer has no attached payment source or default payment method."}}))
    } else if pm.as_ref().and_then(|p| o.payment_methods.get(p)).is_some_and(|(_, declines)| *declines) {
        (402, json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}))
    } else {
        let sub = o.id("sub_stub");
        let invoice = o.id("in_stub");
        let pi = o.id("pi_stub");
        let payment = if automatic && total > 0 {
            json!({"id": pi, "object": "payment_intent", "amount": total, "amount_received": total, "status": "succeeded"})
        } else {
            Value::Null
        };
        (
            200,
            json!({"id": sub, "object": "subscription", "status": "active", "customer": f.get("customer"), "discounts": discounts,
            "metadata": {"offerdeck_signup_cart": f.get("metadata[offerdeck_signup_cart]")},
            "latest_invoice": {"id": invoice, "object": "invoice", "subtotal": subtotal, "total": total, "total_excluding_tax": total,
                "status": if automatic { "paid" } else { "open" }, "lines": {"data": lines.iter().map(|l| json!({"id": l})).collect::<Vec<_>>()},
                "payment_intent": payment}}),
        )
    };
    if !idem.is_empty() {
        o.replays.insert(idem, answer.clone());
    }
    (StatusCode::from_u16(answer.0).unwrap(), axum::Json(answer.1))
}
