//! What `/api/v1` and the dashboard do with bad input before any domain rule (`api::extract`):
//! malformed JSON and wrong types get the contract's body naming the field, U+0000 is refused on
//! both databases, and bodies and lists have bounds.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::json;
use sqlx::Row;

db_tests!(malformed_json_and_wrong_types_get_the_contract_body, nul_characters_are_refused_not_stored, bodies_and_lists_have_bounds,);

// Scenario: bad bodies get 400 with the contract's error body, naming the field; nothing is stored.
async fn malformed_json_and_wrong_types_get_the_contract_body(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let r = api.post("/api/v1/products", r#"{"name": "x""#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let j = r.json();
    assert_eq!(j["status"], "error");
    assert_eq!(j["statusCode"], 400);
    assert_eq!(j["code"], "validation_failed");
    assert!(j["message"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(j["traceId"].as_str().unwrap(), r.header("x-trace-id").unwrap(), "trace id in body and header");

    let r = api.post("/api/v1/products", r#"{"name": 42}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["name"].as_str().unwrap().contains("invalid type"), "{}", r.body);

    let r = api.post("/api/v1/products", r#"{"description": "no name"}"#).await;
    assert_eq!(r.json()["fields"]["name"], "is required");

    let r = api.post("/api/v1/products", r#"{"name": "   "}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["fields"]["name"], "is required");

    let r = api.get("/api/v1/products?limit=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["fields"]["limit"].is_string(), "{}", r.body);
    let r = api.get("/api/v1/products?limit=1000").await;
    assert_eq!(r.json()["fields"]["limit"], "must be between 1 and 100");
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);

    let r = api.get("/api/v1/nothing-here").await;
    assert_error(&r, 404, "not_found");
}

// PostgreSQL cannot store U+0000 in text; the API refuses it (400 naming the field, 404 in a
// path) on both databases instead of failing with a 500 on one.
async fn nul_characters_are_refused_not_stored(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let r = api.post("/api/v1/products", r#"{"name":"Pro\u0000"}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["fields"]["name"].as_str().unwrap().contains("U+0000"));
    let r = api.post("/api/v1/surface-decisions", r#"{"surfaceSlug":"x","identity":{"userIdentifier":"a\u0000"}}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["fields"]["identity.userIdentifier"].is_string(), "{}", r.body);
    for q in ["q=%00", "startingAfter=a%00b"] {
        let r = api.get(&format!("/api/v1/products?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
    }
    let r = api.get("/api/v1/events?identity=%00").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    for path in ["/api/v1/products/%00", "/api/v1/coupons/A%00B", "/api/v1/surfaces/srf_%00/x"] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    let r = api.get("/api/v1/products").await;
    assert_eq!(r.json()["data"].as_array().map(Vec::len), Some(0), "nothing was stored");
}

// Scenario: a body over 1 MiB, a surface with 10,000 slots, a schema with 10,000 fields and an
// offer listing 1,000 prices are refused with the contract's error, before any per-item work;
// nothing is stored. A dashboard post over 1 MiB is refused too.
async fn bodies_and_lists_have_bounds(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(1_100_000));
    let r = api.post("/api/v1/products", &big).await;
    assert_error(&r, 400, "validation_failed");
    let slots: Vec<_> = (0..10_000).map(|i| json!({"key": format!("s{}", i % 10), "facet": "web"})).collect();
    let r = api.post("/api/v1/surfaces", json!({"name": "Big", "slug": "big", "slots": slots})).await;
    assert_eq!((r.status, r.json()["fields"]["slots"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 50 slots")), "{}", r.body);
    let fields: Vec<_> = (0..10_000).map(|_| json!({"key": "same", "type": "string", "label": "L", "required": false})).collect();
    let r = api.post("/api/v1/presentation-schemas", json!({"name": "Big", "fields": fields, "offerSlots": ["primary"]})).await;
    assert_eq!((r.status, r.json()["fields"]["fields"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 100 fields")), "{}", r.body);
    let ids: Vec<_> = (0..1_000).map(|i| format!("price_{i}")).collect();
    let offer = json!({"name": "Big", "redemptionMethodId": "rm_x", "priceIds": ids, "presentation": {"title": "Big"}});
    let r = api.post("/api/v1/offers", &offer).await;
    assert_eq!((r.status, r.json()["fields"]["priceIds"].as_str()), (StatusCode::BAD_REQUEST, Some("at most 20 prices per offer")), "{}", r.body);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM surfaces").fetch_one(&app.state.db.pool).await.unwrap().get(0);
    assert_eq!(n, 0);
    let owner = app.merchant(&t).await;
    // A NUL character in a form field is a clean 400 on both databases (PostgreSQL text cannot
    // hold it, which was a 500 there).
    let r = owner.sfn("products/create", &[("name", "a\0b"), ("description", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = owner.sfn("products/create", &[("name", &"y".repeat(1_200_000))]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 0);
}
