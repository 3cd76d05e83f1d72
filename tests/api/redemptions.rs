//! Offer redemptions (`services::redemptions`) against a local Stripe-compatible server, with
//! tokens minted the way surface decisions mint them: the workflow's answer, replays, identity
//! checks, bad tokens, failing workflows, bounded records and the validity window re-checked.
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use crate::methods::{offer_token, redemption, shop};
use axum::http::StatusCode;
use offerdeck::model::{Environment, Identity, IdentityKind};
use offerdeck::server::tokens;
use serde_json::json;

db_tests!(
    redemption_runs_the_workflow_replays_and_checks_identity,
    bad_tokens_and_failing_workflows,
    a_method_made_with_a_name_and_schema_says_what_to_set,
    redemption_rechecks_the_validity_window,
    what_a_failed_redemption_records_is_bounded,
);

struct Setup {
    t: offerdeck::server::services::tenants::Bootstrap,
    method: String,
    offer: String,
}

async fn setup(app: &TestApp) -> Setup {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let m = app
        .api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"https://shop.test/ok","cancelUrl":"https://shop.test/no","signupUrl":"https://shop.test/join"}}"#))
        .await
        .json();
    let pid = api.post("/api/v1/products", r#"{"name":"Premium"}"#).await.id();
    let mut prices = Vec::new();
    for sp in ["price_a", "price_b"] {
        let p = app
            .api(
                "POST",
                "/api/v1/prices",
                key,
                Some(&format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":1000,"interval":"month","stripePriceId":"{sp}"}}"#)),
            )
            .await
            .json();
        prices.push(p["id"].as_str().unwrap().to_string());
    }
    let offer = json!({"name": "Premium", "redemptionMethodId": m["id"], "priceIds": prices, "presentation": {"title": "Premium Monthly"}});
    let o = api.post("/api/v1/offers", &offer).await.json();
    Setup { method: m["id"].as_str().unwrap().to_string(), offer: o["id"].as_str().unwrap().to_string(), t }
}

fn token(app: &TestApp, tenant: &str, env: Environment, offer: &str, kind: &str, who: &str, ttl: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let scope = app.scope(tenant, env);
    tokens::mint(
        &app.state.config.secret_key,
        &scope,
        offer,
        &Identity { kind: IdentityKind::parse(kind).expect("anonymous or authenticated"), identifier: who.into() },
        ttl,
        now,
    )
}

fn body(identity: serde_json::Value, token: &str) -> String {
    json!({"identity": identity, "offerToken": token}).to_string()
}

// Scenario: a user's token redeems to the Checkout URL with both prices as line items; a replay
// answers the same eventId without a second Stripe call; an anonymous token answers 401 with the
// sign-up navigate and then succeeds for the identified user; user A's token by user B is 403.
async fn redemption_runs_the_workflow_replays_and_checks_identity(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let s = setup(&app).await;
    let api = app.secret_key(&s.t, Environment::Preview);
    let tok = token(&app, &s.t.tenant_id, Environment::Preview, &s.offer, "authenticated", "buyer@example.com", 1800);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "buyer@example.com"}), &tok)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["status"], "success");
    assert_eq!(j["action"], json!({"type": "navigate", "properties": {}, "url": "https://checkout.stripe.com/c/pay/cs_test_stub"}));
    let event = j["eventId"].as_str().unwrap().to_string();
    assert!(event.starts_with("evt_"));
    let sessions = || stub.requests().into_iter().filter(|r| r.path == "/v1/checkout/sessions").collect::<Vec<_>>();
    let form = sessions()[0].form();
    assert!(form.contains(&("line_items[0][price]".into(), "price_a".into())) && form.contains(&("line_items[1][price]".into(), "price_b".into())), "{form:?}");

    let again = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "buyer@example.com"}), &tok)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["eventId"], event.as_str(), "replay answers the recorded event");
    assert_eq!(sessions().len(), 1, "the workflow did not run again");

    let other = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "mallory@example.com"}), &tok)).await;
    assert_error(&other, 403, "token_identity_mismatch");

    let anon = token(&app, &s.t.tenant_id, Environment::Preview, &s.offer, "anonymous", "anon_123", 1800);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"anonymousIdentifier": "anon_123"}), &anon)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let j = r.json();
    assert_eq!(j["status"], "error");
    let url = j["action"]["url"].as_str().unwrap();
    assert!(url.starts_with("https://shop.test/join?offerToken="), "{url}");
    assert!(url.contains(&anon[..20]), "the sign-up URL carries the token");
    assert_eq!(sessions().len(), 1);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "new@example.com"}), &anon)).await;
    assert_eq!(r.status, StatusCode::OK, "after sign-up the same token redeems: {}", r.body);
    assert_eq!(sessions().len(), 2);
    assert_eq!(sessions()[1].form().iter().find(|(k, _)| k == "client_reference_id").unwrap().1, "new@example.com");

    let events = offerdeck::server::db::redemptions::list_events(&app.state.db.pool, &app.scope(&s.t.tenant_id, Environment::Preview)).await.unwrap();
    let statuses: Vec<&str> = events.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(statuses, ["succeeded", "declined", "succeeded"], "one event per run, none for the replay");

    // The same events through GET /api/v1/events, newest first and filtered.
    let all = api.get("/api/v1/events?type=offer.redemption").await.json();
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
    let ok = api.get("/api/v1/events?status=succeeded&limit=1").await.json();
    assert_eq!(ok["hasMore"], true);
    let newest = &ok["data"][0];
    assert_eq!(newest["identity"], "new@example.com");
    assert_eq!(newest["workflowVersion"], 1);
    assert_eq!(newest["offerId"], s.offer.as_str());
    let first = api.get(&format!("/api/v1/events/{event}")).await.json();
    assert_eq!(first["response"]["eventId"], event.as_str());
    assert_eq!(first["request"]["identity"]["identifier"], "buyer@example.com");
    let bad = api.get("/api/v1/events?colour=red").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let other = app.tenant("Other", "o@o.test").await;
    assert_eq!(app.api("GET", &format!("/api/v1/events/{event}"), &other.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("GET", &format!("/api/v1/events/{event}"), &s.t.keys.live.secret, None).await.status, StatusCode::NOT_FOUND);
    let _ = &s.method;
}

