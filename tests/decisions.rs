//! The seed recipe through the API alone: a Stripe Checkout method, an offer with two prices, a
//! schema with an offer slot, an App experience, a surface; decision → token → redemption →
//! the navigate URL from the local Stripe server. On both databases.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use serde_json::{Value, json};

db_tests!(seed_recipe_end_to_end, schema_and_experience_rules);

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let r = app.api("POST", path, key, Some(&body.to_string())).await;
    assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
    r.json()
}

// Scenario: decision presents the offer with a token; the anonymous visitor is sent to sign up
// carrying the token; the identified user redeems it to the Checkout URL whose Stripe request
// has both prices; an offer outside its window is not presented and debug says why.
async fn seed_recipe_end_to_end(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = t.keys.preview.secret.clone();
    let k = key.as_str();
    app.api("PUT", "/api/v1/integrations/stripe", k, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    let method = post(&app, k, "/api/v1/redemption-methods", json!({"name": "Stripe Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}})).await;
    let product = post(&app, k, "/api/v1/products", json!({"name": "Premium"})).await;
    let p1 = post(&app, k, "/api/v1/prices", json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"})).await;
    let p2 = post(&app, k, "/api/v1/prices", json!({"productId": product["id"], "currency": "gbp", "unitAmount": 200, "interval": "month", "stripePriceId": "price_extra"})).await;
    let offer = post(&app, k, "/api/v1/offers", json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [p1["id"], p2["id"]],
        "presentation": {"title": "Premium Monthly"}})).await;
    let expired = post(&app, k, "/api/v1/offers", json!({"name": "Old", "redemptionMethodId": method["id"], "priceIds": [p1["id"]],
        "presentation": {"title": "Old deal"}, "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2020-02-01T00:00:00Z"})).await;
    let schema = post(&app, k, "/api/v1/presentation-schemas", json!({"name": "Banner",
        "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}], "offerSlots": ["primary"]})).await;
    let exp = post(&app, k, "/api/v1/experiences", json!({"name": "Pricing banner", "type": "app", "schemaId": schema["id"],
        "content": {"headline": "Go premium"}, "offers": {"primary": [expired["id"], offer["id"]]}})).await;
    post(&app, k, "/api/v1/surfaces", json!({"name": "Pricing page", "slug": "pricing-page", "slots": [{"key": "web-content", "facet": "web", "experienceId": exp["id"]}]})).await;

    let d = post(&app, k, "/api/v1/surface-decisions", json!({"surfaceSlug": "pricing-page", "identity": {"createAnonymousIdentifier": true}, "debug": true})).await;
    assert_eq!(d["status"], "success");
    assert_eq!(d["identity"]["authType"], "anonymous");
    let anon_id = d["identity"]["identifier"].as_str().unwrap().to_string();
    assert!(anon_id.starts_with("anon_"));
    assert_eq!(d["offer"]["id"], offer["id"]);
    assert_eq!(d["offer"]["presentation"], json!({"title": "Premium Monthly", "price": "£10.00"}));
    assert_eq!(d["offer"]["redemptionSchema"], "mos:stripe-checkout-instructions");
    assert_eq!(d["slots"][0]["experience"]["content"]["headline"], "Go premium");
    let why = &d["slots"][0]["debug"]["primary"];
    assert_eq!(why[0]["reason"], "outside its validity window", "{why}");
    assert_eq!(why[1]["presented"], true);
    let token = d["offer"]["token"].as_str().unwrap().to_string();

    let r = app.api("POST", "/api/v1/offer-redemptions", k, Some(&json!({"identity": {"anonymousIdentifier": anon_id}, "offerToken": token}).to_string())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["action"]["url"].as_str().unwrap().starts_with("https://shop.test/join?offerToken="));

    let r = app.api("POST", "/api/v1/offer-redemptions", k, Some(&json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": token}).to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["action"]["url"], "https://checkout.stripe.com/c/pay/cs_test_stub");
    let session = stub.requests().into_iter().find(|r| r.path == "/v1/checkout/sessions").unwrap();
    let form = session.form();
    assert!(form.contains(&("line_items[0][price]".into(), "price_main".into())));
    assert!(form.contains(&("line_items[1][price]".into(), "price_extra".into())));

    // A publishable key may decide for anonymous visitors only, and never debug.
    let pk = &t.keys.preview.publishable;
    let r = app.api("POST", "/api/v1/surface-decisions", pk, Some(r#"{"surfaceSlug":"pricing-page","identity":{"anonymousIdentifier":"anon_x"}}"#)).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.api("POST", "/api/v1/surface-decisions", pk, Some(r#"{"surfaceSlug":"pricing-page","identity":{"userIdentifier":"a@b.c"}}"#)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.api("POST", "/api/v1/surface-decisions", k, Some(r#"{"surfaceSlug":"nowhere","identity":{"anonymousIdentifier":"x"}}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The live environment does not see the preview surface.
    let r = app.api("POST", "/api/v1/surface-decisions", &t.keys.live.secret, Some(r#"{"surfaceSlug":"pricing-page","identity":{"anonymousIdentifier":"x"}}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// Scenario: app content is checked against the schema; an HTML experience fills escaped
// placeholders; a schema in use cannot be deleted and the answer names the experience.
async fn schema_and_experience_rules(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let k = t.keys.preview.secret.as_str();
    let schema = post(&app, k, "/api/v1/presentation-schemas", json!({"name": "Card",
        "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}, {"key": "rank", "type": "number", "label": "Rank", "required": false}],
        "offerSlots": ["primary"]})).await;
    let bad = app.api("POST", "/api/v1/experiences", k, Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"rank": "first", "colour": "red"}}).to_string())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let f = &bad.json()["fields"];
    assert_eq!(f["content.headline"], "is required");
    assert_eq!(f["content.rank"], "must be a number");
    assert_eq!(f["content.colour"], "is not a field of the schema");
    let bad_slot = app.api("POST", "/api/v1/experiences", k, Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"headline": "h"}, "offers": {"sidebar": []}}).to_string())).await;
    assert!(bad_slot.json()["fields"]["offers.sidebar"].is_string());
    post(&app, k, "/api/v1/experiences", json!({"name": "Card one", "type": "app", "schemaId": schema["id"], "content": {"headline": "h", "rank": 1}})).await;
    let del = app.api("DELETE", &format!("/api/v1/presentation-schemas/{}", schema["id"].as_str().unwrap()), k, None).await;
    assert_eq!(del.status, StatusCode::CONFLICT);
    assert!(del.json()["message"].as_str().unwrap().contains("Card one"));

    let html = post(&app, k, "/api/v1/experiences", json!({"name": "Banner", "type": "html", "html": "<h2>{{offer.title}}</h2>"})).await;
    post(&app, k, "/api/v1/surfaces", json!({"name": "Home", "slug": "home", "slots": [{"key": "top", "facet": "web", "experienceId": html["id"]}]})).await;
    let dup = app.api("POST", "/api/v1/surfaces", k, Some(r#"{"name":"Home 2","slug":"home","slots":[]}"#)).await;
    assert!(dup.json()["fields"]["slug"].as_str().unwrap().contains("already used"));
    let bad_slug = app.api("POST", "/api/v1/surfaces", k, Some(r#"{"name":"X","slug":"Not A Slug","slots":[]}"#)).await;
    assert!(bad_slug.json()["fields"]["slug"].is_string());
    let d = post(&app, k, "/api/v1/surface-decisions", json!({"surfaceSlug": "home", "identity": {"anonymousIdentifier": "anon_1"}})).await;
    assert!(d["offer"].is_null(), "no offer in the experience: offer is null");
    assert_eq!(d["slots"][0]["experience"]["content"], "<h2></h2>");
}
