//! The Stripe integration (`services::integrations`) and the Stripe client, against a local
//! Stripe-compatible server.
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use offerdeck::model::Role;
use offerdeck::server::stripe::StripeClient;
use serde_json::json;
use std::time::Duration;

db_tests!(integration_is_encrypted_masked_and_checked, test_connection_reports_the_account_or_stripes_error, the_publishable_key_matches_its_environment,);

// Scenario: a key of the wrong environment is refused with a clear field error; a good one is
// stored encrypted, shown masked, and invisible to other environments, roles and keys.
async fn integration_is_encrypted_masked_and_checked(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let live_key = r#"{"secretKey":"sk_live_51LiveKeyLiveKeyLiveKey00"}"#;
    let r = api.put("/api/v1/integrations/stripe", live_key).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["secretKey"].as_str().unwrap().contains("live key"), "{}", r.body);
    let r = api.put("/api/v1/integrations/stripe", r#"{"secretKey":"sk_test_51abcdefghijklmnopqrstuv","webhookSecret":"nope"}"#).await;
    assert!(r.json()["fields"]["webhookSecret"].is_string());
    assert_eq!(api.get("/api/v1/integrations/stripe").await.status, StatusCode::NOT_FOUND, "nothing stored after bad input");

    let body = format!(r#"{{"secretKey":"{GOOD_TEST_KEY}","webhookSecret":"whsec_abcdefghijkl"}}"#);
    let r = api.put("/api/v1/integrations/stripe", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["secretKey"], format!("sk_test_…{}", &GOOD_TEST_KEY[GOOD_TEST_KEY.len() - 4..]));
    assert_eq!(v["webhookSecretSet"], true);
    assert!(!r.body.contains(GOOD_TEST_KEY) && !r.body.contains("whsec_abcdefghijkl"));
    // Saving again without a webhook secret keeps the stored one.
    let again = api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await.json();
    assert_eq!(again["webhookSecretSet"], true);
    assert_eq!(again["id"], v["id"]);

    use sqlx::Row;
    let row = sqlx::query("SELECT secret_key_enc, webhook_secret_enc FROM stripe_integrations").fetch_one(&app.state.db.pool).await.unwrap();
    let (k, w): (String, String) = (row.get(0), row.get(1));
    assert!(k.starts_with("v1:") && !k.contains("GoodKey"), "the key is stored encrypted");
    assert!(w.starts_with("v1:") && !w.contains("abcdefghijkl"));

    assert_eq!(app.api("GET", "/api/v1/integrations/stripe", &t.keys.live.secret, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("GET", "/api/v1/integrations/stripe", &t.keys.preview.publishable, None).await.status, StatusCode::FORBIDDEN);
    let other = app.tenant("Other", "o@o.test").await;
    assert_eq!(app.api("GET", "/api/v1/integrations/stripe", &other.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);

    app.member("m@acme.test", &t.tenant_id, Role::Marketer).await;
    let marketer = app.session("m@acme.test", "password-123").await;
    assert_eq!(marketer.sfn("integrations/stripe", &[]).await.status, StatusCode::FORBIDDEN);
    let r = marketer.sfn("integrations/stripe/save", &[("secret_key", GOOD_TEST_KEY), ("webhook_secret", "")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    assert_eq!(api.delete("/api/v1/integrations/stripe").await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/integrations/stripe").await.status, StatusCode::NOT_FOUND);
}

// Scenario: the integration's publishable key (for Stripe.js in custom checkout pages) is
// checked like the secret key: pk_test_ in preview, pk_live_ in live; a refused one stores
// nothing; saving again without one keeps it; the dashboard form keeps it when left empty; a
// custom-mode checkout session hands it out.
async fn the_publishable_key_matches_its_environment(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    const PATH: &str = "/api/v1/integrations/stripe";
    for (pk, why) in [("pk_live_51LiveKeyLiveKeyLiveKey00", "environment"), ("sk_test_51NotPublishableAtAll00", "publishable"), ("pk_test_short", "look")] {
        let r = api.put(PATH, json!({"secretKey": GOOD_TEST_KEY, "publishableKey": pk})).await;
        let j = assert_error(&r, 400, "validation_failed");
        assert!(j["fields"]["publishableKey"].as_str().unwrap().contains(why), "{pk}: {j}");
    }
    assert_eq!(api.get(PATH).await.status, StatusCode::NOT_FOUND, "nothing stored");
    let pk = "pk_test_51PublishableKeyForStripeJs0";
    let r = api.put(PATH, json!({"secretKey": GOOD_TEST_KEY, "publishableKey": pk})).await;
    assert_eq!(r.json()["publishableKey"], pk, "{}", r.body);
    assert_eq!(api.put(PATH, json!({"secretKey": GOOD_TEST_KEY})).await.json()["publishableKey"], pk, "omitted keeps it");
    let merchant = app.merchant(&t).await;
    let r = merchant.sfn("integrations/stripe/save", &[("secret_key", GOOD_TEST_KEY), ("webhook_secret", ""), ("publishable_key", "")]).await;
    assert_eq!(r.json()["publishableKey"], pk, "the form's empty field keeps it: {}", r.body);
    let live = app.secret_key(&t, Environment::Live);
    let r = live.put(PATH, json!({"secretKey": "sk_live_51LiveKeyLiveKeyLiveKey00", "publishableKey": "pk_test_51PublishableKeyForStripeJs0"})).await;
    assert!(assert_error(&r, 400, "validation_failed")["fields"]["publishableKey"].as_str().unwrap().contains("pk_live_"));
    // A custom-mode session carries it for Stripe.js.
    let product = api.create("/api/v1/products", json!({"name": "Pro", "successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no"})).await;
    api.create("/api/v1/prices", json!({"productId": product["id"], "currency": "gbp", "unitAmount": 100, "stripePriceId": "price_pk"})).await;
    let cs = api.create("/api/v1/checkout-sessions", json!({"productId": product["id"], "uiMode": "custom", "discountUpdates": "server_only"})).await;
    assert_eq!(cs["publishableKey"], pk);
    let hosted = api.create("/api/v1/checkout-sessions", json!({"productId": product["id"]})).await;
    assert!(hosted["publishableKey"].is_null() && hosted["clientSecret"].is_null());
}

// Scenario: "Test connection" sends the stored key to Stripe and returns the account; a key
// Stripe refuses and an unreachable Stripe both give 502 stripe_error with a clear message.
async fn test_connection_reports_the_account_or_stripes_error(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    app.api("PUT", "/api/v1/integrations/stripe", key, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    let r = app.api("POST", "/api/v1/integrations/stripe/test", key, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["id"], "acct_stub123");
    assert_eq!(r.json()["businessName"], "Stub Shop");
    let seen = stub.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v1/account"));
    assert_eq!(seen[0].header("authorization").unwrap(), format!("Bearer {GOOD_TEST_KEY}"));

    app.api("PUT", "/api/v1/integrations/stripe", key, Some(r#"{"secretKey":"sk_test_51SomeOtherKeyThatStripeRefuses"}"#)).await;
    let r = app.api("POST", "/api/v1/integrations/stripe/test", key, None).await;
    assert_error(&r, 502, "stripe_error");
    assert!(r.json()["message"].as_str().unwrap().contains("Invalid API Key provided"), "{}", r.body);

    let app = app.with_stripe("http://127.0.0.1:9");
    let r = app.api("POST", "/api/v1/integrations/stripe/test", key, None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(r.json()["message"].as_str().unwrap().contains("could not be reached"));
    assert!(!r.body.contains("sk_test_51SomeOther"), "the key never appears in an answer");
}

// Scenario: a POST that meets a 500 is retried with the same Idempotency-Key and the exact
// nested form body; a 400 is not retried; Stripe-Should-Retry: false is honoured.
#[tokio::test]
async fn client_encodes_forms_and_retries_safely() {
    let stub = StripeStub::start().await;
    let client = StripeClient::with_policy(&stub.base, 2, Duration::ZERO);
    stub.script(vec![(500, json!({"error": {"message": "boom"}}))]);
    let body = json!({"mode": "payment", "line_items": [{"price": "price_a", "quantity": 1}, {"price": "price_b", "quantity": 1}],
                      "success_url": "https://shop.test/ok?x=1&y=2"});
    let res = client.request(GOOD_TEST_KEY, "POST", "/v1/checkout/sessions", Some(&body), None).await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.data["id"], "cs_test_stub");
    let seen = stub.requests();
    assert_eq!(seen.len(), 2, "one retry after the 500");
    let (k1, k2) = (seen[0].header("idempotency-key").unwrap(), seen[1].header("idempotency-key").unwrap());
    assert_eq!(k1, k2, "a retried POST carries the same Idempotency-Key");
    assert_eq!(seen[1].header("content-type").unwrap(), "application/x-www-form-urlencoded");
    let form = seen[1].form();
    for (k, v) in [
        ("mode", "payment"),
        ("line_items[0][price]", "price_a"),
        ("line_items[0][quantity]", "1"),
        ("line_items[1][price]", "price_b"),
        ("success_url", "https://shop.test/ok?x=1&y=2"),
    ] {
        assert!(form.contains(&(k.to_string(), v.to_string())), "{k}={v} missing in {form:?}");
    }

    stub.script(vec![(400, json!({"error": {"message": "No such price: 'price_x'"}}))]);
    let res = client.request(GOOD_TEST_KEY, "POST", "/v1/checkout/sessions", Some(&body), Some("my-key")).await.unwrap();
    assert_eq!(res.status, 400);
    assert_eq!(res.error_message(), "No such price: 'price_x'");
    let seen = stub.requests();
    assert_eq!(seen.len(), 3, "a 400 is final");
    assert_eq!(seen[2].header("idempotency-key").as_deref(), Some("my-key"));

    stub.script(vec![(503, json!({})), (503, json!({})), (503, json!({}))]);
    let res = client.request(GOOD_TEST_KEY, "GET", "/v1/account", None, None).await.unwrap();
    assert_eq!(res.status, 503, "gives up after two retries");
    assert_eq!(stub.requests().len(), 6);
    assert!(stub.requests()[5].header("idempotency-key").is_none(), "GETs carry no Idempotency-Key");

    let unreachable = StripeClient::with_policy("http://127.0.0.1:9", 1, Duration::ZERO);
    let err = unreachable.request(GOOD_TEST_KEY, "GET", "/v1/account", None, None).await.unwrap_err();
    assert!(err.0.contains("could not be reached"));
}
