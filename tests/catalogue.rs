//! Catalogue prices through the API and the dashboard's server functions, on both databases.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use offerdeck::model::Role;

db_tests!(prices_rules_and_formatting, prices_are_scoped_and_role_checked, dashboard_price_form_takes_major_units);

async fn product(app: &TestApp, key: &str, name: &str) -> String {
    let r = app.api("POST", "/api/v1/products", key, Some(&format!(r#"{{"name":"{name}"}}"#))).await;
    r.json()["id"].as_str().unwrap().to_string()
}

// Scenario: a valid price is stored in minor units and displayed in major units; each rule
// rejects its bad value with the field named, and nothing is stored.
async fn prices_rules_and_formatting(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = &t.keys.preview.secret;
    let pid = product(&app, key, "Premium").await;
    let body = format!(r#"{{"productId":"{pid}","currency":"GBP","unitAmount":1000,"interval":"month","stripePriceId":"price_123abc"}}"#);
    let r = app.api("POST", "/api/v1/prices", key, Some(&body)).await;
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
        let r = app.api("POST", "/api/v1/prices", key, Some(&body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(r.json()["fields"][field].is_string(), "{field}: {}", r.body);
    }
    let list = app.api("GET", &format!("/api/v1/prices?productId={pid}"), key, None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "rejected prices are not stored");

    // Archive, and a new price cannot be added to an archived product.
    let id = p["id"].as_str().unwrap();
    let a = app.api("DELETE", &format!("/api/v1/prices/{id}"), key, None).await.json();
    assert_eq!(a["status"], "archived");
    app.api("DELETE", &format!("/api/v1/products/{pid}"), key, None).await;
    let body = format!(r#"{{"productId":"{pid}","currency":"gbp","unitAmount":100,"stripePriceId":"price_2"}}"#);
    let r = app.api("POST", "/api/v1/prices", key, Some(&body)).await;
    assert_eq!(r.json()["fields"]["productId"], "the product is archived");
}

// Scenario: another tenant's or environment's product cannot get a price, and its prices are 404;
// a marketer cannot add one.
async fn prices_are_scoped_and_role_checked(app: TestApp) {
    let a = app.tenant("A", "a@a.test").await;
    let b = app.tenant("B", "b@b.test").await;
    let pid = product(&app, &b.keys.preview.secret, "B product").await;
    let body = format!(r#"{{"productId":"{pid}","currency":"usd","unitAmount":500,"stripePriceId":"price_b"}}"#);
    let r = app.api("POST", "/api/v1/prices", &a.keys.preview.secret, Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["fields"]["productId"], "no such product in this environment");
    let r = app.api("POST", "/api/v1/prices", &b.keys.live.secret, Some(&body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the live key cannot price a preview product");
    let made = app.api("POST", "/api/v1/prices", &b.keys.preview.secret, Some(&body)).await.json();
    let id = made["id"].as_str().unwrap();
    assert_eq!(app.api("GET", &format!("/api/v1/prices/{id}"), &a.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("GET", &format!("/api/v1/prices/{id}"), &b.keys.live.secret, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("DELETE", &format!("/api/v1/prices/{id}"), &a.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);

    app.member("m@b.test", &b.tenant_id, Role::Marketer).await;
    let cookie = app.login("m@b.test", "password-123").await;
    let form = [("product_id", pid.as_str()), ("currency", "usd"), ("amount", "5"), ("interval", ""), ("stripe_price_id", "price_x")];
    assert_eq!(app.sfn("prices/create", &form, Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    let listed = app.sfn("prices/list", &[("product_id", &pid)], Some(&cookie)).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "marketers can read prices");
}

// Scenario: the dashboard form takes "10.50" and stores 1050; a bad amount is a field error.
async fn dashboard_price_form_takes_major_units(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pid = product(&app, &t.keys.preview.secret, "Premium").await;
    let cookie = app.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let form = [("product_id", pid.as_str()), ("currency", "gbp"), ("amount", "10.50"), ("interval", "year"), ("stripe_price_id", "price_year")];
    let r = app.sfn("prices/create", &form, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["unitAmount"], 1050);
    assert_eq!(r.json()["display"], "£10.50");
    let form = [("product_id", pid.as_str()), ("currency", "gbp"), ("amount", "10.999"), ("interval", ""), ("stripe_price_id", "price_x")];
    let bad = app.sfn("prices/create", &form, Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["fields"]["amount"], "takes at most 2 decimals");
    let page = app.get(&format!("/catalogue/products/{pid}"), Some(&cookie)).await;
    assert!(page.body.contains("£10.50") && page.body.contains("price_year"), "the product page lists its prices");
}
