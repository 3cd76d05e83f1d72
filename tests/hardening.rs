//! Hardening regressions (issue 10), each on SQLite and on PostgreSQL: idempotency records bound
//! to their key and expiring, secrets never stored with a replay, sign-in throttling under
//! concurrent guesses and per address, sessions ended by a password reset and by their absolute
//! lifetime, offer validity re-checked at redemption, per-address limits of publishable-key
//! decisions, and the schema refusing cross-scope references.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use common::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use offerdeck::model::{Environment, Identity, IdentityKind};
use offerdeck::server::services::auth::{BAD_CREDENTIALS, THROTTLED};
use offerdeck::server::tokens;
use serde_json::json;
use sqlx::Row;

db_tests!(
    idempotency_records_belong_to_their_key_and_expire,
    a_replayed_create_never_stores_the_secret,
    concurrent_guesses_cannot_pass_the_throttle,
    one_address_cannot_lock_the_owner_out,
    a_password_reset_ends_other_sessions_and_sessions_have_a_lifetime,
    redemption_rechecks_the_validity_window,
    publishable_decisions_are_limited_per_address,
    the_schema_refuses_cross_scope_references,
    bodies_and_lists_have_bounds,
);

const PW: &str = "password-123";

/// A second secret key of the same tenant and environment, made on Settings → API keys.
async fn second_secret_key(app: &TestApp, owner: &str, password: &str) -> String {
    let cookie = app.login(owner, password).await;
    let r = app.sfn("api_keys/create", &[("kind", "secret"), ("name", "second")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = app.sfn("api_keys/page", &[], Some(&cookie)).await.json();
    page["new_keys"][0].as_str().expect("the new key is shown").to_string()
}

// Scenario: key A makes a product with Idempotency-Key "k1"; key B of the same tenant sending
// "k1" with the same body does not get A's stored answer (it makes its own product); the
// publishable key gets its own 403, not A's 201; once a record is older than 24 hours the key
// runs again.
async fn idempotency_records_belong_to_their_key_and_expire(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let a = &t.keys.preview.secret;
    let b = second_secret_key(&app, "owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let h = [("idempotency-key", "k1")];
    let body = Some(r#"{"name":"Gold"}"#);
    let first = app.api_with("POST", "/api/v1/products", a, body, &h).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let by_b = app.api_with("POST", "/api/v1/products", &b, body, &h).await;
    assert_eq!(by_b.status, StatusCode::CREATED);
    assert!(by_b.header("idempotent-replayed").is_none(), "another key must not get A's stored answer");
    assert_ne!(by_b.json()["id"], first.json()["id"]);
    let by_pk = app.api_with("POST", "/api/v1/products", &t.keys.preview.publishable, body, &h).await;
    assert_eq!(by_pk.status, StatusCode::FORBIDDEN, "{}", by_pk.body);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 2);
    // A's replay still works…
    let again = app.api_with("POST", "/api/v1/products", a, body, &h).await;
    assert_eq!((again.header("idempotent-replayed").as_deref(), again.json()["id"].clone()), (Some("true"), first.json()["id"].clone()));
    // …until the record is 24 hours old.
    let day = 24 * 3600 * 1000 + 1;
    sqlx::query("UPDATE idempotency_keys SET created_at = created_at - $1").bind(day).execute(&app.state.db.pool).await.unwrap();
    let later = app.api_with("POST", "/api/v1/products", a, body, &h).await;
    assert_eq!(later.status, StatusCode::CREATED);
    assert!(later.header("idempotent-replayed").is_none());
    assert_ne!(later.json()["id"], first.json()["id"]);
}

// Scenario: a webhook endpoint created with an Idempotency-Key shows its secret once; the stored
// answer and its replay carry no secret.
async fn a_replayed_create_never_stores_the_secret(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let h = [("idempotency-key", "ep-1")];
    let body = json!({"url": "https://hooks.example.com/offerdeck", "events": ["coupon.redeemed"]}).to_string();
    let first = app.api_with("POST", "/api/v1/webhook-endpoints", key, Some(&body), &h).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let secret = first.json()["secret"].as_str().expect("shown once").to_string();
    assert!(secret.starts_with("whsec_"));
    let rows = sqlx::query("SELECT response_body FROM idempotency_keys").fetch_all(&app.state.db.pool).await.unwrap();
    for r in rows {
        let stored: Option<String> = r.try_get(0).unwrap();
        assert!(!stored.unwrap_or_default().contains(&secret[6..]), "the signing secret is stored in an idempotency row");
    }
    let replay = app.api_with("POST", "/api/v1/webhook-endpoints", key, Some(&body), &h).await;
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    let j = replay.json();
    assert_eq!((j["id"].clone(), j["secret"].clone(), j["secretOmitted"].clone()), (first.json()["id"].clone(), json!(null), json!(true)));
}

// Scenario: 20 wrong guesses for one account at once: only the allowed 5 reach the password
// check, the rest are refused with 429, and then the right password is refused as well.
async fn concurrent_guesses_cannot_pass_the_throttle(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let app = std::sync::Arc::new(app);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let app = app.clone();
        set.spawn(async move { app.sfn("login", &[("email", "admin@op.test"), ("password", "wrong-password")], None).await });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        match r.status {
            StatusCode::UNAUTHORIZED => {
                assert!(r.body.contains(BAD_CREDENTIALS));
                checked += 1
            }
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            s => panic!("unexpected {s}: {}", r.body),
        }
    }
    assert_eq!((checked, throttled), (5, 15));
    let r = app.sfn("login", &[("email", "admin@op.test"), ("password", PW)], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains(THROTTLED));
    assert!(r.header("retry-after").is_some());
}

// Scenario: behind a proxy, one address guesses the owner's password until it is throttled;
// the owner, from another address, still signs in. One address cannot try more than its
// allowance across many emails either.
async fn one_address_cannot_lock_the_owner_out(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let node = app.reconfigured(|c| c.client_ip.header = Some("x-forwarded-for".into()));
    let login = |email: String, password: &'static str, ip: &'static str| {
        let node = &node;
        async move {
            let body = serde_urlencoded::to_string([("email", email.as_str()), ("password", password)]).unwrap();
            let req = axum::http::Request::post("/sfn/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("x-forwarded-for", ip)
                .body(axum::body::Body::from(body))
                .unwrap();
            node.send(req).await
        }
    };
    for _ in 0..6 {
        login("admin@op.test".into(), "wrong-password", "203.0.113.9").await;
    }
    assert_eq!(login("admin@op.test".into(), PW, "203.0.113.9").await.status, StatusCode::TOO_MANY_REQUESTS);
    let owner = login("admin@op.test".into(), PW, "198.51.100.20").await;
    assert_eq!(owner.status, StatusCode::OK, "the owner's own address keeps its allowance: {}", owner.body);
    // Spraying many emails from one address: stopped at the per-address allowance.
    let mut statuses = Vec::new();
    for i in 0..60 {
        statuses.push(login(format!("user{i}@op.test"), "wrong-password", "192.0.2.77").await.status);
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(refused, 60 - offerdeck::server::services::auth::MAX_ATTEMPTS_PER_ADDRESS as usize);
}

/// Rewrites one value inside a stored session (as if it had been written at another time).
async fn rewrite_session(app: &TestApp, key: &str, value: serde_json::Value) {
    let rows = sqlx::query("SELECT id, data FROM sessions").fetch_all(&app.state.db.pool).await.unwrap();
    for r in rows {
        let id: String = r.get(0);
        let mut data: serde_json::Value = serde_json::from_str(&r.get::<String, _>(1)).unwrap();
        if data.get(key).is_some() {
            data[key] = value.clone();
            sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2").bind(data.to_string()).bind(id).execute(&app.state.db.pool).await.unwrap();
        }
    }
}

// Scenario: a user has two sessions; an admin resets the password: both end. An admin resetting
// their own password keeps the session that did it. A session older than its absolute lifetime
// ends however active it was.
async fn a_password_reset_ends_other_sessions_and_sessions_have_a_lifetime(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let t = app.tenant("Acme", "owner@acme.test").await;
    let owner_pw = t.owner_password.clone().unwrap();
    let s1 = app.login("owner@acme.test", &owner_pw).await;
    let s2 = app.login("owner@acme.test", &owner_pw).await;
    let admin = app.login("admin@op.test", PW).await;
    let admin2 = app.login("admin@op.test", PW).await;
    let uid = app.sfn("session", &[], Some(&s1)).await.json()["user_id"].as_str().unwrap().to_string();
    assert_eq!(app.sfn("admin/users/password", &[("user_id", &uid), ("password", "a-new-password")], Some(&admin)).await.status, StatusCode::OK);
    for s in [&s1, &s2] {
        assert_eq!(app.sfn("session", &[], Some(s)).await.body, "null", "a session signed in with the old password ends");
    }
    let admin_id = app.sfn("session", &[], Some(&admin)).await.json()["user_id"].as_str().unwrap().to_string();
    let r = app.sfn("admin/users/password", &[("user_id", &admin_id), ("password", "admin-new-password")], Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    // The session that reset its own password goes on (under a renewed id); the other one ends.
    let renewed = r.session_cookie().unwrap_or(admin.clone());
    assert_ne!(app.sfn("session", &[], Some(&renewed)).await.body, "null");
    assert_eq!(app.sfn("session", &[], Some(&admin2)).await.body, "null");
    // Absolute lifetime: a session signed in more than OFFERDECK_SESSION_MAX_HOURS ago ends.
    let fresh = app.login("owner@acme.test", "a-new-password").await;
    assert_ne!(app.sfn("session", &[], Some(&fresh)).await.body, "null");
    let long_ago = offerdeck::server::db::now_ms() - (app.state.config.session_max_hours * 3600 * 1000 + 1000);
    rewrite_session(&app, "signed_in", json!(long_ago)).await;
    assert_eq!(app.sfn("session", &[], Some(&fresh)).await.body, "null");
}

// Scenario: a token minted while the offer was valid is refused once the offer's window closed.
async fn redemption_rechecks_the_validity_window(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    app.api("PUT", "/api/v1/integrations/stripe", key, Some(&format!(r#"{{"secretKey":"{GOOD_TEST_KEY}"}}"#))).await;
    let m = app
        .api("POST", "/api/v1/redemption-methods", key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"https://shop.test/ok","cancelUrl":"https://shop.test/no","signupUrl":"https://shop.test/join"}}"#))
        .await
        .json();
    let pid = app.api("POST", "/api/v1/products", key, Some(r#"{"name":"Premium"}"#)).await.json()["id"].as_str().unwrap().to_string();
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
    let o = app.api("POST", "/api/v1/offers", key, Some(&offer.to_string())).await.json();
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
    let r = app.api("PATCH", &format!("/api/v1/offers/{oid}"), key, Some(&closed.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = stub.requests().len();
    let r = app
        .api("POST", "/api/v1/offer-redemptions", key, Some(&json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": tok}).to_string()))
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_offer_token")), "{}", r.body);
    assert_eq!(stub.requests().len(), before, "the workflow did not run");
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
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    assert!(r.header("retry-after").is_some());
    assert_eq!(decide(pk.clone(), "198.51.100.8").await.status, StatusCode::NOT_FOUND, "another address");
    assert_eq!(decide(t.keys.preview.secret.clone(), "203.0.113.5").await.status, StatusCode::NOT_FOUND, "secret keys are the merchant's server");
}

// Scenario: rows that point at another tenant's or environment's rows are refused by the schema
// itself, and an upsert by id does not touch another scope's row.
async fn the_schema_refuses_cross_scope_references(app: TestApp) {
    let a = app.tenant("Acme", "owner@acme.test").await;
    let b = app.tenant("Globex", "owner@globex.test").await;
    let pa = app.api("POST", "/api/v1/products", &a.keys.preview.secret, Some(r#"{"name":"A's"}"#)).await.json();
    let pool = &app.state.db.pool;
    let insert_price = |tenant: String, env: &'static str| {
        let pid = pa["id"].as_str().unwrap().to_string();
        async move {
            sqlx::query(
                "INSERT INTO prices (id, tenant_id, environment, product_id, currency, unit_amount, billing_interval, stripe_price_id, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'gbp', 100, NULL, 'price_x', 'active', 0, 0)",
            )
            .bind(format!("price_{}", uuid::Uuid::new_v4().simple()))
            .bind(tenant)
            .bind(env)
            .bind(pid)
            .execute(pool)
            .await
        }
    };
    assert!(insert_price(b.tenant_id.clone(), "preview").await.is_err(), "another tenant's product");
    assert!(insert_price(a.tenant_id.clone(), "live").await.is_err(), "another environment's product");
    assert!(insert_price(a.tenant_id.clone(), "preview").await.is_ok());
    // An upsert of A's surface id from B's scope changes nothing.
    let s = app.api("POST", "/api/v1/surfaces", &a.keys.preview.secret, Some(r#"{"name":"Pricing","slug":"pricing","slots":[]}"#)).await.json();
    let sid = s["id"].as_str().unwrap();
    let changed =
        offerdeck::server::db::surfaces::upsert(pool, &app.scope(&b.tenant_id, Environment::Preview), sid, "Hijacked", "hijacked", "[]").await.unwrap();
    assert!(!changed);
    let still = app.api("GET", &format!("/api/v1/surfaces/{sid}"), &a.keys.preview.secret, None).await.json();
    assert_eq!(still["name"], "Pricing");
}

// Scenario: a body over 1 MiB, a surface with 10,000 slots, a schema with 10,000 fields and an
// offer listing 1,000 prices are refused with the contract's error, before any per-item work;
// nothing is stored. A dashboard post over 1 MiB is refused too.
async fn bodies_and_lists_have_bounds(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(1_100_000));
    let r = app.api("POST", "/api/v1/products", key, Some(&big)).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::BAD_REQUEST, Some("validation_failed")), "{}", &r.body[..r.body.len().min(300)]);
    let slots: Vec<_> = (0..10_000).map(|i| json!({"key": format!("s{}", i % 10), "facet": "web"})).collect();
    let r = app.api("POST", "/api/v1/surfaces", key, Some(&json!({"name": "Big", "slug": "big", "slots": slots}).to_string())).await;
    assert_eq!((r.status, r.json()["fields"]["slots"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 50 slots")), "{}", r.body);
    let fields: Vec<_> = (0..10_000).map(|_| json!({"key": "same", "type": "string", "label": "L", "required": false})).collect();
    let r = app.api("POST", "/api/v1/presentation-schemas", key, Some(&json!({"name": "Big", "fields": fields, "offerSlots": ["primary"]}).to_string())).await;
    assert_eq!((r.status, r.json()["fields"]["fields"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 100 fields")), "{}", r.body);
    let ids: Vec<_> = (0..1_000).map(|i| format!("price_{i}")).collect();
    let offer = json!({"name": "Big", "redemptionMethodId": "rm_x", "priceIds": ids, "presentation": {"title": "Big"}});
    let r = app.api("POST", "/api/v1/offers", key, Some(&offer.to_string())).await;
    assert_eq!((r.status, r.json()["fields"]["priceIds"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 20 prices per offer")), "{}", r.body);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM surfaces").fetch_one(&app.state.db.pool).await.unwrap().get(0);
    assert_eq!(n, 0);
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    // A NUL character in a form field is a clean 400 on both databases (PostgreSQL text cannot
    // hold it, which was a 500 there).
    let r = app.sfn("products/create", &[("name", "a\0b"), ("description", "")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app.sfn("products/create", &[("name", &"y".repeat(1_200_000))], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
}
