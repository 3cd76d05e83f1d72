//! Checkout sessions (`services::checkout`, API.md §10): the exact form Stripe receives, every
//! field rule, the locked email's customer, coupon reservations under concurrency, completion
//! by Stripe's event and by the return hop (racing), the signed redirect, expiry, and the
//! request id and metadata on every later webhook.
use crate::coupons::{create as create_coupon, setup};
use crate::helpers::stripe_stub::StripeStub;
use crate::helpers::{TestApp, assert_error};
use crate::stripe_events::stripe_event;
use axum::http::StatusCode;
use offerdeck::model::Environment;
use offerdeck::server::services::redirects;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

db_tests!(
    stripe_gets_the_exact_form_and_rules_hold,
    request_id_and_metadata_reach_every_later_webhook,
    the_redirect_is_signed_and_a_tampered_one_fails,
    reservations_hold_under_concurrency,
    webhook_and_return_hop_race_to_one_completion,
    a_workflow_creates_a_tracked_session,
    discounts_are_computed_on_the_server,
    loyalty_and_workflow_rules,
    cors_answers_allowed_origins_only,
    the_dashboard_shows_sessions_and_rules,
    per_customer_reservations_hold_under_concurrency,
);

const PATH: &str = "/api/v1/checkout-sessions";

pub(crate) struct Shop {
    pub app: TestApp,
    pub stub: StripeStub,
    pub sk: String,
    pub pk: String,
    pub tenant_id: String,
    pub product: String,
    pub monthly: String,
    pub integration: String,
}

/// A tenant with Stripe, a product with default return URLs and one monthly price of 20.00.
pub(crate) async fn shop(app: TestApp) -> Shop {
    let (app, stub, sk, pk, extra) = setup(app).await;
    let api = app.client(&sk);
    let product =
        api.create("/api/v1/products", json!({"name": "Pro", "successUrl": "https://shop.test/thanks", "cancelUrl": "https://shop.test/pricing"})).await;
    let product = product["id"].as_str().unwrap().to_string();
    let price = api
        .create("/api/v1/prices", json!({"productId": product, "currency": "gbp", "unitAmount": 2000, "interval": "month", "stripePriceId": "price_pro_m"}))
        .await;
    stub.price("price_pro_m", 2000);
    let integration = api.get("/api/v1/integrations/stripe").await.id();
    Shop { app, stub, sk, pk, tenant_id: extra.tenant_id, product, monthly: price["id"].as_str().unwrap().to_string(), integration }
}

fn form_of(stub: &StripeStub, path: &str) -> Vec<BTreeMap<String, String>> {
    stub.requests().iter().filter(|r| r.method == "POST" && r.path == path).map(|r| r.form().into_iter().collect()).collect()
}

pub(crate) async fn rows(app: &TestApp, table: &str) -> i64 {
    sqlx::Row::get(&sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&app.state.db.pool).await.unwrap(), 0)
}

/// The outgoing events of the tenant, oldest first: (type, data).
pub(crate) async fn events(app: &TestApp, tenant_id: &str) -> Vec<(String, Value)> {
    let rows = sqlx::query("SELECT event_type, payload FROM webhook_messages WHERE tenant_id = $1 ORDER BY created_at, id")
        .bind(tenant_id)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let payload: String = sqlx::Row::get(r, 1);
            (sqlx::Row::get(r, 0), serde_json::from_str::<Value>(&payload).unwrap()["data"].clone())
        })
        .collect()
}

/// A Stripe event signed with the test integration's webhook secret.
pub(crate) async fn send_stripe(app: &TestApp, integration: &str, body: &str) -> crate::helpers::Resp {
    crate::stripe_events::send_stripe(app, integration, body, "whsec_stripe_test_secret").await
}

