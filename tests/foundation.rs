//! Foundation: sign-in, sessions, roles, tenancy, API keys and the `/api/v1` conventions,
//! each test on SQLite and on PostgreSQL against the real router.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use offerdeck::model::{Environment, Role};
use offerdeck::server::services::auth::{BAD_CREDENTIALS, THROTTLED};

const PW: &str = "password-123";

db_tests!(
    login_success_failure_and_session_info,
    login_is_throttled_with_the_same_message_for_unknown_emails,
    session_id_is_renewed_at_login,
    no_js_login_redirects_and_errors_come_back_in_the_url,
    marketer_cannot_create_a_product_and_nothing_is_written,
    tenant_b_products_are_invisible_to_tenant_a,
    preview_key_cannot_see_live_objects,
    revoked_key_and_suspended_tenant_get_401,
    malformed_json_and_wrong_types_get_the_contract_body,
    idempotency_key_replays_and_refuses_reuse,
    products_crud_pagination_search_and_audit,
    publishable_key_cannot_manage_products,
    dashboard_pages_render_complete_html,
    admin_manages_tenants_and_users,
    cross_origin_form_posts_are_refused,
    api_keys_are_created_hashed_listed_and_revoked,
    health_openapi_and_docs,
);

// Scenario: right password signs in and the session knows the user; wrong password does not.
async fn login_success_failure_and_session_info(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pw = t.owner_password.clone().unwrap();
    let bad = app.sfn("login", &[("email", "owner@acme.test"), ("password", "nope-nope-nope")], None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(BAD_CREDENTIALS), "{}", bad.body);
    assert!(bad.session_cookie().is_none(), "a failed login must not create a session");

    let cookie = app.login("OWNER@acme.test ", &pw).await;
    let info = app.sfn("session", &[], Some(&cookie)).await.json();
    assert_eq!(info["email"], "owner@acme.test");
    assert_eq!(info["current_tenant"]["id"], t.tenant_id.as_str());
    assert_eq!(info["current_tenant"]["role"], "merchant");
    assert_eq!(info["environment"], "preview");

    let out = app.sfn("logout", &[], Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::OK);
    let after = app.sfn("session", &[], Some(&cookie)).await;
    assert_eq!(after.body, "null", "the session must be gone after logout");
}