// Scenario: tampered, expired, other-tenant and other-environment tokens are 400
// invalid_offer_token; a workflow that throws is 531 workflow_error with its line; a
// publishable key cannot redeem.
async fn bad_tokens_and_failing_workflows(app: TestApp) {
    let s = setup(&app).await;
    let key = &s.t.keys.preview.secret;
    let api = app.secret_key(&s.t, Environment::Preview);
    let user = json!({"userIdentifier": "buyer@example.com"});
    let good = token(&app, &s.t.tenant_id, Environment::Preview, &s.offer, "authenticated", "buyer@example.com", 1800);
    let mut tampered = good.clone();
    tampered.insert(5, 'x');
    let expired = token(&app, &s.t.tenant_id, Environment::Preview, &s.offer, "authenticated", "buyer@example.com", -5);
    let live = token(&app, &s.t.tenant_id, Environment::Live, &s.offer, "authenticated", "buyer@example.com", 1800);
    let other = app.tenant("Other", "o@o.test").await;
    for (what, tok, k) in
        [("tampered", &tampered, key), ("expired", &expired, key), ("other environment", &live, key), ("other tenant", &good, &other.keys.preview.secret)]
    {
        let r = app.api("POST", "/api/v1/offer-redemptions", k, Some(&body(user.clone(), tok))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
        assert_eq!(r.json()["code"], "invalid_offer_token", "{what}");
    }
    let r = app.api("POST", "/api/v1/offer-redemptions", &s.t.keys.preview.publishable, Some(&body(user.clone(), &good))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let throws = "type T = { a: string };\nexport default async function () {\n  throw new Error('out of stock');\n}\n";
    api.put(&format!("/api/v1/redemption-methods/{}/workflow", s.method), json!({"code": throws})).await;
    let r = api.post("/api/v1/offer-redemptions", &body(user.clone(), &good)).await;
    assert_eq!(r.status.as_u16(), 531, "{}", r.body);
    let j = r.json();
    assert_eq!(j["code"], "workflow_error");
    assert_eq!(j["message"], "Error: out of stock (line 3)");
    // A failed run leaves the token redeemable once the workflow is fixed.
    api.put(
        &format!("/api/v1/redemption-methods/{}/workflow", s.method),
        r#"{"code":"export default async function () { return { success: true, statusCode: 201, message: 'ok' }; }"}"#,
    )
    .await;
    let r = api.post("/api/v1/offer-redemptions", &body(user, &good)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

// Scenario: the seed's step 2 — a Stripe Checkout method with only a name and a schema — is
// created; redeeming through it answers 409 naming the URL to set on the Manage tab (and
// Stripe is not called); once the URLs are set the same offer redeems.
async fn a_method_made_with_a_name_and_schema_says_what_to_set(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let m = api.post("/api/v1/redemption-methods", r#"{"name":"Stripe Checkout","schema":"stripe-checkout"}"#).await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    let mid = m.id();
    let pid = api.post("/api/v1/products", r#"{"name":"Premium"}"#).await.id();
    let p = app
        .api(
            "POST",
            "/api/v1/prices",
            key,
            Some(&format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":1000,"interval":"month","stripePriceId":"price_a"}}"#)),
        )
        .await
        .json();
    let o = app
        .api(
            "POST",
            "/api/v1/offers",
            key,
            Some(&json!({"name": "Premium", "redemptionMethodId": mid, "priceIds": [p["id"]], "presentation": {"title": "Premium"}}).to_string()),
        )
        .await
        .json();
    let offer = o["id"].as_str().unwrap().to_string();
    let before = stub.requests().len();
    let tok = token(&app, &t.tenant_id, Environment::Preview, &offer, "authenticated", "buyer@example.com", 1800);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "buyer@example.com"}), &tok)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let msg = r.json()["message"].as_str().unwrap_or_default().to_string();
    assert!(msg.contains("success URL") && msg.contains("Manage"), "{msg}");
    assert_eq!(stub.requests().len(), before, "Stripe was not called");
    let anon = token(&app, &t.tenant_id, Environment::Preview, &offer, "anonymous", "anon_1", 1800);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"anonymousIdentifier": "anon_1"}), &anon)).await;
    assert!(r.json()["message"].as_str().unwrap_or_default().contains("sign-up URL"), "{}", r.body);
    let set = json!({"settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}});
    assert_eq!(api.patch(&format!("/api/v1/redemption-methods/{mid}"), &set).await.status, StatusCode::OK);
    let r = api.post("/api/v1/offer-redemptions", &body(json!({"userIdentifier": "buyer@example.com"}), &tok)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

// Scenario: a token minted while the offer was valid is refused once the offer's window closed.
async fn redemption_rechecks_the_validity_window(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    let m = app
        .api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"https://shop.test/ok","cancelUrl":"https://shop.test/no","signupUrl":"https://shop.test/join"}}"#))
        .await
        .json();
    let pid = api.post("/api/v1/products", r#"{"name":"Premium"}"#).await.id();
    let price = app
        .api(
            "POST",
            "/api/v1/prices",
            key,
            Some(&format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":1000,"interval":"month","stripePriceId":"price_a"}}"#)),
        )
        .await
        .json();
    let offer = json!({"name": "Premium", "redemptionMethodId": m["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}});
    let o = api.post("/api/v1/offers", &offer).await.json();
    let oid = o["id"].as_str().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let tok = tokens::mint(
        &app.state.config.secret_key,
        &app.scope(&t.tenant_id, Environment::Preview),
        oid,
        &Identity { kind: IdentityKind::Authenticated, identifier: "buyer@example.com".into() },
        1800,
        now,
    );
    // The window closes after the token was minted.
    let mut closed = offer.clone();
    closed["validUntil"] = json!("2020-01-01T00:00:00Z");
    let r = api.patch(&format!("/api/v1/offers/{oid}"), &closed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = stub.requests().len();
    let r = app
        .api("POST", "/api/v1/offer-redemptions", key, Some(&json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": tok}).to_string()))
        .await;
    assert_error(&r, 400, "invalid_offer_token");
    assert_eq!(stub.requests().len(), before, "the workflow did not run");
}

// Scenario: a redemption whose workflow logs without end and returns a result over 64 KiB is a
// 531 `workflow_error` naming the limit; the recorded event keeps bounded logs and response.
async fn what_a_failed_redemption_records_is_bounded(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let code = "export default async function () {\n  for (let i = 0; i < 1000; i++) console.log('x'.repeat(3000));\n  return { success: true, action: 'navigate', url: 'https://x.test/', properties: { big: 'p'.repeat(100000) } };\n}\n";
    let s = shop(&app, "Acme", Some(code)).await;
    let api = app.secret_key(&s.t, Environment::Preview);
    let tok = offer_token(&app, &s, "buyer@acme.test");
    let r = api.post("/api/v1/offer-redemptions", &redemption("buyer@acme.test", &tok)).await;
    assert_eq!(r.status.as_u16(), 531, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(r.json()["code"], "workflow_error");
    assert!(r.json()["message"].as_str().unwrap().contains("larger than 64 KiB"));
    let events = api.get("/api/v1/events?type=offer.redemption").await.json();
    let e = &events["data"][0];
    assert_eq!(e["status"], "failed", "{events}");
    let logs: Vec<&str> = e["logs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(logs.last(), Some(&"… logs truncated"));
    assert!(logs.iter().map(|l| l.len()).sum::<usize>() <= (64 << 10) + 32, "{} lines", logs.len());
    assert!(e["response"].to_string().len() < 1_000, "{}", e["response"]);
}
