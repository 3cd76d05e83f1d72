//! Catalogue prices (`services::prices`) through the API and the dashboard's server functions.
use crate::helpers::TestApp;
use axum::http::StatusCode;
use offerdeck::model::Environment;
use offerdeck::model::Role;

db_tests!(prices_rules_and_formatting, prices_are_scoped_and_role_checked, dashboard_price_form_takes_major_units,);

async fn product(app: &TestApp, key: &str, name: &str) -> String {
    let r = app.api("POST", "/api/v1/products", key, Some(&format!(r#"{{"name":"{name}"}}"#))).await;
    r.id()
}

// Scenario: a valid price is stored in minor units and displayed in major units; each rule
// rejects its bad value with the field named, and nothing is stored.
async fn prices_rules_and_formatting(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let api = app.secret_key(&t, Environment::Preview);
    let pid = product(&app, key, "Premium").await;
    let body = format!(r#"{{"productId":"{pid}","currency":"GBP","unitAmount":1000,"interval":"month","stripePriceId":"price_123abc"}}"#);
    let r = api.post("/api/v1/prices", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = r.json();
    assert_eq!(p["currency"], "gbp");
    assert_eq!(p["unitAmount"], 1000);
    assert_eq!(p["interval"], "month");
    assert_eq!(p["display"], "£10.00");
    assert!(p["id"].as_str().unwrap().starts_with("price_"));

    let cases = [
        (format!(r#"{{"productId":"{pid}","currency":"pounds","unitAmount":1000,"stripePriceId":"price_1"}}"#), "currency"),
        (format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":-5,"stripePriceId":"price_1"}}"#), "unitAmount"),
        (format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"stripePriceId":"prod_1"}}"#), "stripePriceId"),
        (format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"interval":"week","stripePriceId":"price_1"}}"#), "interval"),
        (format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":"ten","stripePriceId":"price_1"}}"#), "unitAmount"),
        (r#"{"productId":"prod_nope","currency":"gbp","unitAmount":100,"stripePriceId":"price_1"}"#.to_string(), "productId"),
    ];
    for (body, field) in cases {
        let r = api.post("/api/v1/prices", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.json()["fields"][field].is_string(), "{field}: {}", r.body);
    }
    let list = api.get(&format!("/api/v1/prices?productId={pid}")).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "rejected prices are not stored");

    // Archive, and a new price cannot be added to an archived product.
    let id = p["id"].as_str().unwrap();
    let a = api.delete(&format!("/api/v1/prices/{id}")).await.json();
    assert_eq!(a["status"], "archived");
    api.delete(&format!("/api/v1/products/{pid}")).await;
    let body = format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"stripePriceId":"price_2"}}"#);
    let r = api.post("/api/v1/prices", &body).await;
    assert_eq!(r.json()["fields"]["productId"], "the product is archived");
}

// Scenario: another tenant's or environment's product cannot get a price, and its prices are 404;
// a marketer cannot add one.
async fn prices_are_scoped_and_role_checked(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let (a_api, b_api, b_live) = (app.secret_key(&a, Environment::Preview), app.secret_key(&b, Environment::Preview), app.secret_key(&b, Environment::Live));
    let pid = product(&app, &b.keys.preview.secret, "B product").await;
    let body = format!(r#"{{"productId":"{pid}","currency":"usd","unitAmount":500,"stripePriceId":"price_b"}}"#);
    let r = a_api.post("/api/v1/prices", &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["fields"]["productId"], "no such product in this environment");
    let r = b_live.post("/api/v1/prices", &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the live key cannot price a preview product");
    let made = b_api.post("/api/v1/prices", &body).await.json();
    let id = made["id"].as_str().unwrap();
    assert_eq!(a_api.get(&format!("/api/v1/prices/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b_live.get(&format!("/api/v1/prices/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(a_api.delete(&format!("/api/v1/prices/{id}")).await.status, StatusCode::NOT_FOUND);

    app.member("m@b.test", &b.tenant_id, Role::Marketer).await;
    let marketer = app.session("m@b.test", "password-123").await;
    let form = [("product_id", pid.as_str()), ("currency", "usd"), ("amount", "5"), ("interval", ""), ("stripe_price_id", "price_x")];
    assert_eq!(marketer.sfn("prices/create", &form).await.status, StatusCode::FORBIDDEN);
    let listed = marketer.sfn("prices/list", &[("product_id", &pid)]).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "marketers can read prices");
}

// Scenario: the dashboard form takes "10.50" and stores 1050; a bad amount is a field error.
async fn dashboard_price_form_takes_major_units(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pid = product(&app, &t.keys.preview.secret, "Premium").await;
    let owner = app.merchant(&t).await;
    let form = [("product_id", pid.as_str()), ("currency", "gbp"), ("amount", "10.50"), ("interval", "year"), ("stripe_price_id", "price_year")];
    let r = owner.sfn("prices/create", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["unitAmount"], 1050);
    assert_eq!(r.json()["display"], "£10.50");
    let form = [("product_id", pid.as_str()), ("currency", "gbp"), ("amount", "10.999"), ("interval", ""), ("stripe_price_id", "price_x")];
    let bad = owner.sfn("prices/create", &form).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["fields"]["amount"], "takes at most 2 decimals");
    let page = owner.page(&format!("/catalogue/products/{pid}")).await;
    assert!(page.body.contains("£10.50") && page.body.contains("price_year"), "the product page lists its prices");
}
