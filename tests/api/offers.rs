//! Offers (`services::offers`): prices of one currency, instructions as an object, validity
//! windows, and the default workflow's test run against the local Stripe server.
use crate::helpers::TestApp;
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::methods::{method, price};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::json;

db_tests!(offer_rules_and_checkout_test_run,);

// Scenario: an offer's prices must share a currency and its instructions be an object; the
// default workflow's test run sends Stripe the exact Checkout body and returns the navigate
// action; an anonymous identity gets the sign-up navigate; Stripe's refusal is a 502 result.
async fn offer_rules_and_checkout_test_run(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let m = method(&app, key).await;
    let mid = m["id"].as_str().unwrap();
    let product = api.post("/api/v1/products", r#"{"name":"Premium"}"#).await.id();
    let p1 = price(&app, key, &product, "gbp", 1000, "price_monthly").await;
    let p2 = price(&app, key, &product, "gbp", 500, "price_addon").await;
    let p3 = price(&app, key, &product, "usd", 1200, "price_usd").await;

    let mixed = json!({"name": "Mixed", "redemptionMethodId": mid, "priceIds": [p1, p3], "presentation": {"title": "Mixed"}});
    let r = api.post("/api/v1/offers", &mixed).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["priceIds"].as_str().unwrap().contains("one currency"));
    let not_obj = json!({"name": "X", "redemptionMethodId": mid, "priceIds": [p1], "presentation": {"title": "X"}, "instructions": [1, 2]});
    let r = api.post("/api/v1/offers", &not_obj).await;
    assert!(r.json()["fields"]["instructions"].as_str().unwrap().contains("JSON object"));
    let window = json!({"name": "X", "redemptionMethodId": mid, "priceIds": [p1], "presentation": {"title": "X"},
                        "validFrom": "2026-12-01T00:00:00Z", "validUntil": "2026-11-01T00:00:00Z"});
    assert!(api.post("/api/v1/offers", &window).await.json()["fields"]["validUntil"].is_string());

    let good = json!({"name": "Premium Monthly", "redemptionMethodId": mid, "priceIds": [p1, p2],
                      "presentation": {"title": "Premium Monthly"}, "instructions": {"allow_promotion_codes": true}, "audience": "all"});
    let r = api.post("/api/v1/offers", &good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let offer = r.json();
    assert_eq!(offer["presentation"]["price"], "£10.00", "price label defaults to the first price");
    assert_eq!(offer["priceIds"], json!([p1, p2]));
    let oid = offer["id"].as_str().unwrap();

    let run = json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerId": oid});
    let r = api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/test"), &run).await;
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
    let out = api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/test"), &anon).await.json();
    assert_eq!(out["result"]["success"], false);
    assert_eq!(out["result"]["statusCode"], 401);
    assert_eq!(out["result"]["url"], "https://shop.test/join?offerToken=test-run-token");
    assert_eq!(stub.requests().len(), before, "no Stripe call for an anonymous identity");

    stub.script(vec![(400, json!({"error": {"message": "No such price: 'price_monthly'"}}))]);
    let out = api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/test"), &run).await.json();
    assert_eq!(out["result"]["statusCode"], 502);
    assert_eq!(out["result"]["message"], "No such price: 'price_monthly'");
    assert!(out["logs"][0].as_str().unwrap().contains("400"), "{out}");

    // A workflow that throws reports the line as typed.
    let throws = "type T = { a: string };\n\nexport default async function () {\n  throw new Error('boom');\n}\n";
    api.put(&format!("/api/v1/redemption-methods/{mid}/workflow"), json!({"code": throws})).await;
    let out = api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/test"), &run).await.json();
    assert!(out["result"].is_null());
    assert_eq!(out["error"]["message"], "Error: boom");
    assert_eq!(out["error"]["line"], 4);

    let bad_identity = json!({"identity": {"userIdentifier": "a", "anonymousIdentifier": "b"}, "offerId": oid});
    let r = api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/test"), &bad_identity).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
