//! Coupons (`services::coupons`): the crxpay rules, Stripe mirroring (the exact form body the
//! local Stripe server received), validation with a publishable key and its rate limit,
//! redemption limits under concurrency, counts and the CSV export.
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};
use std::sync::Arc;

db_tests!(
    rules_and_stripe_mirroring,
    validation_and_redemption,
    limits_hold_under_concurrency,
    counts_and_csv_for_marketers,
    validation_is_rate_limited,
    checks_from_memory_have_a_bound,
);

pub(crate) struct Setup {
    pub(crate) tenant_id: String,
    pub(crate) live_sk: String,
}

pub(crate) async fn setup(app: TestApp) -> (TestApp, StripeStub, String, String, Setup) {
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

pub(crate) async fn create(app: &TestApp, sk: &str, body: Value) -> crate::helpers::Resp {
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
    let api = app.client(&sk);
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
    assert_error(&r, 409, "conflict");

    // Stripe refuses → 502 with Stripe's message; nothing stored.
    let r = create(&app, &sk, json!({"code": "REFUSEME", "type": "percentage", "amount": 10})).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    let e = r.json();
    assert_eq!(e["code"], "stripe_error");
    assert!(e["message"].as_str().unwrap().contains("Coupon REFUSEME cannot be created on this account."), "{e}");
    assert_eq!(api.get("/api/v1/coupons/REFUSEME").await.status, StatusCode::NOT_FOUND);
    // Stripe unreachable → 502, nothing stored.
    let dead = app.second_node().with_stripe("http://127.0.0.1:9");
    let r = create(&dead, &sk, json!({"code": "OFFLINE", "type": "percentage", "amount": 10})).await;
    assert_error(&r, 502, "stripe_error");
    assert_eq!(dead.api("GET", "/api/v1/coupons/OFFLINE", &sk, None).await.status, StatusCode::NOT_FOUND);
    let list = dead.api("GET", "/api/v1/coupons", &sk, None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    // Archive: deleted in Stripe, status archived.
    let r = dead.api("POST", "/api/v1/coupons/save5/archive", &sk, None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "Stripe unreachable: not archived");
    assert_eq!(dead.api("GET", "/api/v1/coupons/SAVE5", &sk, None).await.json()["status"], "active");
    let r = api.post("/api/v1/coupons/save5/archive", ()).await;
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
    let api = app.client(&sk);
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
    api.post("/api/v1/coupons/GONE/archive", ()).await;

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

    let r = api.post("/api/v1/coupons/winback30/redemptions", r#"{"subscriptionId":"sub_1","customerId":"cus_1"}"#).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = r.json();
    assert_eq!((first["code"].as_str(), first["subscriptionId"].as_str(), first["source"].as_str()), (Some("WINBACK30"), Some("sub_1"), Some("api")));
    let again = api.post("/api/v1/coupons/WINBACK30/redemptions", r#"{"subscriptionId":"sub_1","customerId":"cus_1"}"#).await;
    assert_eq!((again.status, again.json()["id"].clone()), (StatusCode::OK, first["id"].clone()), "same subscription: the first redemption");
    assert_eq!(api.get("/api/v1/coupons/WINBACK30").await.json()["timesRedeemed"], 1);
    let r = api.post("/api/v1/coupons/WINBACK30/redemptions", r#"{"subscriptionId":"sub_2"}"#).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Used up: validation and redemption refuse; the first subscription still gets its redemption.
    let c = api.get("/api/v1/coupons/WINBACK30").await.json();
    assert_eq!((c["timesRedeemed"].as_i64(), c["status"].as_str()), (Some(2), Some("exhausted")));
    let r = api.post("/api/v1/coupons/WINBACK30/redemptions", r#"{"subscriptionId":"sub_3"}"#).await;
    assert_error(&r, 404, "invalid_or_expired");
    assert_eq!(app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"WINBACK30"}"#)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.post("/api/v1/coupons/WINBACK30/redemptions", r#"{"subscriptionId":"sub_1"}"#).await.status, StatusCode::OK);
    // Archived and not-yet-valid refuse redemption too.
    for code in ["GONE", "LATER"] {
        let r = api.post(&format!("/api/v1/coupons/{code}/redemptions"), r#"{"subscriptionId":"sub_9"}"#).await;
        assert_error(&r, 404, "invalid_or_expired");
    }
    // Bad input: a field error, nothing counted.
    let r = api.post("/api/v1/coupons/LATER/redemptions", r#"{"subscriptionId":"  "}"#).await;
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
    assert_error(&r, 404, "invalid_or_expired");
    assert_eq!(api.get("/api/v1/coupons/HOUR").await.json()["status"], "expired");
    let r = api.post("/api/v1/coupons/HOUR/redemptions", r#"{"subscriptionId":"sub_late"}"#).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("POST", "/api/v1/coupons/validate", &pk, Some(r#"{"code":"later"}"#)).await.status, StatusCode::OK);
    let expired = api.get("/api/v1/coupons?status=expired").await.json();
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

// Scenario: a marketer reads redemption counts per code and campaign and downloads the CSV.
async fn counts_and_csv_for_marketers(app: TestApp) {
    let (app, _stub, sk, _, extra) = setup(app).await;
    let api = app.client(&sk);
    for (code, camp) in [("SPRING10", "spring"), ("SPRING20", "spring"), ("SOLO", "")] {
        assert_eq!(create(&app, &sk, json!({"code": code, "type": "percentage", "amount": 10, "campaign": camp})).await.status, StatusCode::CREATED);
    }
    create(&app, &sk, json!({"code": "TRICK", "type": "percentage", "amount": 10, "campaign": "=HYPERLINK(\"x\")"})).await;
    for (i, code) in ["SPRING10", "SPRING10", "SPRING20", "SOLO"].iter().enumerate() {
        let r = api.post(&format!("/api/v1/coupons/{code}/redemptions"), json!({"subscriptionId": format!("sub_{i}")})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let camps = api.get("/api/v1/coupons/campaigns").await.json();
    let spring = camps["data"].as_array().unwrap().iter().find(|c| c["campaign"] == "spring").unwrap();
    assert_eq!((spring["coupons"].as_i64(), spring["redemptions"].as_i64()), (Some(2), Some(3)));
    let by_camp = api.get("/api/v1/coupons?campaign=spring").await.json();
    assert_eq!(by_camp["data"].as_array().unwrap().len(), 2);
    let search = api.get("/api/v1/coupons?q=spring2").await.json();
    assert_eq!(search["data"][0]["code"], "SPRING20");

    let csv = api.get("/api/v1/coupons/export.csv").await;
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
    let marketer = app.session("marketer@acme.test", "password-123").await;
    let r = marketer.page("/coupons/export.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("SPRING10,percentage,10,"));
    assert_eq!(app.get("/coupons/export.csv", None).await.status, StatusCode::UNAUTHORIZED);
    let r = marketer.sfn("coupons/create", &[("code", "MKT"), ("coupon_type", "percentage"), ("amount", "10")]).await;
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
    assert_error(&r, 429, "rate_limited");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=61).contains(&wait), "Retry-After {wait}");
    assert_eq!(check("WINBACK30", "198.51.100.2").await.status, StatusCode::OK, "another address is not limited");
    let other = node.tenant("Other", "other@acme.test").await;
    let r = node
        .api_with("POST", "/api/v1/coupons/validate", &other.keys.preview.publishable, Some(r#"{"code":"X"}"#), &[("x-forwarded-for", "203.0.113.7")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another tenant has its own allowance");
}

// Scenario: two nodes answer coupon checks from memory (OFFERDECK_COUPON_CHECK_CACHE_MS). The
// node that uses a code up or archives it stops validating it at once; the other node within
// the documented bound, and its redemptions are exact all along.
async fn checks_from_memory_have_a_bound(app: TestApp) {
    let (app, stub, sk, pk, _) = setup(app).await;
    assert_eq!(create(&app, &sk, json!({"code": "TWICE", "type": "percentage", "amount": 10, "maxRedemptions": 2})).await.status, StatusCode::CREATED);
    assert_eq!(create(&app, &sk, json!({"code": "SOON-GONE", "type": "percentage", "amount": 10})).await.status, StatusCode::CREATED);
    let a = app.reconfigured(|c| c.coupon_check_cache_ms = 10_000).with_stripe(&stub.base);
    let b = app.reconfigured(|c| c.coupon_check_cache_ms = 10_000).with_stripe(&stub.base);
    async fn check_on(node: &TestApp, pk: &str, code: &str) -> StatusCode {
        node.api("POST", "/api/v1/coupons/validate", pk, Some(&json!({"code": code}).to_string())).await.status
    }
    let pk = pk.as_str();
    for node in [&a, &b] {
        assert_eq!(check_on(node, pk, "TWICE").await, StatusCode::OK);
        assert_eq!(check_on(node, pk, "SOON-GONE").await, StatusCode::OK);
    }
    assert_eq!(a.state.coupon_checks.len(), 2, "both codes remembered");
    for sub in ["sub_a1", "sub_a2"] {
        let r = a.api("POST", "/api/v1/coupons/TWICE/redemptions", &sk, Some(&json!({"subscriptionId": sub}).to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = a.api("POST", "/api/v1/coupons/SOON-GONE/archive", &sk, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The node that made the change: at once.
    assert_eq!(check_on(&a, pk, "TWICE").await, StatusCode::NOT_FOUND);
    assert_eq!(check_on(&a, pk, "SOON-GONE").await, StatusCode::NOT_FOUND);
    // The other node: its copy is younger than the bound, so it still shows the codes …
    assert_eq!(check_on(&b, pk, "TWICE").await, StatusCode::OK);
    assert_eq!(check_on(&b, pk, "SOON-GONE").await, StatusCode::OK);
    // … but a redemption there reads the row: refused, nothing counted.
    let r = b.api("POST", "/api/v1/coupons/TWICE/redemptions", &sk, Some(r#"{"subscriptionId":"sub_b1"}"#)).await;
    assert_error(&r, 404, "invalid_or_expired");
    assert_eq!(app.client(&sk).get("/api/v1/coupons/TWICE").await.json()["timesRedeemed"], 2);
    // Once the bound has passed, the other node reads the rows again.
    b.state.clock.advance(5_000);
    assert_eq!(check_on(&b, pk, "TWICE").await, StatusCode::OK, "still within the bound");
    b.state.clock.advance(5_000);
    assert_eq!(check_on(&b, pk, "TWICE").await, StatusCode::NOT_FOUND);
    assert_eq!(check_on(&b, pk, "SOON-GONE").await, StatusCode::NOT_FOUND);
    // A code that does not exist is never remembered (guessing cannot fill the memory).
    assert_eq!(check_on(&b, pk, "NO-SUCH-CODE").await, StatusCode::NOT_FOUND);
    assert_eq!(b.state.coupon_checks.len(), 2, "only the two real codes");
}
