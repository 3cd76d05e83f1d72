//! Surfaces and their decisions (`services::surfaces`): the seed recipe through the API alone
//! (a Stripe Checkout method, an offer with two prices, a schema with an offer slot, an App
//! experience, a surface; decision → token → redemption → the navigate URL from the local
//! Stripe server), decisions from the in-memory snapshot, offer stats, token lifetimes and the
//! per-address limit of publishable-key decisions.
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(seed_recipe_end_to_end, snapshot_counts_and_token_lifetime, publishable_decisions_are_limited_per_address,);

// Scenario: decision presents the offer with a token; the anonymous visitor is sent to sign up
// carrying the token; the identified user redeems it to the Checkout URL whose Stripe request
// has both prices; an offer outside its window is not presented and debug says why.
async fn seed_recipe_end_to_end(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = t.keys.preview.secret.clone();
    let k = key.as_str();
    let api = app.client(&key);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let method = api
        .create(
            "/api/v1/redemption-methods",
            json!({"name": "Stripe Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
        )
        .await;
    let product = api.create("/api/v1/products", json!({"name": "Premium"})).await;
    let p1 = api
        .create(
            "/api/v1/prices",
            json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"}),
        )
        .await;
    let p2 = api
        .create(
            "/api/v1/prices",
            json!({"productId": product["id"], "currency": "gbp", "unitAmount": 200, "interval": "month", "stripePriceId": "price_extra"}),
        )
        .await;
    let offer = api
        .create(
            "/api/v1/offers",
            json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [p1["id"], p2["id"]],
        "presentation": {"title": "Premium Monthly"}}),
        )
        .await;
    let expired = api
        .create(
            "/api/v1/offers",
            json!({"name": "Old", "redemptionMethodId": method["id"], "priceIds": [p1["id"]],
        "presentation": {"title": "Old deal"}, "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2020-02-01T00:00:00Z"}),
        )
        .await;
    let schema = api
        .create(
            "/api/v1/presentation-schemas",
            json!({"name": "Banner",
        "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}], "offerSlots": ["primary"]}),
        )
        .await;
    let exp = api
        .create(
            "/api/v1/experiences",
            json!({"name": "Pricing banner", "type": "app", "schemaId": schema["id"],
        "content": {"headline": "Go premium"}, "offers": {"primary": [expired["id"], offer["id"]]}}),
        )
        .await;
    api.create(
        "/api/v1/surfaces",
        json!({"name": "Pricing page", "slug": "pricing-page", "slots": [{"key": "web-content", "facet": "web", "experienceId": exp["id"]}]}),
    )
    .await;

    let d =
        api.create("/api/v1/surface-decisions", json!({"surfaceSlug": "pricing-page", "identity": {"createAnonymousIdentifier": true}, "debug": true})).await;
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

    let r = api.post("/api/v1/offer-redemptions", json!({"identity": {"anonymousIdentifier": anon_id}, "offerToken": token})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["action"]["url"].as_str().unwrap().starts_with("https://shop.test/join?offerToken="));

    let mut hooks = crate::helpers::receiver::Receiver::start().await;
    api.create("/api/v1/webhook-endpoints", json!({"url": hooks.url, "events": ["offer.redeemed"]})).await;
    let r = app
        .api("POST", "/api/v1/offer-redemptions", k, Some(&json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": token}).to_string()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["action"]["url"], "https://checkout.stripe.com/c/pay/cs_test_stub");
    // The merchant's endpoint hears about it once, even when the redemption is replayed.
    let again = app
        .api("POST", "/api/v1/offer-redemptions", k, Some(&json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": token}).to_string()))
        .await;
    assert_eq!(again.json()["eventId"], r.json()["eventId"]);
    let hook = hooks.next(10, "offer.redeemed").await.json();
    assert_eq!((hook["type"].as_str(), hook["data"]["offerId"].as_str()), (Some("offer.redeemed"), offer["id"].as_str()));
    assert_eq!(hook["data"]["eventId"], r.json()["eventId"]);
    assert_eq!(hook["data"]["identity"]["identifier"], "buyer@example.com");
    let scope = app.scope(&t.tenant_id, offerdeck::model::Environment::Preview);
    assert_eq!(offerdeck::server::db::webhooks::message_count(&app.state.db.pool, &scope, "offer.redeemed").await.unwrap(), 1);
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
    let r = api.post("/api/v1/surface-decisions", r#"{"surfaceSlug":"nowhere","identity":{"anonymousIdentifier":"x"}}"#).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The live environment does not see the preview surface.
    let r = app
        .api("POST", "/api/v1/surface-decisions", &t.keys.live.secret, Some(r#"{"surfaceSlug":"pricing-page","identity":{"anonymousIdentifier":"x"}}"#))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A method, an offer, an app experience presenting it and a surface `pricing-page`.
pub(crate) async fn small_recipe(app: &TestApp, k: &str) -> (Value, Value) {
    let api = app.client(k);
    let method = api
        .create(
            "/api/v1/redemption-methods",
            json!({"name": "Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
        )
        .await;
    let product = api.create("/api/v1/products", json!({"name": "Premium"})).await;
    let price = api
        .create(
            "/api/v1/prices",
            json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"}),
        )
        .await;
    let offer = api
        .create(
            "/api/v1/offers",
            json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}}),
        )
        .await;
    let schema = api.create("/api/v1/presentation-schemas", json!({"name": "Banner", "fields": [], "offerSlots": ["primary"]})).await;
    let exp = api.create("/api/v1/experiences", json!({"name": "Banner", "type": "app", "schemaId": schema["id"], "offers": {"primary": [offer["id"]]}})).await;
    api.create("/api/v1/surfaces", json!({"name": "Pricing", "slug": "pricing-page", "slots": [{"key": "main", "facet": "web", "experienceId": exp["id"]}]}))
        .await;
    (offer, exp)
}

fn token_expiry(token: &str) -> i64 {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["x"].as_i64().unwrap()
}

// Scenario: decisions come from the in-memory snapshot (loaded once, not per request); an offer
// change is seen by the very next decision; impressions are recorded in batches and, with the
// redemptions, give the offer's stats (a replay counts once); the tenant's token lifetime applies.
async fn snapshot_counts_and_token_lifetime(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let k = t.keys.preview.secret.as_str();
    let api = app.secret_key(&t, Environment::Preview);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let (offer, _) = small_recipe(&app, k).await;
    let oid = offer["id"].as_str().unwrap();
    let decide = |who: &str| json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": who}}).to_string();

    let loads_before = app.state.snapshots.loads();
    let mut tokens = Vec::new();
    for i in 0..5 {
        let d = api.post("/api/v1/surface-decisions", &decide(&format!("u{i}@example.com"))).await.json();
        assert_eq!(d["offer"]["id"], offer["id"]);
        tokens.push(d["offer"]["token"].as_str().unwrap().to_string());
    }
    assert_eq!(app.state.snapshots.loads() - loads_before, 1, "five decisions, one snapshot load");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((token_expiry(&tokens[0]) - now - 1800).abs() <= 5, "default lifetime 30 minutes");

    // Redeem one token twice (the replay counts once), then read the stats.
    let redeem = json!({"identity": {"userIdentifier": "u0@example.com"}, "offerToken": tokens[0]}).to_string();
    let first = api.post("/api/v1/offer-redemptions", &redeem).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = api.post("/api/v1/offer-redemptions", &redeem).await;
    assert_eq!(again.json()["eventId"], first.json()["eventId"]);
    app.state.recorder.flush().await;
    let stats = api.get(&format!("/api/v1/offers/{oid}/stats")).await.json();
    assert_eq!(stats["impressions"], 5, "{stats}");
    assert_eq!(stats["redemptions"], 1, "{stats}");
    assert_eq!(stats["redeemers"], 1);
    assert!((stats["conversion"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    // A window before any of it counts nothing; a bad time is a field error.
    let old = api.get(&format!("/api/v1/offers/{oid}/stats?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z")).await.json();
    assert_eq!(old["impressions"], 0);
    let bad = api.get(&format!("/api/v1/offers/{oid}/stats?from=yesterday")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["fields"]["from"].is_string());
    // Decision events are recorded with their identity and can be filtered by it.
    let ev = api.get("/api/v1/events?type=surface.decision&identity=u3%40example.com").await.json();
    assert_eq!(ev["data"].as_array().unwrap().len(), 1, "{ev}");
    assert_eq!(ev["data"][0]["status"], "presented");
    assert_eq!(ev["data"][0]["offerId"], offer["id"]);
    // The other environment sees none of it.
    let live = app.api("GET", &format!("/api/v1/offers/{oid}/stats"), &t.keys.live.secret, None).await;
    assert_eq!(live.status, StatusCode::NOT_FOUND);

    // A change is seen by the next decision: the offer moves out of its window.
    let r = api.patch(&format!("/api/v1/offers/{oid}"), r#"{"validFrom":"2020-01-01T00:00:00Z","validUntil":"2020-02-01T00:00:00Z"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .api(
            "POST",
            "/api/v1/surface-decisions",
            k,
            Some(&json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": "x@example.com"}, "debug": true}).to_string()),
        )
        .await
        .json();
    assert!(d["offer"].is_null(), "{d}");
    assert_eq!(d["slots"][0]["debug"]["primary"][0]["reason"], "outside its validity window");
    // …and a new surface slug at once.
    api.create("/api/v1/surfaces", json!({"name": "Home", "slug": "home", "slots": []})).await;
    let r = api.post("/api/v1/surface-decisions", r#"{"surfaceSlug":"home","identity":{"anonymousIdentifier":"anon_1"}}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The tenant's token lifetime applies to the next decision.
    let r = api.patch(&format!("/api/v1/offers/{oid}"), r#"{"validFrom":"","validUntil":""}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = {
        app.member("m@acme.test", &t.tenant_id, offerdeck::model::Role::Merchant).await;
        app.login("m@acme.test", "password-123").await
    };
    let bad = app.sfn("tenant/token_ttl", &[("minutes", "0")], Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("minutes"));
    let ok = app.sfn("tenant/token_ttl", &[("minutes", "5")], Some(&cookie)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let d = api.post("/api/v1/surface-decisions", &decide("late@example.com")).await.json();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((token_expiry(d["offer"]["token"].as_str().unwrap()) - now - 300).abs() <= 5, "{d}");
}

// Scenario: publishable-key decisions from one address stop at the per-minute allowance with 429
// and Retry-After; another address, and the secret key, go on.
async fn publishable_decisions_are_limited_per_address(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let node = app.reconfigured(|c| {
        c.decisions_per_minute = 3;
        c.client_ip.header = Some("x-forwarded-for".into());
    });
    let decide = |key: String, ip: &'static str| {
        let node = &node;
        async move {
            node.api_with(
                "POST",
                "/api/v1/surface-decisions",
                &key,
                Some(r#"{"surfaceSlug":"nope","identity":{"createAnonymousIdentifier":true}}"#),
                &[("x-forwarded-for", ip)],
            )
            .await
        }
    };
    let pk = t.keys.preview.publishable.clone();
    for _ in 0..3 {
        assert_eq!(decide(pk.clone(), "203.0.113.5").await.status, StatusCode::NOT_FOUND);
    }
    let r = decide(pk.clone(), "203.0.113.5").await;
    assert_error(&r, 429, "rate_limited");
    assert!(r.header("retry-after").is_some());
    assert_eq!(decide(pk.clone(), "198.51.100.8").await.status, StatusCode::NOT_FOUND, "another address");
    assert_eq!(decide(t.keys.preview.secret.clone(), "203.0.113.5").await.status, StatusCode::NOT_FOUND, "secret keys are the merchant's server");
}
