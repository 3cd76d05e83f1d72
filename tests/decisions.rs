//! The seed recipe through the API alone: a Stripe Checkout method, an offer with two prices, a
//! schema with an offer slot, an App experience, a surface; decision → token → redemption →
//! the navigate URL from the local Stripe server. On both databases.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use serde_json::{Value, json};

db_tests!(seed_recipe_end_to_end, schema_and_experience_rules, snapshot_counts_and_token_lifetime, dashboard_builds_the_recipe, revocation_reaches_other_nodes);

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
    let method = post(
        &app,
        k,
        "/api/v1/redemption-methods",
        json!({"name": "Stripe Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
    )
    .await;
    let product = post(&app, k, "/api/v1/products", json!({"name": "Premium"})).await;
    let p1 = post(
        &app,
        k,
        "/api/v1/prices",
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"}),
    )
    .await;
    let p2 = post(
        &app,
        k,
        "/api/v1/prices",
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 200, "interval": "month", "stripePriceId": "price_extra"}),
    )
    .await;
    let offer = post(
        &app,
        k,
        "/api/v1/offers",
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [p1["id"], p2["id"]],
        "presentation": {"title": "Premium Monthly"}}),
    )
    .await;
    let expired = post(
        &app,
        k,
        "/api/v1/offers",
        json!({"name": "Old", "redemptionMethodId": method["id"], "priceIds": [p1["id"]],
        "presentation": {"title": "Old deal"}, "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2020-02-01T00:00:00Z"}),
    )
    .await;
    let schema = post(
        &app,
        k,
        "/api/v1/presentation-schemas",
        json!({"name": "Banner",
        "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}], "offerSlots": ["primary"]}),
    )
    .await;
    let exp = post(
        &app,
        k,
        "/api/v1/experiences",
        json!({"name": "Pricing banner", "type": "app", "schemaId": schema["id"],
        "content": {"headline": "Go premium"}, "offers": {"primary": [expired["id"], offer["id"]]}}),
    )
    .await;
    post(
        &app,
        k,
        "/api/v1/surfaces",
        json!({"name": "Pricing page", "slug": "pricing-page", "slots": [{"key": "web-content", "facet": "web", "experienceId": exp["id"]}]}),
    )
    .await;

    let d = post(&app, k, "/api/v1/surface-decisions", json!({"surfaceSlug": "pricing-page", "identity": {"createAnonymousIdentifier": true}, "debug": true}))
        .await;
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

    let r =
        app.api("POST", "/api/v1/offer-redemptions", k, Some(&json!({"identity": {"anonymousIdentifier": anon_id}, "offerToken": token}).to_string())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["action"]["url"].as_str().unwrap().starts_with("https://shop.test/join?offerToken="));

    let mut hooks = common::receiver::Receiver::start().await;
    post(&app, k, "/api/v1/webhook-endpoints", json!({"url": hooks.url, "events": ["offer.redeemed"]})).await;
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
    let r = app.api("POST", "/api/v1/surface-decisions", k, Some(r#"{"surfaceSlug":"nowhere","identity":{"anonymousIdentifier":"x"}}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The live environment does not see the preview surface.
    let r = app
        .api("POST", "/api/v1/surface-decisions", &t.keys.live.secret, Some(r#"{"surfaceSlug":"pricing-page","identity":{"anonymousIdentifier":"x"}}"#))
        .await;
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
    let bad = app
        .api(
            "POST",
            "/api/v1/experiences",
            k,
            Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"rank": "first", "colour": "red"}}).to_string()),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let f = &bad.json()["fields"];
    assert_eq!(f["content.headline"], "is required");
    assert_eq!(f["content.rank"], "must be a number");
    assert_eq!(f["content.colour"], "is not a field of the schema");
    let bad_slot = app
        .api(
            "POST",
            "/api/v1/experiences",
            k,
            Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"headline": "h"}, "offers": {"sidebar": []}}).to_string()),
        )
        .await;
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