// Scenario: five failures lock the email for 15 minutes, even with the right password; an
// unknown email gets exactly the same answers.
async fn login_is_throttled_with_the_same_message_for_unknown_emails(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    for email in ["admin@op.test", "ghost@op.test"] {
        for _ in 0..5 {
            let r = app.sfn("login", &[("email", email), ("password", "wrong-password")], None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
            assert!(r.body.contains(BAD_CREDENTIALS));
        }
        let r = app.sfn("login", &[("email", email), ("password", PW)], None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{email}: {}", r.body);
        assert!(r.body.contains(THROTTLED));
        assert!(r.session_cookie().is_none());
    }
}

// Scenario: signing in again with an existing session cookie yields a new id and the old id dies.
async fn session_id_is_renewed_at_login(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let first = app.login("admin@op.test", PW).await;
    let r = app
        .send(
            axum::http::Request::post("/sfn/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &first)
                .body(axum::body::Body::from(format!("email=admin%40op.test&password={PW}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let second = r.session_cookie().expect("new cookie");
    assert_ne!(first, second, "login must issue a new session id");
    assert_eq!(app.sfn("session", &[], Some(&first)).await.body, "null", "the old id must not work");
    assert_ne!(app.sfn("session", &[], Some(&second)).await.body, "null");
}

// Scenario: without JavaScript a login form post is answered with redirects, the error riding in the URL.
async fn no_js_login_redirects_and_errors_come_back_in_the_url(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let bad = app.form_post("login", &[("email", "admin@op.test"), ("password", "wrong-password")], None, "http://x/login").await;
    assert_eq!(bad.status, StatusCode::FOUND);
    let loc = bad.header("location").unwrap();
    assert!(loc.starts_with("http://x/login?") && loc.contains("__err="), "{loc}");
    let page = app.get(&loc.replace("http://x", ""), None).await;
    assert!(page.body.contains(BAD_CREDENTIALS), "the login page must show the error");

    let ok = app.form_post("login", &[("email", "admin@op.test"), ("password", PW)], None, "http://x/login").await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.header("location").as_deref(), Some("/"));
    let cookie = ok.session_cookie().unwrap();
    let cookie_header = ok.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|c| c.starts_with("offerdeck_session=")).unwrap();
    assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Lax"), "{cookie_header}");
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("admin@op.test"));
}

// Scenario: a marketer's create call is refused with 403 and leaves no product and no audit row.
async fn marketer_cannot_create_a_product_and_nothing_is_written(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    app.member("mark@acme.test", &t.tenant_id, Role::Marketer).await;
    let cookie = app.login("mark@acme.test", PW).await;
    let r = app.sfn("products/create", &[("name", "Sneaky"), ("description", "")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("forbidden"));
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
    // The marketer can still read.
    let list = app.sfn("products/list", &[], Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 0);
    // And cannot manage keys.
    let keys = app.sfn("api_keys/create", &[("kind", "secret"), ("name", "x")], Some(&cookie)).await;
    assert_eq!(keys.status, StatusCode::FORBIDDEN);
}

// Scenario: tenant A's merchant asks for tenant B's product by id: 404 through both doors.
async fn tenant_b_products_are_invisible_to_tenant_a(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let created = app.api("POST", "/api/v1/products", &b.keys.preview.secret, Some(r#"{"name":"B's secret plan"}"#)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.json()["id"].as_str().unwrap().to_string();

    let api = app.api("GET", &format!("/api/v1/products/{id}"), &a.keys.preview.secret, None).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.json()["code"], "not_found");
    let patch = app.api("PATCH", &format!("/api/v1/products/{id}"), &a.keys.preview.secret, Some(r#"{"name":"pwned"}"#)).await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);

    let cookie = app.login("a@a.test", a.owner_password.as_deref().unwrap()).await;
    let sf = app.sfn("products/get", &[("id", &id)], Some(&cookie)).await;
    assert_eq!(sf.status, StatusCode::NOT_FOUND, "{}", sf.body);
    let upd = app.sfn("products/update", &[("id", &id), ("name", "pwned"), ("description", "")], Some(&cookie)).await;
    assert_eq!(upd.status, StatusCode::NOT_FOUND);
    let arch = app.sfn("products/archive", &[("id", &id), ("archived", "true")], Some(&cookie)).await;
    assert_eq!(arch.status, StatusCode::NOT_FOUND);
    let listed = app.sfn("products/list", &[], Some(&cookie)).await.json();
    assert!(listed["data"].as_array().unwrap().is_empty());

    let still = app.api("GET", &format!("/api/v1/products/{id}"), &b.keys.preview.secret, None).await.json();
    assert_eq!(still["name"], "B's secret plan");
    assert_eq!(still["status"], "active");
}

// Scenario: a live product is invisible to the same tenant's preview key, and the other way round.
async fn preview_key_cannot_see_live_objects(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let live = app.api("POST", "/api/v1/products", &t.keys.live.secret, Some(r#"{"name":"Live plan"}"#)).await.json();
    assert_eq!(live["environment"], "live");
    let id = live["id"].as_str().unwrap();
    let r = app.api("GET", &format!("/api/v1/products/{id}"), &t.keys.preview.secret, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = app.api("GET", "/api/v1/products", &t.keys.preview.secret, None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let list = app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.json();
    assert_eq!(list["data"][0]["id"], id);

    // The dashboard's environment switch shows the same split.
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    assert!(app.sfn("products/list", &[], Some(&cookie)).await.json()["data"].as_array().unwrap().is_empty());
    assert_eq!(app.sfn("switch_environment", &[("environment", "live")], Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(app.sfn("products/list", &[], Some(&cookie)).await.json()["data"][0]["id"], id);
    let bad = app.sfn("switch_environment", &[("environment", "staging")], Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

// Scenario: a revoked key and every key of a suspended tenant get 401; its users cannot sign in.
async fn revoked_key_and_suspended_tenant_get_401(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pw = t.owner_password.clone().unwrap();
    let key = &t.keys.preview.secret;
    assert_eq!(app.api("GET", "/api/v1/products", key, None).await.status, StatusCode::OK);

    let cookie = app.login("owner@acme.test", &pw).await;
    let page = app.sfn("api_keys/page", &[], Some(&cookie)).await.json();
    let keys = page["keys"].as_array().unwrap();
    let id = keys.iter().find(|k| k["kind"] == "secret" && key.ends_with(k["last4"].as_str().unwrap())).unwrap()["id"].as_str().unwrap().to_string();
    let r = app.sfn("api_keys/revoke", &[("id", &id)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.api("GET", "/api/v1/products", key, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");

    // Suspension: the live key (verified once, so remembered) stops working at once and the
    // owner cannot sign in.
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::OK);
    app.admin("admin@op.test", PW).await;
    let admin = app.login("admin@op.test", PW).await;
    let s = app.sfn("admin/tenants/suspend", &[("id", &t.tenant_id), ("suspended", "true")], Some(&admin)).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.publishable, None).await.status, StatusCode::UNAUTHORIZED);
    let login = app.sfn("login", &[("email", "owner@acme.test"), ("password", &pw)], None).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(login.body.contains("suspended"));
    // The owner's existing session loses the tenant too.
    let info = app.sfn("session", &[], Some(&cookie)).await.json();
    assert!(info["current_tenant"].is_null());

    app.sfn("admin/tenants/suspend", &[("id", &t.tenant_id), ("suspended", "false")], Some(&admin)).await;
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.live.secret, None).await.status, StatusCode::OK);
    // A made-up key in our format, a foreign format and no header at all: 401 each.
    for bad in ["sk_test_00000000000000000000000000000000", "Basic abc"] {
        assert_eq!(app.api("GET", "/api/v1/products", bad, None).await.status, StatusCode::UNAUTHORIZED);
    }
    let none = app.send(axum::http::Request::get("/api/v1/products").body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

// Scenario: bad bodies get 400 with the contract's error body, naming the field; nothing is stored.
async fn malformed_json_and_wrong_types_get_the_contract_body(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let r = app.api("POST", "/api/v1/products", key, Some(r#"{"name": "x""#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let j = r.json();
    assert_eq!(j["status"], "error");
    assert_eq!(j["statusCode"], 400);
    assert_eq!(j["code"], "validation_failed");
    assert!(j["message"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(j["traceId"].as_str().unwrap(), r.header("x-trace-id").unwrap(), "trace id in body and header");

    let r = app.api("POST", "/api/v1/products", key, Some(r#"{"name": 42}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["name"].as_str().unwrap().contains("invalid type"), "{}", r.body);

    let r = app.api("POST", "/api/v1/products", key, Some(r#"{"description": "no name"}"#)).await;
    assert_eq!(r.json()["fields"]["name"], "is required");

    let r = app.api("POST", "/api/v1/products", key, Some(r#"{"name": "   "}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["fields"]["name"], "is required");

    let r = app.api("GET", "/api/v1/products?limit=abc", key, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["limit"].is_string(), "{}", r.body);
    let r = app.api("GET", "/api/v1/products?limit=1000", key, None).await;
    assert_eq!(r.json()["fields"]["limit"], "must be between 1 and 100");
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);

    let r = app.api("GET", "/api/v1/nothing-here", key, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
}

// Scenario: the same Idempotency-Key and body replays the first answer without a second row;
// the same key with another body is 409 idempotency_key_reused.
async fn idempotency_key_replays_and_refuses_reuse(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let h = [("idempotency-key", "order-42")];
    let first = app.api_with("POST", "/api/v1/products", key, Some(r#"{"name":"Gold"}"#), &h).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.api_with("POST", "/api/v1/products", key, Some(r#"{"name":"Gold"}"#), &h).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 1);

    let other = app.api_with("POST", "/api/v1/products", key, Some(r#"{"name":"Silver"}"#), &h).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.json()["code"], "idempotency_key_reused");
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 1);

    // Keys are per environment: the live key may use the same string.
    let live = app.api_with("POST", "/api/v1/products", &t.keys.live.secret, Some(r#"{"name":"Silver"}"#), &h).await;
    assert_eq!(live.status, StatusCode::CREATED);
}

// Scenario: create, read, update, archive; newest-first pages with startingAfter; search; audit rows.
async fn products_crud_pagination_search_and_audit(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let mut ids = Vec::new();
    for name in ["Basic monthly", "Premium monthly", "Premium yearly"] {
        let r = app.api("POST", "/api/v1/products", key, Some(&format!(r#"{{"name":"{name}","description":"d"}}"#))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let p1 = app.api("GET", "/api/v1/products?limit=2", key, None).await.json();
    assert_eq!(p1["hasMore"], true);
    assert_eq!(p1["data"][0]["id"], ids[2].as_str());
    assert_eq!(p1["data"][1]["id"], ids[1].as_str());
    let p2 = app.api("GET", &format!("/api/v1/products?limit=2&startingAfter={}", ids[1]), key, None).await.json();
    assert_eq!(p2["hasMore"], false);
    assert_eq!(p2["data"].as_array().unwrap().len(), 1);
    assert_eq!(p2["data"][0]["id"], ids[0].as_str());

    let found = app.api("GET", "/api/v1/products?q=PREMIUM", key, None).await.json();
    assert_eq!(found["data"].as_array().unwrap().len(), 2);
    let none = app.api("GET", "/api/v1/products?q=%25", key, None).await.json();
    assert_eq!(none["data"].as_array().unwrap().len(), 0, "a % in the search is literal");

    let patched = app.api("PATCH", &format!("/api/v1/products/{}", ids[0]), key, Some(r#"{"name":"Basic plan"}"#)).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.json()["name"], "Basic plan");
    assert_eq!(patched.json()["description"], "d", "PATCH leaves other fields alone");
    let archived = app.api("DELETE", &format!("/api/v1/products/{}", ids[0]), key, None).await.json();
    assert_eq!(archived["status"], "archived");
    let active = app.api("GET", "/api/v1/products?status=active", key, None).await.json();
    assert_eq!(active["data"].as_array().unwrap().len(), 2);
    let got = app.api("GET", &format!("/api/v1/products/{}", ids[0]), key, None).await.json();
    assert_eq!(got["status"], "archived", "archived products stay readable");

    let log = offerdeck::server::db::audit::list_for_object(&app.state.db.pool, &app.scope(&t.tenant_id, Environment::Preview), &ids[0]).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(actions, ["product.created", "product.updated", "product.archived"]);
    assert!(log[0].0.starts_with("key:"));
}

// Scenario: publishable keys may not touch the management API.
async fn publishable_key_cannot_manage_products(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let r = app.api("POST", "/api/v1/products", &t.keys.preview.publishable, Some(r#"{"name":"x"}"#)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "forbidden");
    assert_eq!(app.api("GET", "/api/v1/products", &t.keys.preview.publishable, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
}

// Scenario: server-rendered pages carry their data in the first HTML; signed-out visitors go to /login.
async fn dashboard_pages_render_complete_html(app: TestApp) {
    let login = app.get("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("offerdeck admin create"), "no admin yet: the login page says how to create one");
    let anon = app.get("/catalogue/products", None).await;
    assert_eq!(anon.status, StatusCode::FOUND);
    assert_eq!(anon.header("location").as_deref(), Some("/login"));

    let t = app.tenant("Acme", "owner@acme.test").await;
    app.admin("admin@op.test", PW).await;
    assert!(!app.get("/login", None).await.body.contains("offerdeck admin create"));
    let created = app.api("POST", "/api/v1/products", &t.keys.preview.secret, Some(r#"{"name":"Rendered <b>plan</b>"}"#)).await.json();
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let list = app.get("/catalogue/products", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Rendered &lt;b&gt;plan&lt;/b&gt;"), "escaped product name in the SSR HTML");
    assert!(list.body.contains("/pkg/offerdeck.js"), "hydration script is linked");
    let detail = app.get(&format!("/catalogue/products/{}", created["id"].as_str().unwrap()), Some(&cookie)).await;
    assert!(detail.body.contains("Save changes") && detail.body.contains(created["id"].as_str().unwrap()));
    let search = app.get("/catalogue/products?q=nothing-matches", Some(&cookie)).await;
    assert!(search.body.contains("No products match"));
}

// Scenario: an admin creates a tenant and a user in it; that user signs in and works there;
// a merchant cannot reach the admin functions.
async fn admin_manages_tenants_and_users(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let admin = app.login("admin@op.test", PW).await;
    let bad = app.sfn("admin/tenants/create", &[("name", "  ")], Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["fields"]["name"], "is required");
    let t = app.sfn("admin/tenants/create", &[("name", "Globex")], Some(&admin)).await.json();
    let tid = t["id"].as_str().unwrap().to_string();
    let form = [("email", "new@globex.test"), ("password", "short"), ("tenant_id", tid.as_str()), ("role", "merchant")];
    let weak = app.sfn("admin/users/create", &form, Some(&admin)).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert!(weak.json()["fields"]["password"].as_str().unwrap().contains("at least"));
    let form = [("email", "new@globex.test"), ("password", "long-enough-pw"), ("tenant_id", tid.as_str()), ("role", "merchant")];
    assert_eq!(app.sfn("admin/users/create", &form, Some(&admin)).await.status, StatusCode::OK);
    let dup = app.sfn("admin/users/create", &form, Some(&admin)).await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.json()["fields"]["email"].as_str().unwrap().contains("taken"));

    let user = app.login("new@globex.test", "long-enough-pw").await;
    let info = app.sfn("session", &[], Some(&user)).await.json();
    assert_eq!(info["current_tenant"]["name"], "Globex");
    let created = app.sfn("products/create", &[("name", "Globex Pro"), ("description", "")], Some(&user)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(app.product_count(&tid, Environment::Preview).await, 1);

    // Rename, then the user in two tenants switches between them.
    assert_eq!(app.sfn("admin/tenants/rename", &[("id", &tid), ("name", "Globex Corp")], Some(&admin)).await.status, StatusCode::OK);
    let other = app.sfn("admin/tenants/create", &[("name", "Initech")], Some(&admin)).await.json();
    let oid = other["id"].as_str().unwrap();
    let users = app.sfn("admin/users", &[], Some(&admin)).await.json();
    let uid = users.as_array().unwrap().iter().find(|u| u["email"] == "new@globex.test").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(app.sfn("admin/users/membership", &[("user_id", &uid), ("tenant_id", oid), ("role", "marketer")], Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(app.sfn("switch_tenant", &[("tenant_id", oid)], Some(&user)).await.status, StatusCode::OK);
    let info = app.sfn("session", &[], Some(&user)).await.json();
    assert_eq!(info["current_tenant"]["name"], "Initech");
    assert_eq!(info["current_tenant"]["role"], "marketer");
    assert_eq!(info["tenants"].as_array().unwrap().len(), 2);
    let foreign = app.sfn("admin/tenants/create", &[("name", "Nope")], None).await;
    assert_eq!(foreign.status, StatusCode::UNAUTHORIZED);

    // Non-admins get 403 from every admin function.
    for (ep, form) in [("admin/tenants", vec![]), ("admin/users", vec![]), ("admin/tenants/create", vec![("name", "X")])] {
        assert_eq!(app.sfn(ep, &form, Some(&user)).await.status, StatusCode::FORBIDDEN, "{ep}");
    }

    // Password reset and deactivation take effect at once.
    assert_eq!(app.sfn("admin/users/password", &[("user_id", &uid), ("password", "another-password")], Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(app.sfn("login", &[("email", "new@globex.test"), ("password", "long-enough-pw")], None).await.status, StatusCode::UNAUTHORIZED);
    app.login("new@globex.test", "another-password").await;
    assert_eq!(app.sfn("admin/users/active", &[("user_id", &uid), ("active", "false")], Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(app.sfn("session", &[], Some(&user)).await.body, "null", "a deactivated user's session ends");
    assert_eq!(app.sfn("login", &[("email", "new@globex.test"), ("password", "another-password")], None).await.status, StatusCode::UNAUTHORIZED);
}

// Scenario: a form post from another site is refused before it reaches the server function.
async fn cross_origin_form_posts_are_refused(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let r = app
        .send(
            axum::http::Request::post("/sfn/login")
                .header("host", "dash.example")
                .header("origin", "https://evil.example")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(format!("email=admin%40op.test&password={PW}")))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.session_cookie().is_none());
    let same = app
        .send(
            axum::http::Request::post("/sfn/login")
                .header("host", "dash.example")
                .header("origin", "https://dash.example")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(format!("email=admin%40op.test&password={PW}")))
                .unwrap(),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    // `Origin: null` (a sandboxed frame, a data: URL) and a request without a usable Host are
    // refused too.
    let post = |host: Option<&'static str>, origin: Option<&'static str>| {
        let mut b = axum::http::Request::post("/sfn/login").header("content-type", "application/x-www-form-urlencoded");
        if let Some(h) = host {
            b = b.header("host", h);
        }
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        let mut req = b.body(axum::body::Body::from(format!("email=admin%40op.test&password={PW}"))).unwrap();
        req.extensions_mut().insert(common::NoHost);
        req
    };
    for (host, origin) in [(Some("dash.example"), Some("null")), (None, Some("https://dash.example")), (None, None), (Some("bad host"), None)] {
        let r = app.send(post(host, origin)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "host {host:?}, origin {origin:?}");
        assert!(r.session_cookie().is_none());
    }
}

// Scenario: a key made on Settings → API keys is shown once, works, is stored only hashed.
async fn api_keys_are_created_hashed_listed_and_revoked(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    app.sfn("switch_environment", &[("environment", "live")], Some(&cookie)).await;
    let r = app.sfn("api_keys/create", &[("kind", "secret"), ("name", "backend")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A second key before the page is seen: both are shown, and neither sits in the session
    // table in plaintext.
    let r = app.sfn("api_keys/create", &[("kind", "secret"), ("name", "worker")], Some(&cookie)).await;
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
    let page = app.sfn("api_keys/page", &[], Some(&cookie)).await.json();
    let shown = page["new_keys"].as_array().expect("the new keys are shown").clone();
    assert_eq!(shown.len(), 2, "{page}");
    let key = shown[0].as_str().unwrap().to_string();
    assert!(key.starts_with("sk_live_") && shown[1].as_str().unwrap().starts_with("sk_live_") && shown[0] != shown[1]);
    let again = app.sfn("api_keys/page", &[], Some(&cookie)).await.json();
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
    let posted = app.form_post("api_keys/create", &[("kind", "publishable"), ("name", "web")], Some(&cookie), "http://x/settings/api-keys").await;
    assert_eq!(posted.status, StatusCode::FOUND);
    let page = app.get("/settings/api-keys", Some(&cookie)).await;
    let shown = page.body.split("value=\"pk_live_").nth(1).map(|s| s[..32].to_string()).expect("the key is in the page");
    assert!(shown.bytes().all(|b| b.is_ascii_alphanumeric()));
    let again = app.get("/settings/api-keys", Some(&cookie)).await;
    assert!(!again.body.contains(&shown), "shown only once");
    let bad_kind = app.sfn("api_keys/create", &[("kind", "root"), ("name", "")], Some(&cookie)).await;
    assert_eq!(bad_kind.status, StatusCode::BAD_REQUEST);
    assert!(bad_kind.json()["fields"]["kind"].is_string());
}

// Scenario: health endpoints, the OpenAPI document and the reference page.
async fn health_openapi_and_docs(app: TestApp) {
    let h = app.get("/healthz", None).await;
    assert_eq!((h.status, h.body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(h.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(h.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(h.header("x-trace-id").is_some_and(|t| t.len() == 32));
    let r = app.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/products"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/products/{id}"]["patch"].is_object());
    assert!(doc["paths"]["/api/v1/coupons/validate"]["post"]["responses"]["429"].is_object());
    assert!(doc["paths"]["/api/v1/coupons/{code}/redemptions"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/webhook-deliveries/{id}/resend"]["post"].is_object());
    assert!(doc["components"]["schemas"]["CouponCreate"]["properties"]["maxRedemptionsPerCustomer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["traceId"].is_object());
    let page = app.get("/api/docs", None).await;
    assert!(page.body.contains("/api/v1/products/{id}") && page.body.contains("ProductCreate"));
    app.state.db.pool.close().await;
    let down = app.get("/readyz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}