// Scenario: a merchant opens sessions for a locked email (the Stripe customer is created once
// and reused), with a code and metadata; Stripe receives exactly §10's form; every bad field is
// refused with the field named and nothing stored; Stripe refusing keeps nothing.
async fn stripe_gets_the_exact_form_and_rules_hold(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    assert_eq!(
        create_coupon(&s.app, &s.sk, json!({"code": "WINBACK30", "type": "percentage", "amount": 30, "maxRedemptions": 5})).await.status,
        StatusCode::CREATED
    );
    let body = json!({"productId": s.product, "units": 2, "requestId": "order_12345", "customer": {"email": "Buyer@Example.com"},
        "discountCode": "winback30", "metadata": {"userId": "user_123", "visitCount": 42, "vip": true}});
    let r = api.post(PATH, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cs = r.json();
    let id = cs["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("cs_"));
    let stripe_id = cs["stripeCheckoutSessionId"].as_str().unwrap().to_string();
    assert_eq!(cs["status"], "pending");
    assert_eq!(cs["checkoutUrl"], format!("https://checkout.stripe.com/c/pay/{stripe_id}"));
    assert_eq!((cs["requestId"].as_str(), cs["units"].as_i64(), cs["priceId"].as_str()), (Some("order_12345"), Some(2), Some(s.monthly.as_str())));
    assert_eq!(cs["customer"]["email"], "buyer@example.com", "emails are compared lower-cased");
    assert_eq!(cs["discountCode"], "WINBACK30");
    assert_eq!(
        (cs["successUrl"].as_str(), cs["cancelUrl"].as_str()),
        (Some("https://shop.test/thanks"), Some("https://shop.test/pricing")),
        "the product's defaults"
    );
    assert_eq!(cs["metadata"], json!({"userId": "user_123", "visitCount": 42, "vip": true}));
    assert_eq!((cs["amountSubtotal"].as_i64(), cs["amountDiscount"].as_i64(), cs["amountTotal"].as_i64()), (Some(4000), Some(1200), Some(2800)));
    assert_eq!((cs["mode"].as_str(), cs["currency"].as_str(), cs["clientSecret"].as_str()), (Some("subscription"), Some("gbp"), None));
    let customer = cs["customer"]["stripeCustomerId"].as_str().unwrap().to_string();

    let customers = form_of(&s.stub, "/v1/customers");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["email"], "buyer@example.com");
    let sent = form_of(&s.stub, "/v1/checkout/sessions").pop().unwrap();
    let expires: i64 = sent["expires_at"].parse().unwrap();
    let want: BTreeMap<String, String> = [
        ("mode", "subscription"),
        ("line_items[0][price]", "price_pro_m"),
        ("line_items[0][quantity]", "2"),
        ("customer", customer.as_str()),
        ("client_reference_id", id.as_str()),
        ("metadata[offerdeck_checkout_session]", id.as_str()),
        ("subscription_data[metadata][offerdeck_checkout_session]", id.as_str()),
        ("discounts[0][coupon]", "WINBACK30"),
        ("success_url", &format!("http://127.0.0.1/checkout/return/{id}")),
        ("cancel_url", "https://shop.test/pricing"),
        ("expires_at", &expires.to_string()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(sent, want, "exactly §10's fields, never allow_promotion_codes");
    // Read from the session, not the clock: the clock may have passed a second since.
    let ms = |k: &str| cs[k].as_str().unwrap().parse::<jiff::Timestamp>().unwrap().as_millisecond();
    assert_eq!(expires, ms("expiresAt") / 1000, "Stripe gets the session's expiry");
    assert_eq!(ms("expiresAt") - ms("createdAt"), 24 * 3600 * 1000, "open for 24 hours");
    let version = s.stub.requests().iter().rev().find(|r| r.path == "/v1/checkout/sessions").unwrap().header("stripe-version");
    assert_eq!(version.as_deref(), Some("2024-06-20"));

    // The same email again (any case) reuses the customer; a one-off price is payment mode.
    api.create("/api/v1/prices", json!({"productId": s.product, "currency": "gbp", "unitAmount": 500, "stripePriceId": "price_pro_once"})).await;
    let r = api.post(PATH, json!({"productId": s.product, "customer": {"email": "BUYER@example.com"}})).await;
    assert_error(&r, 400, "validation_failed");
    assert!(r.json()["fields"]["priceId"].as_str().unwrap().contains("more than one"), "{}", r.body);
    let once = api.get(&format!("/api/v1/prices?productId={}", s.product)).await.json()["data"][0]["id"].as_str().unwrap().to_string();
    let r = api
        .post(PATH, json!({"productId": s.product, "priceId": once, "customer": {"email": "BUYER@example.com"}, "successUrl": "https://other.test/ok"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.json()["customer"]["stripeCustomerId"].as_str(), r.json()["mode"].as_str()), (Some(customer.as_str()), Some("payment")));
    assert_eq!(r.json()["successUrl"], "https://other.test/ok");
    assert_eq!(form_of(&s.stub, "/v1/customers").len(), 1, "found, not created again");
    let sent = form_of(&s.stub, "/v1/checkout/sessions").pop().unwrap();
    assert_eq!(sent.get("payment_intent_data[metadata][offerdeck_checkout_session]"), Some(&r.id()));
    assert!(!sent.contains_key("subscription_data[metadata][offerdeck_checkout_session]") && !sent.contains_key("discounts[0][coupon]"));

    let before = (rows(&s.app, "checkout_sessions").await, form_of(&s.stub, "/v1/checkout/sessions").len());
    let other = api.create("/api/v1/products", json!({"name": "Other"})).await;
    let bad = [
        (json!({"productId": s.product, "priceId": s.monthly, "units": 0}), "units"),
        (json!({"productId": s.product, "priceId": s.monthly, "units": 1001}), "units"),
        (json!({"productId": "prod_nope", "priceId": s.monthly}), "productId"),
        (json!({"productId": other["id"], "priceId": s.monthly}), "priceId"),
        (json!({"productId": s.product, "priceId": s.monthly, "customer": {"email": "a@b.test", "id": "cus_1"}}), "customer"),
        (json!({"productId": s.product, "priceId": s.monthly, "customer": {}}), "customer"),
        (json!({"productId": s.product, "priceId": s.monthly, "customer": {"email": "not-an-email"}}), "customer.email"),
        (json!({"productId": s.product, "priceId": s.monthly, "customer": {"id": "acct_1"}}), "customer.id"),
        (json!({"productId": s.product, "priceId": s.monthly, "metadata": {"nested": {"a": 1}}}), "metadata"),
        (json!({"productId": s.product, "priceId": s.monthly, "metadata": {"k".repeat(41): 1}}), "metadata"),
        (json!({"productId": s.product, "priceId": s.monthly, "successUrl": "javascript:alert(1)"}), "successUrl"),
        (json!({"productId": s.product, "priceId": s.monthly, "requestId": ""}), "requestId"),
        (json!({"productId": s.product, "priceId": s.monthly, "discountUpdates": "server_only"}), "discountUpdates"),
        (json!({"productId": other["id"]}), "successUrl"),
    ];
    for (body, field) in bad {
        let r = api.post(PATH, body.clone()).await;
        let j = assert_error(&r, 400, "validation_failed");
        assert!(j["fields"][field].is_string(), "{body}: {field} named in {j}");
    }
    let r = api.post(PATH, json!({"productId": s.product, "priceId": s.monthly, "discountCode": "NOPE"})).await;
    assert_error(&r, 404, "invalid_or_expired");
    assert_error(&api.post(PATH, json!({"productId": s.product, "priceId": s.monthly, "allowPromotionCodes": true})).await, 400, "validation_failed");
    assert_eq!((rows(&s.app, "checkout_sessions").await, form_of(&s.stub, "/v1/checkout/sessions").len()), before, "nothing stored, Stripe not asked");

    // Stripe refuses: 502 with its message, no session kept, the reservation given back.
    s.stub.script(vec![(400, json!({"error": {"type": "invalid_request_error", "message": "No such price: 'price_pro_m'"}}))]);
    let r = api.post(PATH, json!({"productId": s.product, "priceId": s.monthly, "discountCode": "WINBACK30"})).await;
    assert!(assert_error(&r, 502, "stripe_error")["message"].as_str().unwrap().contains("No such price"));
    assert_eq!(rows(&s.app, "checkout_sessions").await, before.0);
    assert_eq!(api.get("/api/v1/coupons/WINBACK30").await.json()["reserved"], 1, "only the first session holds a use");

    // Reads: one session (secret key of the environment only), the list with its filters.
    assert_eq!(api.get(&format!("{PATH}/{id}")).await.json()["id"], id.as_str());
    assert_error(&s.app.client(&s.pk).get(&format!("{PATH}/{id}")).await, 403, "forbidden");
    let page = api.get(&format!("{PATH}?requestId=order_12345")).await.json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(api.get(&format!("{PATH}?status=completed")).await.json()["data"], json!([]));
    assert_eq!(api.get(&format!("{PATH}?status=pending&limit=1")).await.json()["hasMore"], true);
    assert_error(&api.get(&format!("{PATH}?status=paid")).await, 400, "validation_failed");
}

// Scenario: a session with a request id, metadata and a code completes (Stripe's event); its
// `checkout.completed`, the `coupon.redeemed` it causes and the later `subscription.cancelled`
// all carry `checkoutSessionId`, `requestId` and `metadata`; the same event again changes
// nothing; `/expire` on it is 409.
async fn request_id_and_metadata_reach_every_later_webhook(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    create_coupon(&s.app, &s.sk, json!({"code": "SPRING", "type": "percentage", "amount": 10})).await;
    let body =
        json!({"productId": s.product, "requestId": "order_7", "customer": {"email": "b@shop.test"}, "discountCode": "SPRING", "metadata": {"userId": "u_7"}});
    let cs = api.create(PATH, body).await;
    let (id, sid) = (cs["id"].as_str().unwrap().to_string(), cs["stripeCheckoutSessionId"].as_str().unwrap().to_string());
    let paid = s.stub.complete(&sid);
    let sub = paid["subscription"].as_str().unwrap().to_string();
    let ev = stripe_event("evt_done_1", "checkout.session.completed", paid.clone());
    let r = send_stripe(&s.app, &s.integration, &ev).await;
    assert_eq!(r.json()["outcome"], format!("checkout session {id} completed"), "{}", r.body);
    assert_eq!(send_stripe(&s.app, &s.integration, &ev).await.json()["duplicate"], true);
    let again = stripe_event("evt_done_2", "checkout.session.completed", paid);
    assert_eq!(send_stripe(&s.app, &s.integration, &again).await.json()["outcome"], format!("checkout session {id} was completed already"));
    let done = api.get(&format!("{PATH}/{id}")).await.json();
    assert_eq!((done["status"].as_str(), done["stripeSubscriptionId"].as_str()), (Some("completed"), Some(sub.as_str())));
    assert!(done["completedAt"].is_string());
    let coupon = api.get("/api/v1/coupons/SPRING").await.json();
    assert_eq!((coupon["timesRedeemed"].as_i64(), coupon["reserved"].as_i64()), (Some(1), Some(0)), "the reservation became the redemption");
    let reds = api.get("/api/v1/coupons/SPRING/redemptions").await.json();
    assert_eq!((reds["data"][0]["subscriptionId"].as_str(), reds["data"][0]["source"].as_str()), (Some(sub.as_str()), Some("checkout")));

    // The subscription Stripe created, then cancelled: both carry the checkout's context; the
    // subscription's own coupon is not redeemed a second time.
    let sub_obj = json!({"id": sub, "customer": cs["customer"]["stripeCustomerId"], "status": "active", "discount": {"coupon": {"id": "SPRING"}},
        "metadata": {"offerdeck_checkout_session": id}});
    send_stripe(&s.app, &s.integration, &stripe_event("evt_sub_c", "customer.subscription.created", sub_obj.clone())).await;
    let mut cancelled = sub_obj.clone();
    cancelled["status"] = json!("canceled");
    cancelled["metadata"] = json!({});
    send_stripe(&s.app, &s.integration, &stripe_event("evt_sub_d", "customer.subscription.deleted", cancelled)).await;
    assert_eq!(api.get("/api/v1/coupons/SPRING").await.json()["timesRedeemed"], 1);
    let evs = events(&s.app, &s.tenant_id).await;
    let types: Vec<&str> = evs.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["coupon.redeemed", "checkout.completed", "subscription.created", "subscription.cancelled"]);
    for (t, data) in &evs {
        assert_eq!((data["checkoutSessionId"].as_str(), data["requestId"].as_str()), (Some(id.as_str()), Some("order_7")), "{t}: {data}");
        assert_eq!(data["metadata"], json!({"userId": "u_7"}), "{t}");
    }
    assert_eq!(evs[1].1["amountTotal"], 1800);
    assert_error(&api.post(&format!("{PATH}/{id}/expire"), "").await, 409, "conflict");
    let timeline = offerdeck::server::db::checkout::timeline(&s.app.state.db.pool, &s.app.scope(&s.tenant_id, Environment::Preview), &id, 100).await.unwrap();
    let kinds: Vec<&str> = timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(&kinds[..3], ["created", "completed", "webhook"], "{timeline:?}");
}

fn query_of(location: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap()
}

// Scenario: with a redirect signing secret, the buyer's return is 303 to the success URL with
// Creem's parameters, signed; the signature verifies and a tampered parameter does not; an
// open session's return goes to the cancel URL; an unknown id is 404.
async fn the_redirect_is_signed_and_a_tampered_one_fails(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    let secret = api.post("/api/v1/settings/redirect-signing-secret", "").await.json()["secret"].as_str().unwrap().to_string();
    let cs = api
        .create(
            PATH,
            json!({"productId": s.product, "requestId": "order_9", "customer": {"email": "r@shop.test"}, "successUrl": "https://shop.test/ok?from=x"}),
        )
        .await;
    let (id, sid) = (cs["id"].as_str().unwrap().to_string(), cs["stripeCheckoutSessionId"].as_str().unwrap().to_string());
    let open = s.app.get(&format!("/checkout/return/{id}"), None).await;
    assert_eq!(
        (open.status, open.header("location").as_deref()),
        (StatusCode::SEE_OTHER, Some("https://shop.test/pricing")),
        "not paid: back to the cancel URL"
    );
    s.stub.complete(&sid);
    let r = s.app.get(&format!("/checkout/return/{id}"), None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location").unwrap();
    assert!(location.starts_with("https://shop.test/ok?from=x&"), "{location}");
    let q = query_of(&location);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let done = api.get(&format!("{PATH}/{id}")).await.json();
    assert_eq!(done["status"], "completed", "the return hop completed it");
    assert_eq!(get("checkout_id").as_deref(), Some(id.as_str()));
    assert_eq!(get("request_id").as_deref(), Some("order_9"));
    assert_eq!(get("customer_id"), done["customer"]["stripeCustomerId"].as_str().map(str::to_string));
    assert_eq!(get("subscription_id"), done["stripeSubscriptionId"].as_str().map(str::to_string));
    assert_eq!(get("product_id").as_deref(), Some(s.product.as_str()));
    let signature = get("signature").unwrap();
    assert_eq!(get("from").as_deref(), Some("x"), "the success URL's own parameters stay");
    let signed: Vec<(&str, &str)> = q.iter().filter(|(k, _)| k != "signature").map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert!(redirects::verify(std::slice::from_ref(&secret), &signed, &signature), "Creem's scheme verifies");
    let mut tampered = signed.clone();
    tampered.iter_mut().find(|(k, _)| *k == "request_id").unwrap().1 = "order_10";
    assert!(!redirects::verify(&[secret], &tampered, &signature), "a tampered request_id does not");
    // Coming back twice is fine and counts nothing twice.
    assert_eq!(s.app.get(&format!("/checkout/return/{id}"), None).await.status, StatusCode::SEE_OTHER);
    assert_eq!(events(&s.app, &s.tenant_id).await.iter().filter(|(t, _)| t == "checkout.completed").count(), 1);
    assert_eq!(s.app.get("/checkout/return/cs_nope", None).await.status, StatusCode::NOT_FOUND);
}

// Scenario: 50 concurrent sessions against a coupon limited to 10 create exactly 10 (the others
// 404); expiring one (by `/expire` and by Stripe's event) frees its use for another buyer; a
// completion converts one; direct redemptions count against the same limit.
async fn reservations_hold_under_concurrency(app: TestApp) {
    let s = shop(app).await;
    create_coupon(&s.app, &s.sk, json!({"code": "TEN", "type": "fixed", "amount": 500, "currency": "gbp", "maxRedemptions": 10})).await;
    let app = Arc::new(s.app);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (app, sk, product) = (app.clone(), s.sk.clone(), s.product.clone());
        tasks.push(tokio::spawn(async move {
            app.api("POST", PATH, &sk, Some(&json!({"productId": product, "discountCode": "TEN", "requestId": format!("o{i}")}).to_string())).await
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        match r.status.as_u16() {
            201 => created.push(r.json()),
            _ => {
                assert_error(&r, 404, "invalid_or_expired");
            }
        }
    }
    assert_eq!(created.len(), 10, "exactly the limit");
    let coupon = app.client(&s.sk).get("/api/v1/coupons/TEN").await.json();
    assert_eq!((coupon["reserved"].as_i64(), coupon["timesRedeemed"].as_i64()), (Some(10), Some(0)));
    assert_error(&app.client(&s.sk).post("/api/v1/coupons/validate", json!({"code": "TEN"})).await, 404, "invalid_or_expired");
    let direct = app.client(&s.sk).post("/api/v1/coupons/TEN/redemptions", json!({"subscriptionId": "sub_direct"})).await;
    assert_error(&direct, 404, "invalid_or_expired");
    let body = json!({"productId": s.product, "discountCode": "TEN"});
    assert_error(&app.client(&s.sk).post(PATH, body.clone()).await, 404, "invalid_or_expired");

    // `/expire` releases one use; Stripe's expiry event another.
    let first = created[0]["id"].as_str().unwrap().to_string();
    let r = app.client(&s.sk).post(&format!("{PATH}/{first}/expire"), "").await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("expired")), "{}", r.body);
    assert_eq!(s.stub.session(created[0]["stripeCheckoutSessionId"].as_str().unwrap())["status"], "expired", "expired in Stripe too");
    assert_eq!(app.client(&s.sk).post(&format!("{PATH}/{first}/expire"), "").await.json()["status"], "expired", "again: as it is");
    let second = created[1]["id"].as_str().unwrap().to_string();
    let obj = s.stub.expire(created[1]["stripeCheckoutSessionId"].as_str().unwrap());
    let r = send_stripe(&app, &s.integration, &stripe_event("evt_exp", "checkout.session.expired", obj)).await;
    assert_eq!(r.json()["outcome"], format!("checkout session {second} expired"));
    assert_eq!(app.client(&s.sk).get("/api/v1/coupons/TEN").await.json()["reserved"], 8);
    // One freed use goes to a new session, the other to a direct redemption; then none is left.
    assert_eq!(app.client(&s.sk).post(PATH, body.clone()).await.status, StatusCode::CREATED);
    assert_eq!(app.client(&s.sk).post("/api/v1/coupons/TEN/redemptions", json!({"subscriptionId": "sub_direct"})).await.status, StatusCode::CREATED);
    assert_error(&app.client(&s.sk).post(PATH, body).await, 404, "invalid_or_expired");
    // A completion converts its reservation.
    let third = created[2]["stripeCheckoutSessionId"].as_str().unwrap();
    let paid = s.stub.complete(third);
    send_stripe(&app, &s.integration, &stripe_event("evt_paid", "checkout.session.completed", paid)).await;
    let coupon = app.client(&s.sk).get("/api/v1/coupons/TEN").await.json();
    assert_eq!((coupon["reserved"].as_i64(), coupon["timesRedeemed"].as_i64()), (Some(8), Some(2)));
    let expired = events(&app, &s.tenant_id).await.into_iter().filter(|(t, _)| t == "checkout.expired").count();
    assert_eq!(expired, 2);
}

// Scenario: Stripe's completion event and the buyer's return arrive at once, many times over:
// the session completes once, with one `checkout.completed` and one redemption.
async fn webhook_and_return_hop_race_to_one_completion(app: TestApp) {
    let s = shop(app).await;
    create_coupon(&s.app, &s.sk, json!({"code": "RACE", "type": "percentage", "amount": 5, "maxRedemptions": 3})).await;
    let app = Arc::new(s.app);
    let api = app.client(&s.sk);
    let cs = api.create(PATH, json!({"productId": s.product, "discountCode": "RACE"})).await;
    let (id, sid) = (cs["id"].as_str().unwrap().to_string(), cs["stripeCheckoutSessionId"].as_str().unwrap().to_string());
    let paid = s.stub.complete(&sid);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (app, integration, id) = (app.clone(), s.integration.clone(), id.clone());
        let ev = stripe_event(&format!("evt_race_{i}"), "checkout.session.completed", paid.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 { send_stripe(&app, &integration, &ev).await.status } else { app.get(&format!("/checkout/return/{id}"), None).await.status }
        }));
    }
    for t in tasks {
        let st = t.await.unwrap();
        assert!(st == StatusCode::OK || st == StatusCode::SEE_OTHER, "{st}");
    }
    let evs = events(&app, &s.tenant_id).await;
    assert_eq!(evs.iter().filter(|(t, _)| t == "checkout.completed").count(), 1, "{evs:?}");
    assert_eq!(evs.iter().filter(|(t, _)| t == "coupon.redeemed").count(), 1);
    let coupon = api.get("/api/v1/coupons/RACE").await.json();
    assert_eq!((coupon["timesRedeemed"].as_i64(), coupon["reserved"].as_i64()), (Some(1), Some(0)));
    assert_eq!(api.get(&format!("{PATH}/{id}")).await.json()["status"], "completed");
}

const WORKFLOW: &str = r#"export default async function ({ offer, identity, integrations }) {
  const session = await integrations.offerdeck.checkoutSessions.create({
    productId: offer.prices[0].productId,
    requestId: `offer-${offer.id}`,
    customer: { email: identity.identifier },
    metadata: { offerId: offer.id, source: "workflow" },
  });
  let refused = "";
  try {
    await integrations.offerdeck.checkoutSessions.create({ productId: "prod_nope" });
  } catch (e) {
    refused = `${e.code}: ${e.message}`;
  }
  return { success: true, action: "navigate", url: session.checkoutUrl, properties: { id: session.id, requestId: session.requestId, refused } };
}
"#;

