//! Redemption methods, workflow versions, offers and workflow test runs against a local
//! Stripe-compatible server, through the API, on both databases.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use serde_json::{Value, json};

db_tests!(method_rules_versions_and_restore, offer_rules_and_checkout_test_run, workflows_are_tenant_and_environment_scoped);

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
    let r = app.api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["successUrl"].is_string(), "{}", r.body);
    let r = app.api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"X","schema":"paypal"}"#)).await;
    assert!(r.json()["fields"]["schema"].is_string(), "{}", r.body);

    let m = method(&app, key).await;
    assert_eq!(m["slug"], "stripe-checkout");
    assert_eq!(m["redemptionSchema"], "mos:stripe-checkout-instructions");
    assert_eq!(m["currentVersion"], 1);
    assert_eq!(m["settings"]["signupUrl"], "https://shop.test/join");
    let dup = app.api("POST", "/api/v1/redemption-methods", key, Some(&format!(r#"{{"name":"Stripe Checkout","schema":"stripe-checkout","settings":{SETTINGS}}}"#))).await;
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
        let r = app.api("PUT", &format!("/api/v1/redemption-methods/{mid}/workflow"), key, Some(r#"{"code":"export default async function(){return {success:true}}"}"#)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(app.api("GET", &format!("/api/v1/redemption-methods/{mid}/workflow/versions"), key, None).await.status, StatusCode::NOT_FOUND);
        let run = json!({"identity": {"userIdentifier": "x"}, "offerId": "off_x"});
        assert_eq!(app.api("POST", &format!("/api/v1/redemption-methods/{mid}/workflow/test"), key, Some(&run.to_string())).await.status, StatusCode::NOT_FOUND);
        let offer = json!({"name": "X", "redemptionMethodId": mid, "priceIds": ["price_x"], "presentation": {"title": "X"}});
        let r = app.api("POST", "/api/v1/offers", key, Some(&offer.to_string())).await;
        assert!(r.json()["fields"]["redemptionMethodId"].is_string());
    }
    // The dashboard's door: tenant A's merchant gets 404 for B's method, workflow and offer.
    let pid = app.api("POST", "/api/v1/products", &b.keys.preview.secret, Some(r#"{"name":"P"}"#)).await.json()["id"].as_str().unwrap().to_string();
    let price = app.api("POST", "/api/v1/prices", &b.keys.preview.secret, Some(&format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"stripePriceId":"price_b1"}}"#))).await.json();
    let offer = json!({"name": "B offer", "redemptionMethodId": mid, "priceIds": [price["id"]], "presentation": {"title": "B"}});
    let oid = app.api("POST", "/api/v1/offers", &b.keys.preview.secret, Some(&offer.to_string())).await.json()["id"].as_str().unwrap().to_string();
    let cookie = app.login("a@a.test", a.owner_password.as_deref().unwrap()).await;
    assert_eq!(app.sfn("methods/get", &[("id", mid)], Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.sfn("methods/workflow/save", &[("id", mid), ("code", "export default async function(){return {success:true}}")], Some(&cookie)).await.status, StatusCode::NOT_FOUND);
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