/// A method, an offer, an app experience presenting it and a surface `pricing-page`.
async fn small_recipe(app: &TestApp, k: &str) -> (Value, Value) {
    let method = post(
        app,
        k,
        "/api/v1/redemption-methods",
        json!({"name": "Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
    )
    .await;
    let product = post(app, k, "/api/v1/products", json!({"name": "Premium"})).await;
    let price = post(
        app,
        k,
        "/api/v1/prices",
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"}),
    )
    .await;
    let offer = post(
        app,
        k,
        "/api/v1/offers",
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}}),
    )
    .await;
    let schema = post(app, k, "/api/v1/presentation-schemas", json!({"name": "Banner", "fields": [], "offerSlots": ["primary"]})).await;
    let exp =
        post(app, k, "/api/v1/experiences", json!({"name": "Banner", "type": "app", "schemaId": schema["id"], "offers": {"primary": [offer["id"]]}})).await;
    post(app, k, "/api/v1/surfaces", json!({"name": "Pricing", "slug": "pricing-page", "slots": [{"key": "main", "facet": "web", "experienceId": exp["id"]}]}))
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
    app.api("PUT", "/api/v1/integrations/stripe", k, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    let (offer, _) = small_recipe(&app, k).await;
    let oid = offer["id"].as_str().unwrap();
    let decide = |who: &str| json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": who}}).to_string();

    let loads_before = app.state.snapshots.loads();
    let mut tokens = Vec::new();
    for i in 0..5 {
        let d = app.api("POST", "/api/v1/surface-decisions", k, Some(&decide(&format!("u{i}@example.com")))).await.json();
        assert_eq!(d["offer"]["id"], offer["id"]);
        tokens.push(d["offer"]["token"].as_str().unwrap().to_string());
    }
    assert_eq!(app.state.snapshots.loads() - loads_before, 1, "five decisions, one snapshot load");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((token_expiry(&tokens[0]) - now - 1800).abs() <= 5, "default lifetime 30 minutes");

    // Redeem one token twice (the replay counts once), then read the stats.
    let redeem = json!({"identity": {"userIdentifier": "u0@example.com"}, "offerToken": tokens[0]}).to_string();
    let first = app.api("POST", "/api/v1/offer-redemptions", k, Some(&redeem)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = app.api("POST", "/api/v1/offer-redemptions", k, Some(&redeem)).await;
    assert_eq!(again.json()["eventId"], first.json()["eventId"]);
    app.state.recorder.flush().await;
    let stats = app.api("GET", &format!("/api/v1/offers/{oid}/stats"), k, None).await.json();
    assert_eq!(stats["impressions"], 5, "{stats}");
    assert_eq!(stats["redemptions"], 1, "{stats}");
    assert_eq!(stats["redeemers"], 1);
    assert!((stats["conversion"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    // A window before any of it counts nothing; a bad time is a field error.
    let old = app.api("GET", &format!("/api/v1/offers/{oid}/stats?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z"), k, None).await.json();
    assert_eq!(old["impressions"], 0);
    let bad = app.api("GET", &format!("/api/v1/offers/{oid}/stats?from=yesterday"), k, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["fields"]["from"].is_string());
    // Decision events are recorded with their identity and can be filtered by it.
    let ev = app.api("GET", "/api/v1/events?type=surface.decision&identity=u3%40example.com", k, None).await.json();
    assert_eq!(ev["data"].as_array().unwrap().len(), 1, "{ev}");
    assert_eq!(ev["data"][0]["status"], "presented");
    assert_eq!(ev["data"][0]["offerId"], offer["id"]);
    // The other environment sees none of it.
    let live = app.api("GET", &format!("/api/v1/offers/{oid}/stats"), &t.keys.live.secret, None).await;
    assert_eq!(live.status, StatusCode::NOT_FOUND);

    // A change is seen by the next decision: the offer moves out of its window.
    let r = app.api("PATCH", &format!("/api/v1/offers/{oid}"), k, Some(r#"{"validFrom":"2020-01-01T00:00:00Z","validUntil":"2020-02-01T00:00:00Z"}"#)).await;
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
    post(&app, k, "/api/v1/surfaces", json!({"name": "Home", "slug": "home", "slots": []})).await;
    let r = app.api("POST", "/api/v1/surface-decisions", k, Some(r#"{"surfaceSlug":"home","identity":{"anonymousIdentifier":"anon_1"}}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The tenant's token lifetime applies to the next decision.
    let r = app.api("PATCH", &format!("/api/v1/offers/{oid}"), k, Some(r#"{"validFrom":"","validUntil":""}"#)).await;
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
    let d = app.api("POST", "/api/v1/surface-decisions", k, Some(&decide("late@example.com"))).await.json();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((token_expiry(d["offer"]["token"].as_str().unwrap()) - now - 300).abs() <= 5, "{d}");
}

// Scenario: the dashboard's server functions build a schema, an app experience with two offers
// reordered by the arrange buttons, and a surface; row errors name the row as typed; another
// tenant's merchant gets 404 for the experience.
async fn dashboard_builds_the_recipe(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let k = t.keys.preview.secret.as_str();
    let (offer, _) = small_recipe(&app, k).await;
    let method_id = app.api("GET", "/api/v1/redemption-methods", k, None).await.json()["data"][0]["id"].as_str().unwrap().to_string();
    let second = post(
        &app,
        k,
        "/api/v1/offers",
        json!({"name": "Annual", "redemptionMethodId": method_id, "priceIds": offer["priceIds"], "presentation": {"title": "Annual"}}),
    )
    .await;
    app.member("m@acme.test", &t.tenant_id, offerdeck::model::Role::Merchant).await;
    let cookie = app.login("m@acme.test", "password-123").await;
    let c = Some(cookie.as_str());

    // A blank row in the middle: the error names row 3 as typed.
    let r = app
        .sfn(
            "schemas/save",
            &[
                ("id", ""),
                ("name", "Card"),
                ("field_keys[0]", "headline"),
                ("field_types[0]", "string"),
                ("field_labels[0]", "Headline"),
                ("field_required[0]", "required"),
                ("field_keys[1]", ""),
                ("field_types[1]", "string"),
                ("field_labels[1]", ""),
                ("field_required[1]", "optional"),
                ("field_keys[2]", "bad key"),
                ("field_types[2]", "number"),
                ("field_labels[2]", "Rank"),
                ("field_required[2]", "optional"),
                ("offer_slots", "primary"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("fields[2].key"), "{}", r.body);
    let r = app
        .sfn(
            "schemas/save",
            &[
                ("id", ""),
                ("name", "Card"),
                ("field_keys[0]", "headline"),
                ("field_types[0]", "string"),
                ("field_labels[0]", "Headline"),
                ("field_required[0]", "required"),
                ("field_keys[1]", "rank"),
                ("field_types[1]", "number"),
                ("field_labels[1]", "Rank"),
                ("field_required[1]", "optional"),
                ("field_keys[2]", "featured"),
                ("field_types[2]", "boolean"),
                ("field_labels[2]", "Featured"),
                ("field_required[2]", "optional"),
                ("offer_slots", "primary, secondary"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let schema: Value = r.json();
    assert_eq!(schema["offerSlots"], json!(["primary", "secondary"]));
    let sid = schema["id"].as_str().unwrap();

    // Typed content: a number that is not one is a field error; a good form stores types.
    let r = app
        .sfn(
            "experiences/save",
            &[("id", ""), ("name", "Card one"), ("kind", "app"), ("schema_id", sid), ("content[headline]", "Hi"), ("content[rank]", "first")],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("content.rank"), "{}", r.body);
    let r = app
        .sfn(
            "experiences/save",
            &[
                ("id", ""),
                ("name", "Card one"),
                ("kind", "app"),
                ("schema_id", sid),
                ("content[headline]", "Hi"),
                ("content[rank]", "2"),
                ("content[featured]", "true"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let x: Value = r.json();
    assert_eq!(x["content"], json!({"headline": "Hi", "rank": 2.0, "featured": true}));
    let xid = x["id"].as_str().unwrap();
    let (o1, o2) = (offer["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    for o in [o1, o2] {
        let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o), ("op", "add")], c).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o2), ("op", "up")], c).await;
    assert_eq!(r.json()["offers"]["primary"], json!([o2, o1]));
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "sidebar"), ("offer_id", o1), ("op", "add")], c).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a slot the schema does not have");
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o1), ("op", "remove")], c).await;
    assert_eq!(r.json()["offers"]["primary"], json!([o2]));

    let r = app
        .sfn(
            "surfaces/save",
            &[("id", ""), ("name", "Home"), ("slug", "pricing-page"), ("slot_keys[0]", "main"), ("slot_facets[0]", "web"), ("slot_experiences[0]", xid)],
            c,
        )
        .await;
    assert!(r.body.contains("already used"), "slug taken by the recipe's surface: {}", r.body);
    let r = app
        .sfn(
            "surfaces/save",
            &[("id", ""), ("name", "Home"), ("slug", "home"), ("slot_keys[0]", "main"), ("slot_facets[0]", "json"), ("slot_experiences[0]", xid)],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = post(&app, k, "/api/v1/surface-decisions", json!({"surfaceSlug": "home", "identity": {"anonymousIdentifier": "anon_9"}})).await;
    assert_eq!(d["offer"]["id"], second["id"], "the reordered list decides: {d}");
    assert_eq!(d["slots"][0]["facet"], "json");

    // The experience in use cannot be deleted; the answer names the surface.
    let r = app.sfn("experiences/delete", &[("id", xid)], c).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Home"), "{}", r.body);

    // Another tenant's merchant cannot read or change it.
    let other = app.tenant("Other", "owner@other.test").await;
    app.member("m@other.test", &other.tenant_id, offerdeck::model::Role::Merchant).await;
    let oc = app.login("m@other.test", "password-123").await;
    let r = app.sfn("experiences/get", &[("id", xid), ("kind", ""), ("schema_id", "")], Some(&oc)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o2), ("op", "remove")], Some(&oc)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A marketer reads but does not write.
    app.member("mk@acme.test", &t.tenant_id, offerdeck::model::Role::Marketer).await;
    let mc = app.login("mk@acme.test", "password-123").await;
    let r = app.sfn("offers/stats", &[("id", o1), ("days", "7")], Some(&mc)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["offerId"], offer["id"]);
    let r = app.sfn("surfaces/delete", &[("id", "srf_any")], Some(&mc)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

// Scenario: a second node on the same PostgreSQL has verified (and remembered) a key; revoking
// it on the first node makes the second refuse it within moments. SQLite has one node per file.
async fn revocation_reaches_other_nodes(app: TestApp) {
    if app.backend != "postgres" {
        return;
    }
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = t.keys.preview.secret.clone();
    let other = app.second_node();
    assert_eq!(other.api("GET", "/api/v1/products", &key, None).await.status, StatusCode::OK);
    assert_eq!(other.api("GET", "/api/v1/products", &key, None).await.status, StatusCode::OK);
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let page = app.sfn("api_keys/page", &[], Some(&cookie)).await.json();
    let id = page["keys"].as_array().unwrap().iter().find(|k| k["kind"] == "secret" && key.ends_with(k["last4"].as_str().unwrap())).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app.sfn("api_keys/revoke", &[("id", &id)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.api("GET", "/api/v1/products", &key, None).await.status, StatusCode::UNAUTHORIZED, "this node at once");
    let started = std::time::Instant::now();
    loop {
        let status = other.api("GET", "/api/v1/products", &key, None).await.status;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the other node still accepts the revoked key");
        tokio::task::yield_now().await;
    }
}
