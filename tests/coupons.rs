//! Coupons through the API on both databases: the crxpay rules, Stripe mirroring (the exact form
//! body the local Stripe server received), validation with a publishable key, redemption limits
//! under concurrency, incoming Stripe events, and signed outgoing webhooks with retries.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::receiver::Receiver;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use offerdeck::model::Environment;
use serde_json::{Value, json};
use std::sync::Arc;

db_tests!(
    rules_and_stripe_mirroring,
    validation_and_redemption,
    limits_hold_under_concurrency,
    stripe_events_redeem_once,
    webhooks_are_signed_retried_and_logged,
    counts_and_csv_for_marketers,
    validation_is_rate_limited,
);

struct Setup {
    tenant_id: String,
    live_sk: String,
}

async fn setup(app: TestApp) -> (TestApp, StripeStub, String, String, Setup) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let r = app
        .api("PUT", "/api/v1/integrations/stripe", &sk, Some(&json!({"secretKey": GOOD_TEST_KEY, "webhookSecret": "whsec_stripe_test_secret"}).to_string()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let extra = Setup { tenant_id: t.tenant_id.clone(), live_sk: t.keys.live.secret.clone() };
    (app, stub, sk, t.keys.preview.publishable.clone(), extra)
}

async fn create(app: &TestApp, sk: &str, body: Value) -> common::Resp {
    app.api("POST", "/api/v1/coupons", sk, Some(&body.to_string())).await
}

fn stripe_form(stub: &StripeStub, code: &str) -> Vec<(String, String)> {
    let reqs = stub.requests();
    let r = reqs
        .iter()
        .rev()
        .find(|r| r.method == "POST" && r.path == "/v1/coupons" && r.form().iter().any(|(k, v)| k == "id" && v == code))
        .expect("Stripe got the coupon");
    let mut f: Vec<(String, String)> = r.form().into_iter().filter(|(k, _)| !k.starts_with("metadata[offerdeck_coupon_id]")).collect();
    f.sort();
    f
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    v.sort();
    v
}

// Scenario: a merchant creates coupons of each type; each is mirrored to Stripe with the mapped
// fields; bad values are refused with the field named; Stripe refusing stores nothing.
async fn rules_and_stripe_mirroring(app: TestApp) {
    let (app, stub, sk, _, extra) = setup(app).await;
    let r = create(
        &app,
        &sk,
        json!({"code": "winback30", "type": "percentage", "amount": 30, "repeatMonths": 3, "maxRedemptions": 100,
        "expiresAt": "2099-01-01T00:00:00Z", "campaign": "winback"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let c = r.json();
    assert_eq!((c["code"].as_str(), c["status"].as_str(), c["timesRedeemed"].as_i64()), (Some("WINBACK30"), Some("active"), Some(0)));
    assert_eq!(c["stripeCouponId"], "WINBACK30");
    assert_eq!(
        stripe_form(&stub, "WINBACK30"),
        pairs(&[
            ("id", "WINBACK30"),
            ("name", "WINBACK30"),
            ("percent_off", "30"),
            ("duration", "repeating"),
            ("duration_in_months", "3"),
            ("max_redemptions", "100"),
            ("redeem_by", "4070908800"),
            ("metadata[campaign]", "winback")
        ])
    );
    let r = create(&app, &sk, json!({"code": "save5", "type": "fixed", "amount": 500, "currency": "GBP"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(stripe_form(&stub, "SAVE5"), pairs(&[("id", "SAVE5"), ("name", "SAVE5"), ("amount_off", "500"), ("currency", "gbp"), ("duration", "once")]));
    let r = create(&app, &sk, json!({"code": "free3", "type": "first_n_months", "amount": 3, "repeatMonths": 12})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["repeatMonths"], Value::Null, "ignored for free months");
    assert_eq!(
        stripe_form(&stub, "FREE3"),
        pairs(&[("id", "FREE3"), ("name", "FREE3"), ("percent_off", "100"), ("duration", "repeating"), ("duration_in_months", "3")])
    );

    // Every rule, bad value → 400 naming the field.
    let bad = [
        (json!({"code": "A B", "type": "percentage", "amount": 10}), "code"),
        (json!({"code": "P0", "type": "percentage", "amount": 0}), "amount"),
        (json!({"code": "P101", "type": "percentage", "amount": 101}), "amount"),
        (json!({"code": "F0", "type": "fixed", "amount": 0, "currency": "gbp"}), "amount"),
        (json!({"code": "FNOCUR", "type": "fixed", "amount": 100}), "currency"),
        (json!({"code": "M37", "type": "first_n_months", "amount": 37}), "amount"),
        (json!({"code": "M0", "type": "first_n_months", "amount": 0}), "amount"),
        (json!({"code": "R0", "type": "percentage", "amount": 10, "repeatMonths": 0}), "repeatMonths"),
        (json!({"code": "MAX0", "type": "percentage", "amount": 10, "maxRedemptions": 0}), "maxRedemptions"),
        (json!({"code": "PAST", "type": "percentage", "amount": 10, "expiresAt": "2020-01-01T00:00:00Z"}), "expiresAt"),
        (json!({"code": "BADTIME", "type": "percentage", "amount": 10, "expiresAt": "next week"}), "expiresAt"),
    ];
    let stripe_calls = stub.requests().len();
    for (body, field) in bad {
        let r = create(&app, &sk, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        let e = r.json();
        assert_eq!(e["code"], "validation_failed");
        assert!(e["fields"][field].is_string(), "{body}: {e}");
    }
    let e = create(&app, &sk, json!({"code": "P0", "type": "percentage", "amount": 0})).await.json();
    assert_eq!(e["message"], "amount must be between 1 and 100 for a percentage coupon");
    assert_eq!(stub.requests().len(), stripe_calls, "invalid coupons never reach Stripe");
    // Duplicate (case-insensitive) → 409.
    let r = create(&app, &sk, json!({"code": "WinBack30", "type": "percentage", "amount": 5})).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));

    // Stripe refuses → 502 with Stripe's message; nothing stored.
    let r = create(&app, &sk, json!({"code": "REFUSEME", "type": "percentage", "amount": 10})).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    let e = r.json();
    assert_eq!(e["code"], "stripe_error");
    assert!(e["message"].as_str().unwrap().contains("Coupon REFUSEME cannot be created on this account."), "{e}");
    assert_eq!(app.api("GET", "/api/v1/coupons/REFUSEME", &sk, None).await.status, StatusCode::NOT_FOUND);
    // Stripe unreachable → 502, nothing stored.
    let dead = app.second_node().with_stripe("http://127.0.0.1:9");
    let r = create(&dead, &sk, json!({"code": "OFFLINE", "type": "percentage", "amount": 10})).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("stripe_error")));
    assert_eq!(dead.api("GET", "/api/v1/coupons/OFFLINE", &sk, None).await.status, StatusCode::NOT_FOUND);
    let list = dead.api("GET", "/api/v1/coupons", &sk, None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    // Archive: deleted in Stripe, status archived.
    let r = dead.api("POST", "/api/v1/coupons/save5/archive", &sk, None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "Stripe unreachable: not archived");
    assert_eq!(dead.api("GET", "/api/v1/coupons/SAVE5", &sk, None).await.json()["status"], "active");
    let r = app.api("POST", "/api/v1/coupons/save5/archive", &sk, None).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("archived")));
    assert!(stub.requests().iter().any(|r| r.method == "DELETE" && r.path == "/v1/coupons/SAVE5"));
    // The live environment and another tenant see none of them.
    assert_eq!(app.api("GET", "/api/v1/coupons/WINBACK30", &extra.live_sk, None).await.status, StatusCode::NOT_FOUND);
    let other = app.tenant("Other", "other@acme.test").await;
    assert_eq!(app.api("GET", "/api/v1/coupons/WINBACK30", &other.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);
}

// Scenario: a paywall validates a typed code with the publishable key; the backend records a
// redemption; archived, expired, not-yet-valid and used-up codes are 404 invalid_or_expired.
async fn validation_and_redemption(app: TestApp) {
    let (app, _stub, sk, pk, _) = setup(app).await;
    let in_an_hour = offerdeck::server::db::ms_to_rfc3339(app.state.clock.now_ms() + 3_600_000);
    let tomorrow = offerdeck::server::db::ms_to_rfc3339(app.state.clock.now_ms() + 86_400_000);
    assert_eq!(
        create(&app, &sk, json!({"code": "WINBACK30", "type": "percentage", "amount": 30, "repeatMonths": 3, "maxRedemptions": 2, "expiresAt": in_an_hour}))
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(create(&app, &sk, json!({"code": "LATER", "type": "percentage", "amount": 5, "startsAt": tomorrow})).await.status, StatusCode::CREATED);
    assert_eq!(create(&app, &sk, json!({"code": "GONE", "type": "percentage", "amount": 5})).await.status, StatusCode::CREATED);
    app.api("POST", "/api/v1/coupons/GONE/archive", &sk, None).await;

    let v = app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"winback30"}"#)).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    let v = v.json();
    assert_eq!(v, json!({"code": "WINBACK30", "type": "percentage", "amount": 30, "currency": null, "durationMonths": 3, "expiresAt": v["expiresAt"]}));
    assert!(v["expiresAt"].as_str().unwrap().ends_with('Z'));
    for code in ["LATER", "GONE", "NOPE"] {
        let r = app.api("POST", "/api/v1/coupons/validate", &pk, Some(&json!({"code": code}).to_string())).await;
        assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("invalid_or_expired")), "{code}");
    }
    // A publishable key cannot redeem.
    let r = app.api("POST", "/api/v1/coupons/WINBACK30/redemptions", &pk, Some(r#"{"subscriptionId":"sub_1"}"#)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = app.api("POST", "/api/v1/coupons/winback30/redemptions", &sk, Some(r#"{"subscriptionId":"sub_1","customerId":"cus_1"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = r.json();
    assert_eq!((first["code"].as_str(), first["subscriptionId"].as_str(), first["source"].as_str()), (Some("WINBACK30"), Some("sub_1"), Some("api")));
    let again = app.api("POST", "/api/v1/coupons/WINBACK30/redemptions", &sk, Some(r#"{"subscriptionId":"sub_1","customerId":"cus_1"}"#)).await;
    assert_eq!((again.status, again.json()["id"].clone()), (StatusCode::OK, first["id"].clone()), "same subscription: the first redemption");
    assert_eq!(app.api("GET", "/api/v1/coupons/WINBACK30", &sk, None).await.json()["timesRedeemed"], 1);
    let r = app.api("POST", "/api/v1/coupons/WINBACK30/redemptions", &sk, Some(r#"{"subscriptionId":"sub_2"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Used up: validation and redemption refuse; the first subscription still gets its redemption.
    let c = app.api("GET", "/api/v1/coupons/WINBACK30", &sk, None).await.json();
    assert_eq!((c["timesRedeemed"].as_i64(), c["status"].as_str()), (Some(2), Some("exhausted")));
    let r = app.api("POST", "/api/v1/coupons/WINBACK30/redemptions", &sk, Some(r#"{"subscriptionId":"sub_3"}"#)).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("invalid_or_expired")));
    assert_eq!(app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"WINBACK30"}"#)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("POST", "/api/v1/coupons/WINBACK30/redemptions", &sk, Some(r#"{"subscriptionId":"sub_1"}"#)).await.status, StatusCode::OK);
    // Archived and not-yet-valid refuse redemption too.
    for code in ["GONE", "LATER"] {
        let r = app.api("POST", &format!("/api/v1/coupons/{code}/redemptions"), &sk, Some(r#"{"subscriptionId":"sub_9"}"#)).await;
        assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("invalid_or_expired")), "{code}");
    }
    // Bad input: a field error, nothing counted.
    let r = app.api("POST", "/api/v1/coupons/LATER/redemptions", &sk, Some(r#"{"subscriptionId":"  "}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["subscriptionId"].is_string());

    // The clock moves: the code that starts tomorrow becomes valid, the one-hour code expires.
    assert_eq!(
        create(&app, &sk, json!({"code": "HOUR", "type": "fixed", "amount": 100, "currency": "usd", "expiresAt": in_an_hour})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"hour"}"#)).await.status, StatusCode::OK);
    app.state.clock.advance(2 * 86_400_000);
    let r = app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"hour"}"#)).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::NOT_FOUND, Some("invalid_or_expired")));
    assert_eq!(app.api("GET", "/api/v1/coupons/HOUR", &sk, None).await.json()["status"], "expired");
    let r = app.api("POST", "/api/v1/coupons/HOUR/redemptions", &sk, Some(r#"{"subscriptionId":"sub_late"}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"later"}"#)).await.status, StatusCode::OK);
    let expired = app.api("GET", "/api/v1/coupons?status=expired", &sk, None).await.json();
    assert_eq!(expired["data"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect::<Vec<_>>(), vec!["HOUR"]);
}

async fn hammer(app: &Arc<TestApp>, sk: &str, code: &str, n: usize, sub: &str, customer: impl Fn(usize) -> Option<String>) -> (usize, usize) {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (app, sk, code) = (app.clone(), sk.to_string(), code.to_string());
            let body = json!({"subscriptionId": format!("{sub}_{i}"), "customerId": customer(i)}).to_string();
            tokio::spawn(async move { app.api("POST", &format!("/api/v1/coupons/{code}/redemptions"), &sk, Some(&body)).await })
        })
        .collect();
    let (mut created, mut refused) = (0, 0);
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => created += 1,
            StatusCode::NOT_FOUND => {
                assert_eq!(r.json()["code"], "invalid_or_expired");
                refused += 1
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    (created, refused)
}

// Scenario: a code with 10 uses is posted to a forum and 100 checkouts redeem it at once.
async fn limits_hold_under_concurrency(app: TestApp) {
    let (app, _stub, sk, _, extra) = setup(app).await;
    assert_eq!(create(&app, &sk, json!({"code": "RUSH", "type": "percentage", "amount": 50, "maxRedemptions": 10})).await.status, StatusCode::CREATED);
    assert_eq!(
        create(&app, &sk, json!({"code": "PERCUST", "type": "percentage", "amount": 50, "maxRedemptionsPerCustomer": 3})).await.status,
        StatusCode::CREATED
    );
    let app = Arc::new(app);
    let (created, refused) = hammer(&app, &sk, "RUSH", 100, "sub", |_| None).await;
    assert_eq!((created, refused), (10, 90));
    let scope = app.scope(&extra.tenant_id, Environment::Preview);
    let c = app.api("GET", "/api/v1/coupons/RUSH", &sk, None).await.json();
    assert_eq!(c["timesRedeemed"], 10);
    let rows = offerdeck::server::db::coupons::redemption_count(&app.state.db.pool, &scope, c["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(rows, 10, "the counter and the rows agree");
    assert_eq!(offerdeck::server::db::webhooks::message_count(&app.state.db.pool, &scope, "coupon.redeemed").await.unwrap(), 10);
    // One customer, 40 subscriptions at once, three uses allowed.
    let (created, refused) = hammer(&app, &sk, "PERCUST", 40, "sub", |_| Some("cus_same".into())).await;
    assert_eq!((created, refused), (3, 37));
    // Other customers are not affected by that customer's limit.
    let (created, _) = hammer(&app, &sk, "PERCUST", 5, "other", |i| Some(format!("cus_{i}"))).await;
    assert_eq!(created, 5);
    let r = app.api("POST", "/api/v1/coupons/PERCUST/redemptions", &sk, Some(r#"{"subscriptionId":"sub_x"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a per-customer limit needs the customer");
    assert_eq!(app.api("GET", "/api/v1/coupons/PERCUST", &sk, None).await.json()["timesRedeemed"], 8);
}

fn stripe_event(id: &str, event_type: &str, object: Value) -> String {
    json!({"id": id, "object": "event", "type": event_type, "data": {"object": object}}).to_string()
}

async fn send_stripe(app: &TestApp, integration: &str, body: &str, secret: &str) -> common::Resp {
    let now = app.state.clock.now_ms() / 1000;
    let sig = offerdeck::server::services::stripe_events::sign(secret, now, body);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/webhooks/stripe/{integration}"))
        .header("content-type", "application/json")
        .header("stripe-signature", sig)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

// Scenario: Stripe tells us a subscription was created with the coupon, and delivers the same
// event twice; a forged event is refused.
async fn stripe_events_redeem_once(app: TestApp) {
    let (app, _stub, sk, _, extra) = setup(app).await;
    assert_eq!(create(&app, &sk, json!({"code": "COMEBACK40", "type": "percentage", "amount": 40, "repeatMonths": 2})).await.status, StatusCode::CREATED);
    let integration = app.api("GET", "/api/v1/integrations/stripe", &sk, None).await.json()["id"].as_str().unwrap().to_string();
    let scope = app.scope(&extra.tenant_id, Environment::Preview);
    let pool = &app.state.db.pool;

    let forged =
        stripe_event("evt_forged", "customer.subscription.created", json!({"id": "sub_f", "customer": "cus_f", "discount": {"coupon": {"id": "COMEBACK40"}}}));
    let r = send_stripe(&app, &integration, &forged, "whsec_wrong").await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation_failed")));
    let r = app
        .send(
            axum::http::Request::builder().method("POST").uri(format!("/webhooks/stripe/{integration}")).body(axum::body::Body::from(forged.clone())).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no signature");
    assert_eq!(offerdeck::server::db::coupons::stripe_event_count(pool, &scope).await.unwrap(), 0, "nothing recorded");
    assert_eq!(app.api("GET", "/api/v1/coupons/COMEBACK40", &sk, None).await.json()["timesRedeemed"], 0);

    let ev =
        stripe_event("evt_sub_1", "customer.subscription.created", json!({"id": "sub_1", "customer": "cus_1", "discount": {"coupon": {"id": "COMEBACK40"}}}));
    let r = send_stripe(&app, &integration, &ev, "whsec_stripe_test_secret").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["outcome"].as_str().unwrap().starts_with("redeemed COMEBACK40"));
    let r = send_stripe(&app, &integration, &ev, "whsec_stripe_test_secret").await;
    assert_eq!((r.status, r.json()["duplicate"].as_bool()), (StatusCode::OK, Some(true)));
    // A different event about the same subscription (checkout completed) does not count twice.
    let cs = stripe_event(
        "evt_cs_1",
        "checkout.session.completed",
        json!({"id": "cs_1", "subscription": "sub_1", "customer": "cus_1", "discounts": [{"coupon": "COMEBACK40"}]}),
    );
    let r = send_stripe(&app, &integration, &cs, "whsec_stripe_test_secret").await;
    assert!(r.json()["outcome"].as_str().unwrap().contains("already redeemed"), "{}", r.body);
    let cs2 = stripe_event(
        "evt_cs_2",
        "checkout.session.completed",
        json!({"id": "cs_2", "subscription": "sub_2", "customer": "cus_2", "discounts": [{"coupon": "comeback40"}]}),
    );
    send_stripe(&app, &integration, &cs2, "whsec_stripe_test_secret").await;

    let c = app.api("GET", "/api/v1/coupons/COMEBACK40", &sk, None).await.json();
    assert_eq!(c["timesRedeemed"], 2);
    let reds = app.api("GET", "/api/v1/coupons/COMEBACK40/redemptions", &sk, None).await.json();
    let subs: Vec<&str> = reds["data"].as_array().unwrap().iter().map(|r| r["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(subs.len(), 2);
    assert!(subs.contains(&"sub_1") && subs.contains(&"sub_2"));
    assert!(reds["data"].as_array().unwrap().iter().all(|r| r["source"] == "stripe"));
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "coupon.redeemed").await.unwrap(), 2, "one coupon.redeemed per subscription");
    // Stripe's own events are passed on under offerdeck's names, once per Stripe event id.
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "subscription.created").await.unwrap(), 1);
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "checkout.completed").await.unwrap(), 2);
    let gone = stripe_event("evt_del_1", "customer.subscription.deleted", json!({"id": "sub_1", "customer": "cus_1", "status": "canceled"}));
    assert_eq!(send_stripe(&app, &integration, &gone, "whsec_stripe_test_secret").await.json()["outcome"], "ignored");
    send_stripe(&app, &integration, &gone, "whsec_stripe_test_secret").await;
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "subscription.cancelled").await.unwrap(), 1);
    // An old timestamp is refused (five-minute tolerance), whatever the signature.
    let old = offerdeck::server::services::stripe_events::sign("whsec_stripe_test_secret", app.state.clock.now_ms() / 1000 - 600, &ev);
    let r = app
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/webhooks/stripe/{integration}"))
                .header("stripe-signature", old)
                .body(axum::body::Body::from(ev.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn until<F, Fut>(what: &str, mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

// Scenario: the merchant's endpoint fails once, is retried after the back-off, then accepts;
// the signature verifies with the Standard Webhooks library; the log shows both attempts; a
// manual resend delivers the same message again.
async fn webhooks_are_signed_retried_and_logged(app: TestApp) {
    let (app, _stub, sk, _, _extra) = setup(app).await;
    let mut rx = Receiver::start().await;
    let r = app.api("POST", "/api/v1/webhook-endpoints", &sk, Some(&json!({"url": rx.url, "events": ["coupon.redeemed"]}).to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ep = r.json();
    let secret = ep["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let ep_id = ep["id"].as_str().unwrap().to_string();
    assert!(app.api("GET", &format!("/api/v1/webhook-endpoints/{ep_id}"), &sk, None).await.json().get("secret").is_none(), "shown once");
    let bad = app.api("POST", "/api/v1/webhook-endpoints", &sk, Some(r#"{"url":"ftp://x","events":["nope"]}"#)).await.json();
    assert!(bad["fields"]["url"].is_string() && bad["fields"]["events"].is_string(), "{bad}");

    rx.script(&[500]);
    assert_eq!(create(&app, &sk, json!({"code": "HOOKED", "type": "percentage", "amount": 10, "campaign": "spring"})).await.status, StatusCode::CREATED);
    let red = app.api("POST", "/api/v1/coupons/HOOKED/redemptions", &sk, Some(r#"{"subscriptionId":"sub_h","customerId":"cus_h"}"#)).await.json();
    let first = rx.next(10, "first attempt").await;
    let wh = standardwebhooks::Webhook::new(&secret).unwrap();
    wh.verify(first.body.as_bytes(), &first.headers).expect("the standard verifier accepts our signature");
    let msg = first.json();
    assert_eq!((msg["type"].as_str(), msg["mode"].as_str()), (Some("coupon.redeemed"), Some("preview")));
    assert_eq!(msg["id"].as_str().unwrap(), first.header("webhook-id"));
    assert_eq!(msg["data"]["code"], "HOOKED");
    assert_eq!(msg["data"]["processorSubscriptionId"], "sub_h");
    assert_eq!(msg["data"]["redemptionId"], red["id"]);
    // A tampered body does not verify.
    assert!(wh.verify(first.body.replace("HOOKED", "HACKED").as_bytes(), &first.headers).is_err());

    let log_path = format!("/api/v1/webhook-endpoints/{ep_id}/deliveries");
    let d = until("the failed attempt in the log", || async {
        let d = app.api("GET", &log_path, &sk, None).await.json();
        (d["data"][0]["attempts"] == 1 && d["data"][0]["lastStatusCode"] == 500).then_some(d)
    })
    .await;
    assert_eq!(d["data"][0]["status"], "pending");
    assert!(d["data"][0]["nextAttemptAt"].is_string());
    // Nothing is retried before the back-off has passed…
    app.state.webhooks.kick();
    // …and the retry comes once the clock has moved past it.
    app.state.clock.advance(60_000);
    app.state.webhooks.kick();
    let second = rx.next(10, "the retry").await;
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"), "same message id on retry");
    assert_ne!(second.header("webhook-timestamp"), "");
    wh.verify(second.body.as_bytes(), &second.headers).unwrap();
    let d = until("the delivered state", || async {
        let d = app.api("GET", &log_path, &sk, None).await.json();
        (d["data"][0]["status"] == "delivered").then_some(d)
    })
    .await;
    let log = d["data"][0]["attemptLog"].as_array().unwrap();
    assert_eq!(log.iter().map(|a| a["statusCode"].as_i64().unwrap()).collect::<Vec<_>>(), vec![500, 200]);
    // Manual resend.
    let delivery_id = d["data"][0]["id"].as_str().unwrap().to_string();
    let r = app.api("POST", &format!("/api/v1/webhook-deliveries/{delivery_id}/resend"), &sk, None).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("pending")));
    let third = rx.next(10, "the resend").await;
    assert_eq!(third.header("webhook-id"), first.header("webhook-id"));
    until("the resend logged", || async {
        let d = app.api("GET", &log_path, &sk, None).await.json();
        (d["data"][0]["status"] == "delivered" && d["data"][0]["attemptLog"].as_array().unwrap().len() == 3).then_some(d)
    })
    .await;
    // A receiver that keeps failing is given up after 24 hours.
    rx.script(&[503; 40]);
    app.api("POST", "/api/v1/coupons/HOOKED/redemptions", &sk, Some(r#"{"subscriptionId":"sub_h2"}"#)).await;
    rx.next(10, "first attempt of the second message").await;
    let mut attempts = 1usize;
    loop {
        let d = until("the attempt recorded", || async {
            let d = app.api("GET", &log_path, &sk, None).await.json();
            let row = &d["data"][0];
            let log = row["attemptLog"].as_array().unwrap();
            // The row and the log are read one after the other: wait until the row shows the
            // outcome of the latest attempt (given up, or a next time after it).
            let ms = |v: &Value| v.as_str().and_then(offerdeck::server::db::rfc3339_to_ms).unwrap_or(0);
            let settled = row["status"] == "failed" || ms(&row["nextAttemptAt"]) > log.last().map(|a| ms(&a["attemptedAt"])).unwrap_or(0);
            (log.len() == attempts && row["lastStatusCode"] == 503 && settled).then_some(d)
        })
        .await;
        if d["data"][0]["status"] == "failed" {
            break;
        }
        assert!(attempts < 30, "never gave up");
        app.state.clock.advance(5 * 3_600_000);
        app.state.webhooks.kick();
        rx.next(10, "another retry").await;
        attempts += 1;
    }
    assert!(attempts >= 6, "retried for a day ({attempts} attempts)");
    assert!(attempts <= 12, "with back-off ({attempts} attempts)");
    // Another environment's key sees no endpoint.
    let other = app.tenant("Other", "o@x.test").await;
    assert_eq!(app.api("GET", &log_path, &other.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);
}

// Scenario: a marketer reads redemption counts per code and campaign and downloads the CSV.
async fn counts_and_csv_for_marketers(app: TestApp) {
    let (app, _stub, sk, _, extra) = setup(app).await;
    for (code, camp) in [("SPRING10", "spring"), ("SPRING20", "spring"), ("SOLO", "")] {
        assert_eq!(create(&app, &sk, json!({"code": code, "type": "percentage", "amount": 10, "campaign": camp})).await.status, StatusCode::CREATED);
    }
    create(&app, &sk, json!({"code": "TRICK", "type": "percentage", "amount": 10, "campaign": "=HYPERLINK(\"x\")"})).await;
    for (i, code) in ["SPRING10", "SPRING10", "SPRING20", "SOLO"].iter().enumerate() {
        let r = app.api("POST", &format!("/api/v1/coupons/{code}/redemptions"), &sk, Some(&json!({"subscriptionId": format!("sub_{i}")}).to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let camps = app.api("GET", "/api/v1/coupons/campaigns", &sk, None).await.json();
    let spring = camps["data"].as_array().unwrap().iter().find(|c| c["campaign"] == "spring").unwrap();
    assert_eq!((spring["coupons"].as_i64(), spring["redemptions"].as_i64()), (Some(2), Some(3)));
    let by_camp = app.api("GET", "/api/v1/coupons?campaign=spring", &sk, None).await.json();
    assert_eq!(by_camp["data"].as_array().unwrap().len(), 2);
    let search = app.api("GET", "/api/v1/coupons?q=spring2", &sk, None).await.json();
    assert_eq!(search["data"][0]["code"], "SPRING20");

    let csv = app.api("GET", "/api/v1/coupons/export.csv", &sk, None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("code,type,amount,currency,repeat_months,max_redemptions,max_redemptions_per_customer,times_redeemed,status,campaign"));
    assert_eq!(lines.len(), 5);
    let spring10 = lines.iter().find(|l| l.starts_with("SPRING10,")).unwrap();
    assert!(spring10.contains(",2,active,spring,"), "{spring10}");
    let trick = lines.iter().find(|l| l.starts_with("TRICK,")).unwrap();
    assert!(trick.contains(r#""'=HYPERLINK(""x"")""#), "formula neutralised: {trick}");

    // A marketer can read the counts and the export in the dashboard, not create coupons.
    let tenant_id = extra.tenant_id.clone();
    app.member("marketer@acme.test", &tenant_id, offerdeck::model::Role::Marketer).await;
    let cookie = app.login("marketer@acme.test", "password-123").await;
    let r = app.get("/coupons/export.csv", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("SPRING10,percentage,10,"));
    assert_eq!(app.get("/coupons/export.csv", None).await.status, StatusCode::UNAUTHORIZED);
    let r = app.sfn("coupons/create", &[("code", "MKT"), ("coupon_type", "percentage"), ("amount", "10")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

// Scenario: someone guesses codes with the public (publishable) key from one address; after the
// allowed number of checks per minute every check from that address is refused, valid codes
// included (no oracle), while other addresses and other tenants go on.
async fn validation_is_rate_limited(app: TestApp) {
    let (app, _stub, sk, pk, _) = setup(app).await;
    assert_eq!(create(&app, &sk, json!({"code": "WINBACK30", "type": "percentage", "amount": 30})).await.status, StatusCode::CREATED);
    let node = app.reconfigured(|c| {
        c.coupon_validate_per_minute = 5;
        c.client_ip.header = Some("x-forwarded-for".into());
    });
    let check = |code: &'static str, ip: &'static str| {
        let node = &node;
        let pk = pk.clone();
        async move { node.api_with("POST", "/api/v1/coupons/validate", &pk, Some(&json!({"code": code}).to_string()), &[("x-forwarded-for", ip)]).await }
    };
    // The left part of X-Forwarded-For is whatever the client wrote: forging a new one per
    // request must not buy a new allowance (our proxy appended the real address on the right).
    for (guess, forged) in [("AAAA", "1.1.1.1"), ("BBBB", "1.1.1.2"), ("CCCC", "1.1.1.3"), ("DDDD", "1.1.1.4")] {
        let hops: &'static str = Box::leak(format!("{forged}, 203.0.113.7").into_boxed_str());
        assert_eq!(check(guess, hops).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(check("WINBACK30", "203.0.113.7").await.status, StatusCode::OK);
    let r = check("WINBACK30", "203.0.113.7").await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=61).contains(&wait), "Retry-After {wait}");
    assert_eq!(check("WINBACK30", "198.51.100.2").await.status, StatusCode::OK, "another address is not limited");
    let other = node.tenant("Other", "other@acme.test").await;
    let r = node
        .api_with("POST", "/api/v1/coupons/validate", &other.keys.preview.publishable, Some(r#"{"code":"X"}"#), &[("x-forwarded-for", "203.0.113.7")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another tenant has its own allowance");
}
