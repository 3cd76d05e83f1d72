//! Redemption methods and their workflows (`services::methods`): rules, versions and restore,
//! scope, the nesting bound through every door, and each tenant's share of workflow slots.
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(
    method_rules_versions_and_restore,
    workflows_are_tenant_and_environment_scoped,
    deeply_nested_code_is_refused_through_every_door,
    one_tenant_cannot_take_every_workflow_slot,
);

const SETTINGS: &str = r#"{"successUrl":"https://shop.test/thanks","cancelUrl":"https://shop.test/pricing","signupUrl":"https://shop.test/join"}"#;

pub(crate) async fn method(app: &TestApp, key: &str) -> Value {
    let body = format!(r#"{{"name":"Stripe Checkout","schema":"stripe-checkout","settings":{SETTINGS}}}"#);
    let r = app.api("POST", "/api/v1/redemption-methods", key, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

pub(crate) async fn price(app: &TestApp, key: &str, product: &str, currency: &str, amount: i64, stripe: &str) -> String {
    let body = format!(r#"{{"productId":"{product}","currency":"{currency}","unitAmount":{amount},"interval":"month","stripePriceId":"{stripe}"}}"#);
    let r = app.api("POST", "/api/v1/prices", key, Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

// Scenario: a Stripe Checkout method needs its URLs; slugs are unique; a save with a syntax
// error names the line as typed and changes nothing; saves make versions; restore adds one.
async fn method_rules_versions_and_restore(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    // URLs may be left out (the Manage tab asks for them) but one given must be a URL.
    let r = app
        .api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"not a url"}}"#))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["successUrl"].is_string(), "{}", r.body);
    let r = api.post("/api/v1/redemption-methods", r#"{"name":"X","schema":"paypal"}"#).await;
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
    let r = api.put(&format!("/api/v1/redemption-methods/{id}/workflow"), json!({"code": bad})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let j = r.json();
    assert_eq!(j["code"], "validation_failed");
    assert_eq!(j["errors"][0]["line"], 3, "{}", r.body);
    assert!(j["errors"][0]["column"].as_u64().unwrap() > 1);
    assert_eq!(api.get(&format!("/api/v1/redemption-methods/{id}")).await.json()["currentVersion"], 1);

    let good = "export default async function () {\n  return { success: true, message: 'v2' };\n}\n";
    let r = api.put(&format!("/api/v1/redemption-methods/{id}/workflow"), json!({"code": good})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), json!({"valid": true, "version": 2}));
    let versions = api.get(&format!("/api/v1/redemption-methods/{id}/workflow/versions")).await.json();
    let list = versions["data"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], 2);
    assert!(list[1]["source"].as_str().unwrap().contains("checkout/sessions"), "v1 is the schema's default workflow");
    assert!(list[0]["createdBy"].as_str().unwrap().starts_with("API key key_"), "{}", list[0]["createdBy"]);
    let r = api.post(&format!("/api/v1/redemption-methods/{id}/workflow/versions/1/restore"), ()).await.json();
    assert_eq!(r["version"], 3);
    let v3 = api.get(&format!("/api/v1/redemption-methods/{id}/workflow/versions")).await.json();
    assert_eq!(v3["data"][0]["source"], v3["data"][2]["source"]);
}

// Scenario: another tenant's or environment's methods, offers and workflows are 404; a
// publishable key may not touch them.
async fn workflows_are_tenant_and_environment_scoped(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let b_api = app.secret_key(&b, Environment::Preview);
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
    let pid = b_api.post("/api/v1/products", r#"{"name":"P"}"#).await.id();
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
    let oid = b_api.post("/api/v1/offers", &offer).await.id();
    let a_merchant = app.merchant(&a).await;
    assert_eq!(a_merchant.sfn("methods/get", &[("id", mid)]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        a_merchant.sfn("methods/workflow/save", &[("id", mid), ("code", "export default async function(){return {success:true}}")]).await.status,
        StatusCode::NOT_FOUND
    );
    let run = [("id", mid), ("offer_id", oid.as_str()), ("identity", "user"), ("identifier", "x")];
    assert_eq!(a_merchant.sfn("methods/workflow/test", &run).await.status, StatusCode::NOT_FOUND);
    assert_eq!(a_merchant.sfn("offers/get", &[("id", &oid)]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(a_merchant.sfn("offers/archive", &[("id", &oid), ("archived", "true")]).await.status, StatusCode::NOT_FOUND);
    assert!(a_merchant.sfn("offers/list", &[]).await.json()["data"].as_array().unwrap().is_empty());
    assert_eq!(b_api.get(&format!("/api/v1/offers/{oid}")).await.json()["status"], "active");

    let r = app.api("POST", "/api/v1/redemption-methods", &b.keys.preview.publishable, Some(r#"{"name":"X","schema":"custom"}"#)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v = b_api.get(&format!("/api/v1/redemption-methods/{mid}/workflow/versions")).await.json();
    assert_eq!(v["data"].as_array().unwrap().len(), 1, "nothing was saved by the other tenant");
}

/// A tenant with the Stripe integration, a Stripe Checkout method running `code`, and an offer.
pub(crate) struct Shop {
    pub(crate) t: offerdeck::server::services::tenants::Bootstrap,
    pub(crate) method: String,
    pub(crate) offer: String,
}

pub(crate) async fn shop(app: &TestApp, name: &str, code: Option<&str>) -> Shop {
    let t = app.tenant(name, &format!("owner@{}.test", name.to_lowercase())).await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    let r = api.put("/api/v1/integrations/stripe", format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = method(app, key).await;
    let mid = m["id"].as_str().unwrap().to_string();
    if let Some(code) = code {
        let r = api.put(&format!("/api/v1/redemption-methods/{mid}/workflow"), json!({"code": code})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let product = api.post("/api/v1/products", r#"{"name":"Premium"}"#).await.id();
    let p = price(app, key, &product, "gbp", 1000, "price_monthly").await;
    let offer = json!({"name": "Premium", "redemptionMethodId": mid, "priceIds": [p], "presentation": {"title": "Premium"}});
    let r = api.post("/api/v1/offers", &offer).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    Shop { method: mid, offer: r.id(), t }
}

pub(crate) fn offer_token(app: &TestApp, s: &Shop, who: &str) -> String {
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

pub(crate) fn redemption(who: &str, token: &str) -> String {
    json!({"identity": {"userIdentifier": who}, "offerToken": token}).to_string()
}

// Scenario: code nested 100,000 brackets deep is a validation error with its line and column when
// a method is created, when a workflow is saved through the API and through the dashboard, and
// when an old version stored before the limit is restored; the server answers the next request.
async fn deeply_nested_code_is_refused_through_every_door(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    let deep = format!("export default async function () {{ return {{ success: true }}; }}\nconst x = {}", "[".repeat(100_000));
    let assert_refused = |r: &crate::helpers::Resp| {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.body[..r.body.len().min(300)]);
        let j = r.json();
        assert_eq!(j["code"], "validation_failed");
        assert!(j["errors"][0]["message"].as_str().unwrap().contains("nests deeper than 200 levels"), "{j}");
        assert_eq!((j["errors"][0]["line"].as_u64(), j["errors"][0]["column"].as_u64()), (Some(2), Some(210)), "{j}");
    };
    let create = json!({"name": "Deep", "schema": "custom", "workflow": deep});
    assert_refused(&api.post("/api/v1/redemption-methods", &create).await);
    let m = method(&app, key).await;
    let mid = m["id"].as_str().unwrap();
    assert_refused(&api.put(&format!("/api/v1/redemption-methods/{mid}/workflow"), json!({"code": deep})).await);
    let owner = app.merchant(&t).await;
    let r = owner.sfn("methods/workflow/save", &[("id", mid), ("code", &deep)]).await;
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
    assert_refused(&api.post(&format!("/api/v1/redemption-methods/{mid}/workflow/versions/{v}/restore"), ()).await);
    assert_eq!(api.get(&format!("/api/v1/redemption-methods/{mid}")).await.json()["currentVersion"], 1, "nothing was saved");
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
    assert_error(&r, 429, "rate_limited");
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
