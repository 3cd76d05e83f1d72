//! Rates of an offer (`services::rates`, API.md §12): one price per product, one currency and
//! interval, the offer's own prices only; read and changed through the offer; the offer page's
//! form.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use serde_json::json;

db_tests!(rates_hold_the_offers_prices_one_per_product,);

// Scenario: an offer with two monthly products and a yearly price; a rate of both monthly prices
// is created; every rule is refused with `priceIds` named and nothing stored; a rename, an
// archive; another tenant's offer is 404; the offer page's form adds one.
async fn rates_hold_the_offers_prices_one_per_product(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, offerdeck::model::Environment::Preview);
    let method = api.create("/api/v1/redemption-methods", json!({"name": "M", "schema": "custom"})).await["id"].as_str().unwrap().to_string();
    let product = |n: &str| api.create("/api/v1/products", json!({"name": n}));
    let (a, b) = (product("Seats").await["id"].as_str().unwrap().to_string(), product("Storage").await["id"].as_str().unwrap().to_string());
    let price = |p: &str, amount: i64, interval: Option<&str>, currency: &str, sp: &str| {
        api.create("/api/v1/prices", json!({"productId": p, "currency": currency, "unitAmount": amount, "interval": interval, "stripePriceId": sp}))
    };
    let seats_m = price(&a, 1000, Some("month"), "gbp", "price_sm").await["id"].as_str().unwrap().to_string();
    let storage_m = price(&b, 500, Some("month"), "gbp", "price_stm").await["id"].as_str().unwrap().to_string();
    let seats_y = price(&a, 10000, Some("year"), "gbp", "price_sy").await["id"].as_str().unwrap().to_string();
    let other = price(&b, 700, Some("month"), "gbp", "price_other").await["id"].as_str().unwrap().to_string();
    let offer = api
        .create(
            "/api/v1/offers",
            json!({"name": "Team", "redemptionMethodId": method, "priceIds": [seats_m, storage_m, seats_y], "presentation": {"title": "Team"}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/offers/{offer}/rates");
    let r = api.post(&path, json!({"name": "Team monthly", "priceIds": [seats_m, storage_m]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rate = r.json();
    assert!(rate["id"].as_str().unwrap().starts_with("rate_"));
    assert_eq!((rate["currency"].as_str(), rate["interval"].as_str(), rate["selfService"].as_bool()), (Some("gbp"), Some("month"), Some(true)));
    assert_eq!(rate["productIds"], json!([a, b]));
    for (body, why) in [
        (json!({"name": "x", "priceIds": [seats_m, seats_y]}), "two prices of one product"),
        (json!({"name": "x", "priceIds": [storage_m, seats_y]}), "two intervals"),
        (json!({"name": "x", "priceIds": [other]}), "not the offer's"),
        (json!({"name": "x", "priceIds": []}), "none"),
    ] {
        let j = assert_error(&api.post(&path, body).await, 400, "validation_failed");
        assert!(j["fields"]["priceIds"].is_string(), "{why}: {j}");
    }
    assert_error(&api.post(&path, json!({"name": " ", "priceIds": [seats_m]})).await, 400, "validation_failed");
    assert_eq!(api.get(&path).await.json()["data"].as_array().unwrap().len(), 1, "nothing else stored");
    let id = rate["id"].as_str().unwrap();
    let r = api.patch(&format!("{path}/{id}"), json!({"name": "Team (monthly)", "selfService": false})).await;
    assert_eq!(
        (r.json()["name"].as_str(), r.json()["selfService"].as_bool(), r.json()["priceIds"].as_array().map(Vec::len)),
        (Some("Team (monthly)"), Some(false), Some(2))
    );
    assert_eq!(api.patch(&format!("{path}/{id}"), json!({"status": "archived"})).await.json()["status"], "archived");
    assert_eq!(api.get(&format!("{path}/{id}")).await.json()["name"], "Team (monthly)");
    assert_error(&api.get("/api/v1/offers/off_nope/rates").await, 404, "not_found");
    let b_tenant = app.tenant("Other", "owner@other.test").await;
    let foreign = app.secret_key(&b_tenant, offerdeck::model::Environment::Preview);
    assert_error(&foreign.get(&format!("{path}/{id}")).await, 404, "not_found");
    assert_error(&foreign.post(&path, json!({"name": "pwned", "priceIds": [seats_m]})).await, 404, "not_found");

    // The offer page's form.
    let merchant = app.merchant(&t).await;
    let r = merchant.sfn("offers/rates/create", &[("offer_id", &offer), ("name", "Seats yearly"), ("price_ids[0]", &seats_y), ("self_service", "true")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed = merchant.sfn("offers/rates", &[("id", &offer)]).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["interval"], "year");
    let page = merchant.page(&format!("/offers/{offer}")).await;
    assert!(page.body.contains("Seats yearly") && page.body.contains("Add rate"));
}
