//! Redemption methods, workflow versions, offers and workflow test runs against a local
//! Stripe-compatible server, through the API, on both databases.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use serde_json::{Value, json};

db_tests!(
    method_rules_versions_and_restore,
    offer_rules_and_checkout_test_run,
    workflows_are_tenant_and_environment_scoped,
    deeply_nested_code_is_refused_through_every_door,
    one_tenant_cannot_take_every_workflow_slot,
    what_a_failed_redemption_records_is_bounded
);

const SETTINGS: &str = r#"{"successUrl":"https://shop.test/thanks","cancelUrl":"https://shop.test/pricing","signupUrl":"https://shop.test/join"}"#;

async fn method(app: &TestApp, key: &str) -> Value {
    let body = format!(r#"{{"name":"Stripe Checkout","schema":"stripe-checkout","settings":{SETTINGS}}}"#);
    let r = app.api("POST", "/api/v1/redemption-methods", key, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

async fn price(app: &TestApp, key: &str, product: &str, currency: &str, amount: i64, stripe: &str) -> String {
    let body = format!(r#"{{"productId":"{product}","currency":"{currency}","unitAmount":{amount},"interval":"month","stripePriceId":"{stripe}"}}"#);
    let r = app.api("POST", "/api/v1/prices", key, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

// Scenario: a Stripe Checkout method needs its URLs; slugs are unique; a save with a syntax
// error names the line as typed and changes nothing; saves make versions; restore adds one.
async fn method_rules_versions_and_restore(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    // URLs may be left out (the Manage tab asks for them) but one given must be a URL.
    let r = app
        .api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"not a url"}}"#))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["successUrl"].is_string(), "{}", r.body);
    let r = app.api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"X","schema":"paypal"}"#)).await;
    assert!(r.json()["fields"]["schema"].is_string(), "{}", r.body);

    let m = method(&app, key).await;
    assert_eq!(m["slug"], "stripe-checkout");
    assert_eq!(m["redemptionSchema"], "mos:stripe-checkout-instructions");
    assert_eq!(m["currentVersion"], 1);
    assert_eq!(m["settings"]["signupUrl"], "https://shop.test/join");
    let dup = app
        .api("POST", "/api/v1/redemption-methods", key, Some(&format!(r#"{{"name":"Stripe Checkout","schema":"stripe-checkout","settings":{SETTINGS}}}"#)))
        .await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.json()["fields"]["slug"].as_str().unwrap().contains("already used"));

    let id = m["id"].as_str().unwrap();
    let bad = "// line 1\nexport default async function () {\n  const x: number = ;\n  return { success: true };\n}\n";
    let r = app.api("PUT", &format!("/api/v1/redemption-methods/{id}/workflow"), key, Some(&json!({"code": bad}).to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let j = r.json();
    assert_eq!(j["code"], "validation_failed");
    assert_eq!(j["errors"][0]["line"], 3, "{}", r.body);
    assert!(j["errors"][0]["column"].as_u64().unwrap() > 1);
    assert_eq!(app.api("GET", &format!("/api/v1/redemption-methods/{id}"), key, None).await.json()["currentVersion"], 1);

    let good = "export default async function () {\n  return { success: true, message: 'v2' };\n}\n";
    let r = app.api("PUT", &format!("/api/v1/redemption-methods/{id}/workflow"), key, Some(&json!({"code": good}).to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!({"valid": true, "version": 2}));
    let versions = app.api("GET", &format!("/api/v1/redemption-methods/{id}/workflow/versions"), key, None).await.json();
    let list = versions["data"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 2);
    assert!(list[1]["source"].as_str().unwrap().contains("checkout/sessions"), "v1 is the schema's default workflow");
    assert!(list[0]["createdBy"].as_str().unwrap().starts_with("API key key_"), "{}", list[0]["createdBy"]);
    let r = app.api("POST", &format!("/api/v1/redemption-methods/{id}/workflow/versions/1/restore"), key, None).await.json();
    assert_eq!(r["version"], 3);
    let v3 = app.api("GET", &format!("/api/v1/redemption-methods/{id}/workflow/versions"), key, None).await.json();
    assert_eq!(v3["data"][0]["source"], v3["data"][2]["source"]);
}

// Scenario: an offer's prices must share a currency and its instructions be an object; the
// default workflow's test run sends Stripe the exact Checkout body and returns the navigate
// action; an anonymous identity gets the sign-up navigate; Stripe's refusal is a 502 result.
async fn offer_rules_and_checkout_test_run(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    app.api("PUT", "/api/v1/integrations/stripe", key, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    let m = method(&app, key).await;
    let mid = m["id"].as_str().unwrap();
    let product = app.api("POST", "/api/v1/products", key, Some(r#"{"name":"Premium"}"#)).await.json()["id"].as_str().unwrap().to_string();
    let p1 = price(&app, key, &product, "gbp", 1000, "price_monthly").await;
    let p2 = price(&app, key, &product, "gbp", 500, "price_addon").await;
    let p3 = price(&app, key, &product, "usd", 1200, "price_usd").await;

    let mixed = json!({"name": "Mixed", "redemptionMethodId": mid, "priceIds": [p1, p3], "presentation": {"title": "Mixed"}});
    let r = app.api("POST", "/api/v1/offers", key, Some(&mixed.to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["priceIds"].as_str().unwrap().contains("one currency"));
    let not_obj = json!({"name": "X", "redemptionMethodId": mid, "priceIds": [p1], "presentation": {"title": "X"}, "instructions": [1, 2]});
    let r = app.api("POST", "/api/v1/offers", key, Some(&not_obj.to_string())).await;
    assert!(r.json()["fields"]["instructions"].as_str().unwrap().contains("JSON object"));
    let window = json!({"name": "X", "redemptionMethodId": mid, "priceIds": [p1], "presentation": {"title": "X"},
                        "validFrom": "2026-12-01T00:00:00Z", "validUntil": "2026-11-01T00:00:00Z"});
    assert!(app.api("POST", "/api/v1/offers", key, Some(&window.to_string())).await.json()["fields"]["validUntil"].is_string());

    let good = json!({"name": "Premium Monthly", "redemptionMethodId": mid, "priceIds": [p1, p2],
                      "presentation": {"title": "Premium Monthly"}, "instructions": {"allow_promotion_codes": true}, "audience": "all"});
    let r = app.api("POST", "/api/v1/offers", key, Some(&good.to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offer = r.json();
    assert_eq!(offer["presentation"]["price"], "£10.00", "price label defaults to the first price");
    assert_eq!(offer["priceIds"], json!([p1, p2]));
    let oid = offer["id"].as_str().unwrap();

    let run = json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerId": oid});
    let r = app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&run.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let out = r.json();
    assert_eq!(out["result"]["success"], true, "{out}");
    assert_eq!(out["result"]["action"], "navigate");
    assert_eq!(out["result"]["url"], "https://checkout.stripe.com/c/pay/cs_test_stub");
    assert!(out["durationMs"].as_f64().unwrap() > 0.0);
    let seen = stub.requests();
    let session = seen.iter().find(|r| r.path == "/v1/checkout/sessions").expect("a Checkout Session was requested");
    assert_eq!(session.header("authorization").unwrap(), format!("Bearer {GOOD_TEST_KEY}"));
    let mut form = session.form();
    form.sort();
    let mut want: Vec<(String, String)> = [
        ("allow_promotion_codes", "true"),
        ("cancel_url", "https://shop.test/pricing"),
        ("client_reference_id", "buyer@example.com"),
        ("line_items[0][price]", "price_monthly"),
        ("line_items[0][quantity]", "1"),
        ("line_items[1][price]", "price_addon"),
        ("line_items[1][quantity]", "1"),
        ("mode", "subscription"),
        ("success_url", "https://shop.test/thanks"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    want.sort();
    assert_eq!(form, want, "the exact form body Stripe received");

    let before = stub.requests().len();
    let anon = json!({"identity": {"createAnonymousIdentifier": true}, "offerId": oid});
    let out = app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&anon.to_string())).await.json();
    assert_eq!(out["result"]["success"], false);
    assert_eq!(out["result"]["statusCode"], 401);
    assert_eq!(out["result"]["url"], "https://shop.test/join?offerToken=test-run-token");
    assert_eq!(stub.requests().len(), before, "no Stripe call for an anonymous identity");

    stub.script(vec![(400, json!({"error": {"message": "No such price: 'price_monthly'"}}))]);
    let out = app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&run.to_string())).await.json();
    assert_eq!(out["result"]["statusCode"], 502);
    assert_eq!(out["result"]["message"], "No such price: 'price_monthly'");
    assert!(out["logs"][0].as_str().unwrap().contains("400"), "{out}");

    // A workflow that throws reports the line as typed.
    let throws = "type T = { a: string };\n\nexport default async function () {\n  throw new Error('boom');\n}\n";
    app.api("PUT", &format!("/api/v1/redemption-methods/{mid}/workflow"), key, Some(&json!({"code": throws}).to_string())).await;
    let out = app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&run.to_string())).await.json();
    assert!(out["result"].is_null());
    assert_eq!(out["error"]["message"], "Error: boom");
    assert_eq!(out["error"]["line"], 4);

    let bad_identity = json!({"identity": {"userIdentifier": "a", "anonymousIdentifier": "b"}, "offerId": oid});
    let r = app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&bad_identity.to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

// Scenario: another tenant's or environment's methods, offers and workflows are 404; a
// publishable key may not touch them.
async fn workflows_are_tenant_and_environment_scoped(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let m = method(&app, &b.keys.preview.secret).await;
    let mid = m["id"].as_str().unwrap();
    for key in [&a.keys.preview.secret, &b.keys.live.secret] {
        assert_eq!(app.api("GET", &format!("/api/v1/redemption-methods/{mid}"), key, None).await.status, StatusCode::NOT_FOUND);
        let r = app
            .api(
                "PUT",
                &format!("/api/v1/redemption-methods/{mid}/workflow"),
                key,
                Some(r#"{"code":"export default async function(){return {success:true}}"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.api("GET", &format!("/api/v1/redemption-methods/{mid}/workflow/versions"), key, None).await.status, StatusCode::NOT_FOUND);
        let run = json!({"identity": {"userIdentifier": "x"}, "offerId": "off_x"});
        assert_eq!(
            app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&run.to_string())).await.status,
            StatusCode::NOT_FOUND
        );
        let offer = json!({"name": "X", "redemptionMethodId": mid, "priceIds": ["price_x"], "presentation": {"title": "X"}});
        let r = app.api("POST", "/api/v1/offers", key, Some(&offer.to_string())).await;
        assert!(r.json()["fields"]["redemptionMethodId"].is_string());
    }
    // The dashboard's door: tenant A's merchant gets 404 for B's method, workflow and offer.
    let pid = app.api("POST", "/api/v1/products", &b.keys.preview.secret, Some(r#"{"name":"P"}"#)).await.json()["id"].as_str().unwrap().to_string();
    let price = app
        .api(
            "POST",
            "/api/v1/prices",
            &b.keys.preview.secret,
            Some(&format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"stripePriceId":"price_b1"}}"#)),
        )
        .await
        .json();
    let offer = json!({"name": "B offer", "redemptionMethodId": mid, "priceIds": [price["id"]], "presentation": {"title": "B"}});
    let oid = app.api("POST", "/api/v1/offers", &b.keys.preview.secret, Some(&offer.to_string())).await.json()["id"].as_str().unwrap().to_string();
    let cookie = app.login("a@a.test", a.owner_password.as_deref().unwrap()).await;
    assert_eq!(app.sfn("methods/get", &[("id", mid)], Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.sfn("methods/workflow/save", &[("id", mid), ("code", "export default async function(){return {success:true}}")], Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    let run = [("id", mid), ("offer_id", oid.as_str()), ("identity", "user"), ("identifier", "x")];
    assert_eq!(app.sfn("methods/workflow/test", &run, Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.sfn("offers/get", &[("id", &oid)], Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.sfn("offers/archive", &[("id", &oid), ("archived", "true")], Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert!(app.sfn("offers/list", &[], Some(&cookie)).await.json().as_array().unwrap().is_empty());
    assert_eq!(app.api("GET", &format!("/api/v1/offers/{oid}"), &b.keys.preview.secret, None).await.json()["status"], "active");

    let r = app.api("POST", "/api/v1/redemption-methods", &b.keys.preview.publishable, Some(r#"{"name":"X","schema":"custom"}"#)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v = app.api("GET", &format!("/api/v1/redemption-methods/{mid}/workflow/versions"), &b.keys.preview.secret, None).await.json();
    assert_eq!(v["data"].as_array().unwrap().len(), 1, "nothing was saved by the other tenant");
}

/// A tenant with the Stripe integration, a Stripe Checkout method running `code`, and an offer.
struct Shop {
    t: offerdeck::server::services::tenants::Bootstrap,
    method: String,
    offer: String,
}

async fn shop(app: &TestApp, name: &str, code: Option<&str>) -> Shop {
    let t = app.tenant(name, &format!("owner@{}.test", name.to_lowercase())).await;
    let key = &t.keys.preview.secret;
    let r = app.api("PUT", "/api/v1/integrations/stripe", key, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = method(app, key).await;
    let mid = m["id"].as_str().unwrap().to_string();
    if let Some(code) = code {
        let r = app.api("PUT", &format!("/api/v1/redemption-methods/{mid}/workflow"), key, Some(&json!({"code": code}).to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let product = app.api("POST", "/api/v1/products", key, Some(r#"{"name":"Premium"}"#)).await.json()["id"].as_str().unwrap().to_string();
    let p = price(app, key, &product, "gbp", 1000, "price_monthly").await;
    let offer = json!({"name": "Premium", "redemptionMethodId": mid, "priceIds": [p], "presentation": {"title": "Premium"}});
    let r = app.api("POST", "/api/v1/offers", key, Some(&offer.to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    Shop { method: mid, offer: r.json()["id"].as_str().unwrap().to_string(), t }
}

fn offer_token(app: &TestApp, s: &Shop, who: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let identity = offerdeck::model::Identity { kind: offerdeck::model::IdentityKind::Authenticated, identifier: who.into() };
    offerdeck::server::tokens::mint(
        &app.state.config.secret_key,
        &app.scope(&s.t.tenant_id, offerdeck::model::Environment::Preview),
        &s.offer,
        &identity,
        1800,
        now,
    )
}

fn redemption(who: &str, token: &str) -> String {
    json!({"identity": {"userIdentifier": who}, "offerToken": token}).to_string()
}

// Scenario: code nested 100,000 brackets deep is a validation error with its line and column when
// a method is created, when a workflow is saved through the API and through the dashboard, and
// when an old version stored before the limit is restored; the server answers the next request.
async fn deeply_nested_code_is_refused_through_every_door(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let deep = format!("export default async function () {{ return {{ success: true }}; }}\nconst x = {}", "[".repeat(100_000));
    let assert_refused = |r: &common::Resp| {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(300)]);
        let j = r.json();
        assert_eq!(j["code"], "validation_failed");
        assert!(j["errors"][0]["message"].as_str().unwrap().contains("nests deeper than 200 levels"), "{j}");
        assert_eq!((j["errors"][0]["line"].as_u64(), j["errors"][0]["column"].as_u64()), (Some(2), Some(210)), "{j}");
    };
    let create = json!({"name": "Deep", "schema": "custom", "workflow": deep});
    assert_refused(&app.api("POST", "/api/v1/redemption-methods", key, Some(&create.to_string())).await);
    let m = method(&app, key).await;
    let mid = m["id"].as_str().unwrap();
    assert_refused(&app.api("PUT", &format!("/api/v1/redemption-methods/{mid}/workflow"), key, Some(&json!({"code": deep}).to_string())).await);
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let r = app.sfn("methods/workflow/save", &[("id", mid), ("code", &deep)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("nests deeper than 200 levels"));

    // A version stored before the limit existed (written straight to the database).
    let scope = app.scope(&t.tenant_id, offerdeck::model::Environment::Preview);
    let old = offerdeck::server::db::methods::NewVersion {
        id: "wfv_deep",
        method_id: mid,
        source: &deep,
        compiled_js: "",
        source_map: "",
        created_by: "test",
        now: 1,
    };
    let v = offerdeck::server::db::methods::insert_version(&app.state.db.pool, &scope, old).await.unwrap();
    assert_refused(&app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/versions/{v}/restore"), key, None).await);
    assert_eq!(app.api("GET", &format!("/api/v1/redemption-methods/{mid}"), key, None).await.json()["currentVersion"], 1, "nothing was saved");
}

const HANGS: &str = "export default async function ({ integrations }) {\n  await integrations.stripe.request({ method: 'GET', path: '/v1/hang' });\n  return { success: true };\n}\n";

// Scenario: tenant A fills its share of workflow slots with runs that hang on Stripe; tenant B's
// test run and redemption still complete at once; A's next test run and redemption are 429
// `rate_limited` with Retry-After after the bounded wait, and the refused redemption's token is
// not left claimed.
async fn one_tenant_cannot_take_every_workflow_slot(base: TestApp) {
    let stub = StripeStub::start().await;
    let app = std::sync::Arc::new(base.reconfigured(|c| {
        c.stripe_api_base = stub.base.clone();
        c.workflow_limits.tenant_concurrent = 2;
        c.workflow_limits.queue_wait = std::time::Duration::from_millis(300);
    }));
    let a = shop(&app, "Alpha", Some(HANGS)).await;
    let b = shop(&app, "Beta", None).await;
    let run = |s: &Shop| {
        (format!("/api/v1/redemption-methods/{}/workflow/test", s.method), json!({"identity": {"userIdentifier": "x@y.test"}, "offerId": s.offer}).to_string())
    };

    let mut hanging = Vec::new();
    for _ in 0..2 {
        let (app, key, (path, body)) = (app.clone(), a.t.keys.preview.secret.clone(), run(&a));
        hanging.push(tokio::spawn(async move { app.api("POST", &path, &key, Some(&body)).await }));
    }
    tokio::time::timeout(std::time::Duration::from_secs(10), stub.wait_for("/v1/hang", 2)).await.expect("A's runs reached Stripe");

    let prompt = std::time::Duration::from_secs(5);
    let (path, body) = run(&b);
    let r = tokio::time::timeout(prompt, app.api("POST", &path, &b.t.keys.preview.secret, Some(&body))).await.expect("B's test run was held up");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["result"]["success"], true, "{}", r.body);
    let tok = offer_token(&app, &b, "buyer@beta.test");
    let r = tokio::time::timeout(prompt, app.api("POST", "/api/v1/offer-redemptions", &b.t.keys.preview.secret, Some(&redemption("buyer@beta.test", &tok))))
        .await
        .expect("B's redemption was held up");
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "success");

    let (path, body) = run(&a);
    let started = std::time::Instant::now();
    let r = app.api("POST", &path, &a.t.keys.preview.secret, Some(&body)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.json()["code"], "rate_limited");
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "refused after the bounded wait");
    let tok = offer_token(&app, &a, "buyer@alpha.test");
    for _ in 0..2 {
        // Twice: the first refusal released the token's claim (else the second would be 409).
        let r = app.api("POST", "/api/v1/offer-redemptions", &a.t.keys.preview.secret, Some(&redemption("buyer@alpha.test", &tok))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    }
    assert_eq!(stub.requests().iter().filter(|r| r.path == "/v1/hang").count(), 2, "the refused runs did not start");
    for h in hanging {
        h.abort();
        let _ = h.await;
    }
    assert_eq!(app.state.engine.tenants_tracked(), 0);
}

// Scenario: a redemption whose workflow logs without end and returns a result over 64 KiB is a
// 531 `workflow_error` naming the limit; the recorded event keeps bounded logs and response.
async fn what_a_failed_redemption_records_is_bounded(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let code = "export default async function () {\n  for (let i = 0; i < 1000; i++) console.log('x'.repeat(3000));\n  return { success: true, action: 'navigate', url: 'https://x.test/', properties: { big: 'p'.repeat(100000) } };\n}\n";
    let s = shop(&app, "Acme", Some(code)).await;
    let key = &s.t.keys.preview.secret;
    let tok = offer_token(&app, &s, "buyer@acme.test");
    let r = app.api("POST", "/api/v1/offer-redemptions", key, Some(&redemption("buyer@acme.test", &tok))).await;
    assert_eq!(r.status.as_u16(), 531, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(r.json()["code"], "workflow_error");
    assert!(r.json()["message"].as_str().unwrap().contains("larger than 64 KiB"));
    let events = app.api("GET", "/api/v1/events?type=offer.redemption", key, None).await.json();
    let e = &events["data"][0];
    assert_eq!(e["status"], "failed", "{events}");
    let logs: Vec<&str> = e["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(logs.last(), Some(&"… logs truncated"));
    assert!(logs.iter().map(|l| l.len()).sum::<usize>() <= (64 << 10) + 32, "{} lines", logs.len());
    assert!(e["response"].to_string().len() < 1_000, "{}", e["response"]);
}
