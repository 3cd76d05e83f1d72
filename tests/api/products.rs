//! Products (`services::products`): create, read, update, archive, pages, search and audit rows
//! through the API; the dashboard's pages and server functions; roles and scope.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::{Environment, Role};

const PW: &str = "password-123";

db_tests!(
    products_crud_pagination_search_and_audit,
    marketer_cannot_create_a_product_and_nothing_is_written,
    tenant_b_products_are_invisible_to_tenant_a,
    preview_key_cannot_see_live_objects,
    dashboard_pages_render_complete_html,
    default_return_urls_are_kept_checked_and_cleared,
);

// Scenario: create, read, update, archive; newest-first pages with startingAfter; search; audit rows.
async fn products_crud_pagination_search_and_audit(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let mut ids = Vec::new();
    for name in ["Basic monthly", "Premium monthly", "Premium yearly"] {
        let r = api.post("/api/v1/products", format!(r#"{{"name":"{name}","description":"d"}}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.id());
    }
    let p1 = api.get("/api/v1/products?limit=2").await.json();
    assert_eq!(p1["hasMore"], true);
    assert_eq!(p1["data"][0]["id"], ids[2].as_str());
    assert_eq!(p1["data"][1]["id"], ids[1].as_str());
    let p2 = api.get(&format!("/api/v1/products?limit=2&startingAfter={}", ids[1])).await.json();
    assert_eq!(p2["hasMore"], false);
    assert_eq!(p2["data"].as_array().unwrap().len(), 1);
    assert_eq!(p2["data"][0]["id"], ids[0].as_str());

    let found = api.get("/api/v1/products?q=PREMIUM").await.json();
    assert_eq!(found["data"].as_array().unwrap().len(), 2);
    let none = api.get("/api/v1/products?q=%25").await.json();
    assert_eq!(none["data"].as_array().unwrap().len(), 0, "a % in the search is literal");

    let patched = api.patch(&format!("/api/v1/products/{}", ids[0]), r#"{"name":"Basic plan"}"#).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.json()["name"], "Basic plan");
    assert_eq!(patched.json()["description"], "d", "PATCH leaves other fields alone");
    let archived = api.delete(&format!("/api/v1/products/{}", ids[0])).await.json();
    assert_eq!(archived["status"], "archived");
    let active = api.get("/api/v1/products?status=active").await.json();
    assert_eq!(active["data"].as_array().unwrap().len(), 2);
    let got = api.get(&format!("/api/v1/products/{}", ids[0])).await.json();
    assert_eq!(got["status"], "archived", "archived products stay readable");

    let log = offerdeck::server::db::audit::list_for_object(&app.state.db.pool, &app.scope(&t.tenant_id, Environment::Preview), &ids[0]).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(actions, ["product.created", "product.updated", "product.archived"]);
    assert!(log[0].0.starts_with("key:"));
}

// Scenario: a marketer's create call is refused with 403 and leaves no product and no audit row.
async fn marketer_cannot_create_a_product_and_nothing_is_written(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    app.member("mark@acme.test", &t.tenant_id, Role::Marketer).await;
    let marketer = app.session("mark@acme.test", PW).await;
    let r = marketer.sfn("products/create", &[("name", "Sneaky"), ("description", "")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("forbidden"));
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
    // The marketer can still read.
    let list = marketer.sfn("products/list", &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 0);
    // And cannot manage keys.
    let keys = marketer.sfn("api_keys/create", &[("kind", "secret"), ("name", "x")]).await;
    assert_eq!(keys.status, StatusCode::FORBIDDEN);
}

// Scenario: tenant A's merchant asks for tenant B's product by id: 404 through both doors.
async fn tenant_b_products_are_invisible_to_tenant_a(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let (a_api, b_api) = (app.secret_key(&a, Environment::Preview), app.secret_key(&b, Environment::Preview));
    let created = b_api.post("/api/v1/products", r#"{"name":"B's secret plan"}"#).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.id();

    let api = a_api.get(&format!("/api/v1/products/{id}")).await;
    assert_error(&api, 404, "not_found");
    let patch = a_api.patch(&format!("/api/v1/products/{id}"), r#"{"name":"pwned"}"#).await;
    assert_eq!(patch.status, StatusCode::NOT_FOUND);

    let a_merchant = app.merchant(&a).await;
    let sf = a_merchant.sfn("products/get", &[("id", &id)]).await;
    assert_eq!(sf.status, StatusCode::NOT_FOUND, "{}", sf.body);
    let upd = a_merchant.sfn("products/update", &[("id", &id), ("name", "pwned"), ("description", "")]).await;
    assert_eq!(upd.status, StatusCode::NOT_FOUND);
    let arch = a_merchant.sfn("products/archive", &[("id", &id), ("archived", "true")]).await;
    assert_eq!(arch.status, StatusCode::NOT_FOUND);
    let listed = a_merchant.sfn("products/list", &[]).await.json();
    assert!(listed["data"].as_array().unwrap().is_empty());

    let still = b_api.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!(still["name"], "B's secret plan");
    assert_eq!(still["status"], "active");
}

// Scenario: a live product is invisible to the same tenant's preview key, and the other way round.
async fn preview_key_cannot_see_live_objects(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let (preview, live_key) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    let live = live_key.post("/api/v1/products", r#"{"name":"Live plan"}"#).await.json();
    assert_eq!(live["environment"], "live");
    let id = live["id"].as_str().unwrap();
    let r = preview.get(&format!("/api/v1/products/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = preview.get("/api/v1/products").await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let list = live_key.get("/api/v1/products").await.json();
    assert_eq!(list["data"][0]["id"], id);

    // The dashboard's environment switch shows the same split.
    let owner = app.merchant(&t).await;
    assert!(owner.sfn("products/list", &[]).await.json()["data"].as_array().unwrap().is_empty());
    assert_eq!(owner.sfn("switch_environment", &[("environment", "live")]).await.status, StatusCode::OK);
    assert_eq!(owner.sfn("products/list", &[]).await.json()["data"][0]["id"], id);
    let bad = owner.sfn("switch_environment", &[("environment", "staging")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
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
    let owner = app.merchant(&t).await;
    let list = owner.page("/catalogue/products").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Rendered &lt;b&gt;plan&lt;/b&gt;"), "escaped product name in the SSR HTML");
    assert!(list.body.contains("/pkg/offerdeck.js"), "hydration script is linked");
    let detail = owner.page(&format!("/catalogue/products/{}", created["id"].as_str().unwrap())).await;
    assert!(detail.body.contains("Save changes") && detail.body.contains(created["id"].as_str().unwrap()));
    let search = owner.page("/catalogue/products?q=nothing-matches").await;
    assert!(search.body.contains("No products match"));
}

// Scenario: a product's default success and cancel URLs (the return URLs of its checkout
// sessions) are set through the API and the dashboard, read back, cleared with "", and a URL
// that is not http(s) is refused naming the field, with nothing written.
async fn default_return_urls_are_kept_checked_and_cleared(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let r = api.post("/api/v1/products", r#"{"name":"Pro","successUrl":"https://shop.test/thanks","cancelUrl":"https://shop.test/pricing"}"#).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.id();
    let got = api.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!((got["successUrl"].as_str(), got["cancelUrl"].as_str()), (Some("https://shop.test/thanks"), Some("https://shop.test/pricing")));
    // A product made without them has none.
    let plain = api.post("/api/v1/products", r#"{"name":"Basic"}"#).await.json();
    assert_eq!((plain["successUrl"].as_str(), plain["cancelUrl"].as_str()), (Some(""), Some("")));
    // Bad URLs: 400 naming each field; the product is unchanged.
    for (body, field) in [(r#"{"successUrl":"javascript:alert(1)"}"#, "successUrl"), (r#"{"cancelUrl":"https://shop.test/a b"}"#, "cancelUrl")] {
        let r = api.patch(&format!("/api/v1/products/{id}"), body).await;
        assert_error(&r, 400, "validation_failed");
        assert!(r.json()["fields"][field].is_string(), "{}", r.body);
    }
    let r = api.post("/api/v1/products", r#"{"name":"Bad","successUrl":"ftp://shop.test/x"}"#).await;
    assert_error(&r, 400, "validation_failed");
    let listed = api.get("/api/v1/products").await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "the refused create stored nothing");
    let still = api.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!(still["successUrl"], "https://shop.test/thanks");
    // Only the given field changes; "" clears.
    let cleared = api.patch(&format!("/api/v1/products/{id}"), r#"{"cancelUrl":""}"#).await.json();
    assert_eq!((cleared["successUrl"].as_str(), cleared["cancelUrl"].as_str()), (Some("https://shop.test/thanks"), Some("")));
    // The dashboard's edit form sets both.
    let owner = app.merchant(&t).await;
    let r = owner
        .sfn("products/update", &[("id", &id), ("name", "Pro"), ("description", ""), ("success_url", "https://shop.test/welcome"), ("cancel_url", "")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = api.get(&format!("/api/v1/products/{id}")).await.json();
    assert_eq!(after["successUrl"], "https://shop.test/welcome");
    let r = owner.sfn("products/update", &[("id", &id), ("name", "Pro"), ("description", ""), ("success_url", "not a url")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(api.get(&format!("/api/v1/products/{id}")).await.json()["successUrl"], "https://shop.test/welcome");
}