// Scenario: an offer's workflow creates a tracked checkout session through
// `integrations.offerdeck.checkoutSessions.create` (same rules, same Stripe form) and sends the
// buyer to it; a refused call throws with the contract's code.
async fn a_workflow_creates_a_tracked_session(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    let method = api.create("/api/v1/redemption-methods", json!({"name": "Tracked", "schema": "custom"})).await["id"].as_str().unwrap().to_string();
    let saved = api.put(&format!("/api/v1/redemption-methods/{method}/workflow"), json!({"code": WORKFLOW})).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let offer = api
        .create("/api/v1/offers", json!({"name": "Pro monthly", "redemptionMethodId": method, "priceIds": [s.monthly], "presentation": {"title": "Pro"}}))
        .await;
    let offer = offer["id"].as_str().unwrap().to_string();
    let r = api
        .post(&format!("/api/v1/redemption-methods/{method}/workflow/test"), json!({"identity": {"userIdentifier": "wf@shop.test"}, "offerId": offer}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = r.json();
    let result = &out["result"];
    let id = result["properties"]["id"].as_str().unwrap_or_else(|| panic!("{out}")).to_string();
    assert_eq!(result["properties"]["requestId"], format!("offer-{offer}"));
    assert!(result["properties"]["refused"].as_str().unwrap().starts_with("validation_failed: "), "{out}");
    let cs = api.get(&format!("{PATH}/{id}")).await.json();
    assert_eq!((cs["customer"]["email"].as_str(), cs["metadata"]["source"].as_str()), (Some("wf@shop.test"), Some("workflow")));
    assert_eq!(result["url"], cs["checkoutUrl"]);
    let sent = form_of(&s.stub, "/v1/checkout/sessions").pop().unwrap();
    assert_eq!(sent.get("client_reference_id"), Some(&id));
    let timeline = offerdeck::server::db::checkout::timeline(&s.app.state.db.pool, &s.app.scope(&s.tenant_id, Environment::Preview), &id, 10).await.unwrap();
    assert_eq!(timeline[0].detail, "created by a redemption workflow");
}

/// A `server_only` session of one unit of a one-off price of `amount` (registered with the stub).
async fn custom_session(s: &Shop, amount: i64, stripe_price: &str) -> Value {
    let api = s.app.client(&s.sk);
    let product = api
        .create("/api/v1/products", json!({"name": format!("Cart {amount}"), "successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no"}))
        .await;
    api.create("/api/v1/prices", json!({"productId": product["id"], "currency": "gbp", "unitAmount": amount, "stripePriceId": stripe_price})).await;
    s.stub.price(stripe_price, amount);
    let r = api.post(PATH, json!({"productId": product["id"], "uiMode": "custom", "discountUpdates": "server_only"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

// Scenario: the seed's rule (10 % over 100.00, at most 20.00) at 99.99, 100.00 and 1,000.00
// through `recompute-discounts` (Stripe gets `coupon_data`, or an empty `discounts`); a code
// replaces the rule and is reserved; removal releases it; a publishable key needs the
// session's client secret (a tampered one is 403); two discounts in Stripe are 400; errors say
// `"type": "error"`.
async fn discounts_are_computed_on_the_server(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    let rule = api
        .create("/api/v1/discount-rules", json!({"name": "10% over £100", "type": "cart_value", "currency": "gbp", "tiers": [{"minSubtotal": 10000, "percentOff": 10, "maxAmountOff": 2000}]}))
        .await;
    let rule_id = rule["id"].as_str().unwrap().to_string();
    create_coupon(&s.app, &s.sk, json!({"code": "SPRING10", "type": "percentage", "amount": 10, "maxRedemptions": 5})).await;
    let mut out = Vec::new();
    for (amount, price) in [(9999, "price_9999"), (10000, "price_10000"), (100000, "price_100000")] {
        let cs = custom_session(&s, amount, price).await;
        assert!(cs["clientSecret"].as_str().is_some_and(|c| !c.is_empty()), "{cs}");
        assert!(cs["checkoutUrl"].is_null());
        let id = cs["id"].as_str().unwrap();
        let r = s.app.client(&s.pk).post(&format!("{PATH}/{id}/recompute-discounts"), json!({"clientSecret": cs["clientSecret"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!((j["type"].as_str(), j["value"]["succeeded"].as_bool()), (Some("object"), Some(true)));
        out.push((cs, j["checkoutSession"].clone()));
    }
    let created = form_of(&s.stub, "/v1/checkout/sessions").pop().unwrap();
    assert_eq!(
        (created.get("ui_mode").map(String::as_str), created.get("permissions[update_discounts]").map(String::as_str)),
        (Some("custom"), Some("server_only"))
    );
    assert!(created.contains_key("return_url") && !created.contains_key("success_url"));
    let versions: Vec<String> =
        s.stub.requests().iter().filter(|r| r.path.starts_with("/v1/checkout/sessions")).filter_map(|r| r.header("stripe-version")).collect();
    assert!(versions.iter().filter(|v| v.contains("checkout_server_update_beta=v1")).count() >= 9, "creation, re-reads and updates: {versions:?}");
    let got: Vec<(i64, i64)> = out.iter().map(|(_, s)| (s["amountDiscount"].as_i64().unwrap(), s["amountTotal"].as_i64().unwrap())).collect();
    assert_eq!(got, [(0, 9999), (1000, 9000), (2000, 98000)]);
    assert!(out[0].1["discount"].is_null());
    assert_eq!(out[2].1["discount"], json!({"source": "rule", "code": null, "ruleId": rule_id, "amount": 2000}));
    let updates = form_of(&s.stub, &format!("/v1/checkout/sessions/{}", out[2].0["stripeCheckoutSessionId"].as_str().unwrap()));
    let sent = updates.last().unwrap();
    assert_eq!(sent.get("discounts[0][coupon_data][amount_off]").map(String::as_str), Some("2000"));
    assert_eq!(sent.get("discounts[0][coupon_data][currency]").map(String::as_str), Some("gbp"));
    let first_update = form_of(&s.stub, &format!("/v1/checkout/sessions/{}", out[0].0["stripeCheckoutSessionId"].as_str().unwrap()));
    assert_eq!(first_update.last().unwrap().get("discounts").map(String::as_str), Some(""), "no rule matches: the discount is removed");

    // A code replaces the rule; the use is reserved; removing gives it back.
    let (big, _) = &out[2];
    let id = big["id"].as_str().unwrap();
    let secret = big["clientSecret"].as_str().unwrap();
    let r = s.app.client(&s.pk).post(&format!("{PATH}/{id}/apply-discount-code"), json!({"clientSecret": secret, "code": "spring10"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cs = &r.json()["checkoutSession"];
    assert_eq!((cs["discount"]["source"].as_str(), cs["discount"]["code"].as_str(), cs["amountTotal"].as_i64()), (Some("code"), Some("SPRING10"), Some(90000)));
    assert_eq!(api.get("/api/v1/coupons/SPRING10").await.json()["reserved"], 1);
    let r = api.post(&format!("{PATH}/{id}/remove-discount"), json!({})).await;
    assert_eq!((r.status, r.json()["checkoutSession"]["amountTotal"].as_i64()), (StatusCode::OK, Some(100000)), "{}", r.body);
    assert!(r.json()["checkoutSession"]["discount"].is_null());
    assert_eq!(api.get("/api/v1/coupons/SPRING10").await.json()["reserved"], 0);
    let apps = offerdeck::server::db::discounts::applications(&s.app.state.db.pool, &s.app.scope(&s.tenant_id, Environment::Preview), id).await.unwrap();
    let trail: Vec<(&str, i64, i64)> = apps.iter().map(|a| (a.source.as_str(), a.amount_before, a.amount_after)).collect();
    assert_eq!(trail, [("rule", 100000, 98000), ("code", 98000, 90000), ("removed", 90000, 100000)]);

    // Refusals: a tampered client secret, none with a publishable key, an unknown code, two
    // discounts in Stripe; each in the error body with "type": "error".
    let pk = s.app.client(&s.pk);
    let r = pk.post(&format!("{PATH}/{id}/recompute-discounts"), json!({"clientSecret": format!("{secret}x")})).await;
    assert_eq!(assert_error(&r, 403, "forbidden")["type"], "error");
    assert_error(&pk.post(&format!("{PATH}/{id}/remove-discount"), json!({})).await, 403, "forbidden");
    let r = pk.post(&format!("{PATH}/{id}/apply-discount-code"), json!({"clientSecret": secret, "code": "NOPE"})).await;
    assert_eq!(assert_error(&r, 404, "invalid_or_expired")["type"], "error");
    let mut two = s.stub.session(big["stripeCheckoutSessionId"].as_str().unwrap());
    two["discounts"] = json!([{"coupon": "A"}, {"coupon": "B"}]);
    s.stub.script(vec![(200, two)]);
    assert_error(&api.post(&format!("{PATH}/{id}/recompute-discounts"), json!({})).await, 400, "validation_failed");
    // A hosted session's discounts belong to Stripe.
    let hosted = api.create(PATH, json!({"productId": s.product})).await;
    assert_error(&api.post(&format!("{PATH}/{}/recompute-discounts", hosted["id"].as_str().unwrap()), json!({})).await, 409, "conflict");

    // The rule page's "try it".
    let trial = |subtotal: i64| api.post("/api/v1/discount-rules/evaluate", json!({"subtotal": subtotal, "currency": "gbp"}));
    assert_eq!(trial(9999).await.json()["discount"], Value::Null);
    assert_eq!(trial(100000).await.json()["discount"], json!({"ruleId": rule_id, "name": "10% over £100", "amountOff": 2000}));
}

// Scenario: loyalty and workflow rules; priority decides; a rule's bad input is refused with
// the field named and nothing stored.
async fn loyalty_and_workflow_rules(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    let before = rows(&s.app, "discount_rules").await;
    for (body, field) in [
        (json!({"name": "x", "type": "cart_value", "tiers": []}), "tiers"),
        (json!({"name": "x", "type": "cart_value", "tiers": [{"minSubtotal": 1, "percentOff": 10, "amountOff": 5}], "currency": "gbp"}), "tiers"),
        (json!({"name": "x", "type": "loyalty", "percentOff": 10}), "minCompletedCheckouts"),
        (json!({"name": "x", "type": "loyalty", "minCompletedCheckouts": 1, "amountOff": 100}), "currency"),
        (json!({"name": "x", "type": "workflow"}), "code"),
        (json!({"name": " ", "type": "loyalty", "minCompletedCheckouts": 1, "percentOff": 5}), "name"),
    ] {
        let j = assert_error(&api.post("/api/v1/discount-rules", body.clone()).await, 400, "validation_failed");
        assert!(j["fields"][field].is_string(), "{body}: {j}");
    }
    let r = api.post("/api/v1/discount-rules", json!({"name": "broken", "type": "workflow", "code": "export default async ( => 1"})).await;
    assert_error(&r, 400, "validation_failed");
    assert_eq!(rows(&s.app, "discount_rules").await, before, "nothing stored");
    let code = "export default async ({ session, customer }) => session.subtotal >= 5000 && customer.id ? { percentOff: 25 } : null;";
    let wf = api.create("/api/v1/discount-rules", json!({"name": "Members", "type": "workflow", "code": code, "priority": 5})).await;
    let loyal = api.create("/api/v1/discount-rules", json!({"name": "Loyal", "type": "loyalty", "minCompletedCheckouts": 1, "percentOff": 50})).await;
    let trial = |subtotal: i64, customer: Option<&str>| {
        api.post("/api/v1/discount-rules/evaluate", json!({"subtotal": subtotal, "currency": "gbp", "customerId": customer}))
    };
    assert_eq!(trial(6000, None).await.json()["discount"], Value::Null, "the workflow wants a customer; loyalty none yet");
    let got = trial(6000, Some("cus_x")).await.json();
    assert_eq!((got["discount"]["ruleId"].as_str(), got["discount"]["amountOff"].as_i64()), (wf["id"].as_str(), Some(1500)));
    // A customer with a completed checkout: loyalty (50 %) matches too, but the workflow's
    // priority is higher.
    let cs = api.create(PATH, json!({"productId": s.product, "customer": {"email": "loyal@shop.test"}})).await;
    let paid = s.stub.complete(cs["stripeCheckoutSessionId"].as_str().unwrap());
    send_stripe(&s.app, &s.integration, &stripe_event("evt_loyal", "checkout.session.completed", paid)).await;
    let customer = cs["customer"]["stripeCustomerId"].as_str().unwrap();
    assert_eq!(trial(6000, Some(customer)).await.json()["discount"]["ruleId"], wf["id"]);
    assert_eq!(trial(4000, Some(customer)).await.json()["discount"]["ruleId"], loyal["id"], "below the workflow's threshold");
    let r = api
        .patch(
            &format!("/api/v1/discount-rules/{}", wf["id"].as_str().unwrap()),
            json!({"name": "Members", "type": "workflow", "code": "export default async () => ({ percentOff: 500 });"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bad = trial(6000, Some(customer)).await.json();
    assert_eq!(bad["discount"]["ruleId"], loyal["id"]);
    assert!(bad["problems"][0].as_str().unwrap().starts_with("Members: "), "{bad}");
}

async fn with_origin(app: &TestApp, method: &str, path: &str, key: Option<&str>, origin: &str, body: Option<Value>) -> crate::helpers::Resp {
    let mut b = axum::http::Request::builder().method(method).uri(path).header("origin", origin);
    if let Some(k) = key {
        b = b.header("authorization", format!("Bearer {k}"));
    }
    if method == "OPTIONS" {
        b = b.header("access-control-request-method", "POST").header("access-control-request-headers", "authorization, content-type");
    }
    let body = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            axum::body::Body::from(v.to_string())
        }
        None => axum::body::Body::empty(),
    };
    app.send(b.body(body).unwrap()).await
}

// Scenario: a merchant allows https://shop.example for preview; a browser page there gets its
// preflight and its publishable-key answers with Access-Control-Allow-Origin; another origin,
// the live environment's key and every secret-key endpoint get no CORS headers.
async fn cors_answers_allowed_origins_only(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    const O: &str = "/api/v1/settings/allowed-origins";
    for bad in ["https://*.shop.example", "https://shop.example/path", "shop.example"] {
        assert_error(&api.put(O, json!({"allowedOrigins": [bad]})).await, 400, "validation_failed");
    }
    assert_error(&s.app.client(&s.pk).put(O, json!({"allowedOrigins": ["https://x.test"]})).await, 403, "forbidden");
    let r = api.put(O, json!({"allowedOrigins": ["https://Shop.Example", "http://127.0.0.1:8080", "https://shop.example"]})).await;
    assert_eq!(r.json()["allowedOrigins"], json!(["http://127.0.0.1:8080", "https://shop.example"]), "{}", r.body);
    assert_eq!(api.get(O).await.json(), r.json());
    create_coupon(&s.app, &s.sk, json!({"code": "CORS5", "type": "percentage", "amount": 5})).await;
    let acao = |r: &crate::helpers::Resp| r.header("access-control-allow-origin");

    let pre = with_origin(&s.app, "OPTIONS", "/api/v1/coupons/validate", None, "https://shop.example", None).await;
    assert_eq!((pre.status, acao(&pre).as_deref()), (StatusCode::NO_CONTENT, Some("https://shop.example")));
    assert!(pre.header("access-control-allow-headers").unwrap().contains("authorization"));
    let pre = with_origin(&s.app, "OPTIONS", "/api/v1/coupons/validate", None, "https://evil.example", None).await;
    assert_eq!(acao(&pre), None, "an origin nobody allows");
    let pre = with_origin(&s.app, "OPTIONS", "/api/v1/coupons", None, "https://shop.example", None).await;
    assert_eq!(acao(&pre), None, "a secret-key endpoint");

    let ok = with_origin(&s.app, "POST", "/api/v1/coupons/validate", Some(&s.pk), "https://shop.example", Some(json!({"code": "cors5"}))).await;
    assert_eq!((ok.status, acao(&ok).as_deref()), (StatusCode::OK, Some("https://shop.example")), "{}", ok.body);
    let evil = with_origin(&s.app, "POST", "/api/v1/coupons/validate", Some(&s.pk), "https://evil.example", Some(json!({"code": "cors5"}))).await;
    assert_eq!(acao(&evil), None);
    assert_error(&evil, 403, "forbidden");
    let secret = with_origin(&s.app, "POST", "/api/v1/coupons/validate", Some(&s.sk), "https://shop.example", Some(json!({"code": "cors5"}))).await;
    assert_eq!((secret.status, acao(&secret)), (StatusCode::OK, None), "a secret key never answers CORS");
    let list = with_origin(&s.app, "GET", "/api/v1/coupons", Some(&s.sk), "https://shop.example", None).await;
    assert_eq!(acao(&list), None);
}

// Scenario: the dashboard's checkout pages and discount rules: a merchant lists, searches and
// opens a session (its timeline), creates a rule from the form and tries it; a marketer reads
// the same pages but cannot expire a session or create a rule.
async fn the_dashboard_shows_sessions_and_rules(app: TestApp) {
    let s = shop(app).await;
    let api = s.app.client(&s.sk);
    let cs = api.create(PATH, json!({"productId": s.product, "requestId": "order_dash", "customer": {"email": "dash@shop.test"}})).await;
    let id = cs["id"].as_str().unwrap().to_string();
    s.app.member("merchant@dash.test", &s.tenant_id, offerdeck::model::Role::Merchant).await;
    s.app.member("marketer@dash.test", &s.tenant_id, offerdeck::model::Role::Marketer).await;
    let merchant = s.app.session("merchant@dash.test", "password-123").await;
    let marketer = s.app.session("marketer@dash.test", "password-123").await;
    let page = merchant.sfn("checkout/page", &[("q", "ORDER_D")]).await.json();
    assert_eq!(page["data"][0]["id"], id.as_str(), "search is case-insensitive on the request id: {page}");
    assert_eq!(merchant.sfn("checkout/page", &[("q", "nobody@")]).await.json()["data"], json!([]));
    let html = merchant.page(&format!("/checkout-sessions/{id}")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("order_dash") && html.body.contains("created by"), "the facts and the timeline");
    let detail = marketer.sfn("checkout/get", &[("id", &id)]).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert!(detail.json()["session"]["clientSecret"].is_null());
    crate::helpers::assert_sfn_error(&marketer.sfn("checkout/expire", &[("id", &id)]).await, 403, "forbidden");
    assert_eq!(api.get(&format!("{PATH}/{id}")).await.json()["status"], "pending", "the marketer changed nothing");
    let form = [
        ("name", "Big carts"),
        ("rule_type", "cart_value"),
        ("currency", "gbp"),
        ("min_subtotal", "100.00"),
        ("percent_off", "10"),
        ("max_amount_off", "20.00"),
    ];
    crate::helpers::assert_sfn_error(&marketer.sfn("discounts/create", &form).await, 403, "forbidden");
    let bad = merchant.sfn("discounts/create", &[("name", "Big carts"), ("rule_type", "cart_value"), ("currency", "gbp"), ("percent_off", "150")]).await;
    assert!(crate::helpers::assert_sfn_error(&bad, 400, "validation_failed")["fields"]["percent_off"].is_string(), "{}", bad.body);
    assert_eq!(rows(&s.app, "discount_rules").await, 0);
    let made = merchant.sfn("discounts/create", &form).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let rule = made.json();
    assert_eq!(rule["tiers"], json!([{"minSubtotal": 10000, "percentOff": 10, "amountOff": null, "maxAmountOff": 2000}]));
    assert_eq!(marketer.sfn("discounts/try", &[("subtotal", ""), ("currency", "gbp")]).await.json(), Value::Null, "nothing typed yet");
    let tried = marketer.sfn("discounts/try", &[("subtotal", "150.00"), ("currency", "GBP"), ("customer", "")]).await.json();
    assert_eq!(tried["discount"], json!({"ruleId": rule["id"], "name": "Big carts", "amountOff": 1500}));
    assert_eq!(marketer.sfn("discounts/list", &[]).await.json()[0]["id"], rule["id"]);
}

// Scenario: one buyer opens 20 sessions at once with a code limited to 2 uses per customer: 2
// are created (the locked email is one Stripe customer); expiring one gives its use back.
async fn per_customer_reservations_hold_under_concurrency(app: TestApp) {
    let s = shop(app).await;
    create_coupon(&s.app, &s.sk, json!({"code": "TWICE", "type": "percentage", "amount": 5, "maxRedemptionsPerCustomer": 2})).await;
    // The customer exists before the race (the first session finds or creates it).
    let first = s.app.client(&s.sk).create(PATH, json!({"productId": s.product, "customer": {"email": "same@shop.test"}})).await;
    let app = Arc::new(s.app);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (app, sk, product) = (app.clone(), s.sk.clone(), s.product.clone());
        tasks.push(tokio::spawn(async move {
            app.api("POST", PATH, &sk, Some(&json!({"productId": product, "customer": {"email": "SAME@shop.test"}, "discountCode": "TWICE"}).to_string())).await
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        if r.status == StatusCode::CREATED {
            created.push(r.json());
        } else {
            assert_error(&r, 404, "invalid_or_expired");
        }
    }
    assert_eq!(created.len(), 2, "the per-customer limit holds across open sessions");
    assert!(created.iter().all(|c| c["customer"]["stripeCustomerId"] == first["customer"]["stripeCustomerId"]));
    let body = json!({"productId": s.product, "customer": {"email": "same@shop.test"}, "discountCode": "TWICE"});
    assert_error(&app.client(&s.sk).post(PATH, body.clone()).await, 404, "invalid_or_expired");
    let id = created[0]["id"].as_str().unwrap();
    assert_eq!(app.client(&s.sk).post(&format!("{PATH}/{id}/expire"), "").await.json()["status"], "expired");
    assert_eq!(app.client(&s.sk).post(PATH, body.clone()).await.status, StatusCode::CREATED, "the expired session's use came back");
    let other = json!({"productId": s.product, "customer": {"email": "other@shop.test"}, "discountCode": "TWICE"});
    assert_eq!(app.client(&s.sk).post(PATH, other).await.status, StatusCode::CREATED, "another customer has uses of their own");
}
