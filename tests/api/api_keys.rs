//! API keys (`services::api_keys`): made on Settings → API keys, shown once, stored hashed,
//! revoked (on every node), refused for a suspended tenant; publishable keys stay out of the
//! management API.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;

const PW: &str = "password-123";

db_tests!(
    api_keys_are_created_hashed_listed_and_revoked,
    revoked_key_and_suspended_tenant_get_401,
    publishable_key_cannot_manage_products,
    revocation_reaches_other_nodes,
);

// Scenario: a key made on Settings → API keys is shown once, works, is stored only hashed.
async fn api_keys_are_created_hashed_listed_and_revoked(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let owner = app.merchant(&t).await;
    owner.sfn("switch_environment", &[("environment", "live")]).await;
    let r = owner.sfn("api_keys/create", &[("kind", "secret"), ("name", "backend")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A second key before the page is seen: both are shown, and neither sits in the session
    // table in plaintext.
    let r = owner.sfn("api_keys/create", &[("kind", "secret"), ("name", "worker")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    {
        use sqlx::Row;
        let rows = sqlx::query("SELECT data FROM sessions").fetch_all(&app.state.db.pool).await.unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            let data: String = row.try_get(0).unwrap_or_default();
            assert!(!data.contains("sk_live_"), "a new key is in the session table in plaintext: {data}");
        }
    }
    let page = owner.sfn("api_keys/page", &[]).await.json();
    let shown = page["new_keys"].as_array().expect("the new keys are shown").clone();
    assert_eq!(shown.len(), 2, "{page}");
    let key = shown[0].as_str().unwrap().to_string();
    assert!(key.starts_with("sk_live_") && shown[1].as_str().unwrap().starts_with("sk_live_") && shown[0] != shown[1]);
    let again = owner.sfn("api_keys/page", &[]).await.json();
    assert_eq!(again["new_keys"], serde_json::json!([]), "shown only once");
    let listed = again["keys"].as_array().unwrap().iter().find(|k| k["name"] == "backend").unwrap().clone();
    assert_eq!(listed["last4"], key[key.len() - 4..]);
    assert_eq!(listed["environment"], "live");
    // It works, in live.
    let made = app.api("POST", "/api/v1/products", &key, Some(r#"{"name":"via new key"}"#)).await;
    assert_eq!(made.json()["environment"], "live");
    // Only a keyed hash is stored.
    use sqlx::Row;
    let rows = sqlx::query("SELECT key_hash FROM api_keys").fetch_all(&app.state.db.pool).await.unwrap();
    assert!(rows.iter().all(|r| {
        let h: String = r.get(0);
        h.len() == 64 && !h.contains(&key[8..])
    }));
    // Without JavaScript: the form post redirects back and the page shows the key once.
    let posted = owner.form_post("api_keys/create", &[("kind", "publishable"), ("name", "web")], "http://x/settings/api-keys").await;
    assert_eq!(posted.status, StatusCode::FOUND);
    let page = owner.page("/settings/api-keys").await;
    let shown = page.body.split("value=\"pk_live_").nth(1).map(|s| s[..32].to_string()).expect("the key is in the page");
    assert!(shown.bytes().all(|b| b.is_ascii_alphanumeric()));
    let again = owner.page("/settings/api-keys").await;
    assert!(!again.body.contains(&shown), "shown only once");
    let bad_kind = owner.sfn("api_keys/create", &[("kind", "root"), ("name", "")]).await;
    assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);
    assert!(bad_kind.json()["fields"]["kind"].is_string());
}

// Scenario: a revoked key and every key of a suspended tenant get 401; its users cannot sign in.
async fn revoked_key_and_suspended_tenant_get_401(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pw = t.owner_password.clone().unwrap();
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    assert_eq!(api.get("/api/v1/products").await.status, StatusCode::OK);

    let owner = app.session("owner@acme.test", &pw).await;
    let page = owner.sfn("api_keys/page", &[]).await.json();
    let keys = page["keys"].as_array().unwrap();
    let id = keys.iter().find(|k| k["kind"] == "secret" && key.ends_with(k["last4"].as_str().unwrap())).unwrap()["id"].as_str().unwrap().to_string();
    let r = owner.sfn("api_keys/revoke", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = api.get("/api/v1/products").await;
    assert_error(&r, 401, "unauthenticated");

    // Suspension: the live key (verified once, so remembered) stops working at once and the
    // owner cannot sign in.
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::OK);
    app.admin("admin@op.test", PW).await;
    let operator = app.session("admin@op.test", PW).await;
    let s = operator.sfn("admin/tenants/suspend", &[("id", &t.tenant_id), ("suspended", "true")]).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.publishable, None).await.status, StatusCode::UNAUTHORIZED);
    let login = app.sfn("login", &[("email", "owner@acme.test"), ("password", &pw)], None).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(login.body.contains("suspended"));
    // The owner's existing session loses the tenant too.
    let info = owner.sfn("session", &[]).await.json();
    assert!(info["current_tenant"].is_null());

    operator.sfn("admin/tenants/suspend", &[("id", &t.tenant_id), ("suspended", "false")]).await;
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::OK);
    // A made-up key in our format, a foreign format and no header at all: 401 each.
    for bad in ["sk_test_00000000000000000000000000000000", "Basic abc"] {
        assert_eq!(app.api("GET", "/api/v1/products", bad, None).await.status, StatusCode::UNAUTHORIZED);
    }
    let none = app.send(axum::http::Request::get("/api/v1/products").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

// Scenario: publishable keys may not touch the management API.
async fn publishable_key_cannot_manage_products(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let r = app.api("POST", "/api/v1/products", &t.keys.preview.publishable, Some(r#"{"name":"x"}"#)).await;
    assert_error(&r, 403, "forbidden");
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.preview.publishable, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
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
    let owner = app.merchant(&t).await;
    let page = owner.sfn("api_keys/page", &[]).await.json();
    let id = page["keys"].as_array().unwrap().iter().find(|k| k["kind"] == "secret" && key.ends_with(k["last4"].as_str().unwrap())).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner.sfn("api_keys/revoke", &[("id", &id)]).await;
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
