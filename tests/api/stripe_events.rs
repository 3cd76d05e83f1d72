//! Incoming Stripe events (`services::stripe_events`): verified with the integration's webhook
//! secret, each Stripe event id processed once, coupons redeemed through the coupons' function.
use crate::coupons::{create, setup};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(stripe_events_redeem_once,);

pub(crate) fn stripe_event(id: &str, event_type: &str, object: Value) -> String {
    json!({"id": id, "object": "event", "type": event_type, "data": {"object": object}}).to_string()
}

pub(crate) async fn send_stripe(app: &TestApp, integration: &str, body: &str, secret: &str) -> crate::helpers::Resp {
    let now = app.state.clock.now_ms() / 1000;
    let sig = offerdeck::server::services::stripe_events::sign(secret, now, body);
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/webhooks/stripe/{integration}"))
        .header("content-type", "application/json")
        .header("stripe-signature", sig)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

// Scenario: Stripe tells us a subscription was created with the coupon, and delivers the same
// event twice; a forged event is refused.
async fn stripe_events_redeem_once(app: TestApp) {
    let (app, _stub, sk, _, extra) = setup(app).await;
    let api = app.client(&sk);
    assert_eq!(create(&app, &sk, json!({"code": "COMEBACK40", "type": "percentage", "amount": 40, "repeatMonths": 2})).await.status, StatusCode::CREATED);
    let integration = api.get("/api/v1/integrations/stripe").await.id();
    let scope = app.scope(&extra.tenant_id, Environment::Preview);
    let pool = &app.state.db.pool;

    let forged =
        stripe_event("evt_forged", "customer.subscription.created", json!({"id": "sub_f", "customer": "cus_f", "discount": {"coupon": {"id": "COMEBACK40"}}}));
    let r = send_stripe(&app, &integration, &forged, "whsec_wrong").await;
    assert_error(&r, 400, "validation_failed");
    let r = app
        .send(
            axum::http::Request::builder().method("POST").uri(format!("/webhooks/stripe/{integration}")).body(axum::body::Body::from(forged.clone())).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no signature");
    assert_eq!(offerdeck::server::db::coupons::stripe_event_count(pool, &scope).await.unwrap(), 0, "nothing recorded");
    assert_eq!(api.get("/api/v1/coupons/COMEBACK40").await.json()["timesRedeemed"], 0);

    let ev =
        stripe_event("evt_sub_1", "customer.subscription.created", json!({"id": "sub_1", "customer": "cus_1", "discount": {"coupon": {"id": "COMEBACK40"}}}));
    let r = send_stripe(&app, &integration, &ev, "whsec_stripe_test_secret").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["outcome"].as_str().unwrap().starts_with("redeemed COMEBACK40"));
    let r = send_stripe(&app, &integration, &ev, "whsec_stripe_test_secret").await;
    assert_eq!((r.status, r.json()["duplicate"].as_bool()), (StatusCode::OK, Some(true)));
    // A different event about the same subscription (checkout completed) does not count twice.
    let cs = stripe_event(
        "evt_cs_1",
        "checkout.session.completed",
        json!({"id": "cs_1", "subscription": "sub_1", "customer": "cus_1", "discounts": [{"coupon": "COMEBACK40"}]}),
    );
    let r = send_stripe(&app, &integration, &cs, "whsec_stripe_test_secret").await;
    assert!(r.json()["outcome"].as_str().unwrap().contains("already redeemed"), "{}", r.body);
    let cs2 = stripe_event(
        "evt_cs_2",
        "checkout.session.completed",
        json!({"id": "cs_2", "subscription": "sub_2", "customer": "cus_2", "discounts": [{"coupon": "comeback40"}]}),
    );
    send_stripe(&app, &integration, &cs2, "whsec_stripe_test_secret").await;

    let c = api.get("/api/v1/coupons/COMEBACK40").await.json();
    assert_eq!(c["timesRedeemed"], 2);
    let reds = api.get("/api/v1/coupons/COMEBACK40/redemptions").await.json();
    let subs: Vec<&str> = reds["data"].as_array().unwrap().iter().map(|r| r["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(subs.len(), 2);
    assert!(subs.contains(&"sub_1") && subs.contains(&"sub_2"));
    assert!(reds["data"].as_array().unwrap().iter().all(|r| r["source"] == "stripe"));
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "coupon.redeemed").await.unwrap(), 2, "one coupon.redeemed per subscription");
    // Stripe's own events are passed on under offerdeck's names, once per Stripe event id.
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "subscription.created").await.unwrap(), 1);
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "checkout.completed").await.unwrap(), 2);
    let gone = stripe_event("evt_del_1", "customer.subscription.deleted", json!({"id": "sub_1", "customer": "cus_1", "status": "canceled"}));
    assert_eq!(send_stripe(&app, &integration, &gone, "whsec_stripe_test_secret").await.json()["outcome"], "ignored");
    send_stripe(&app, &integration, &gone, "whsec_stripe_test_secret").await;
    assert_eq!(offerdeck::server::db::webhooks::message_count(pool, &scope, "subscription.cancelled").await.unwrap(), 1);
    // An old timestamp is refused (five-minute tolerance), whatever the signature.
    let old = offerdeck::server::services::stripe_events::sign("whsec_stripe_test_secret", app.state.clock.now_ms() / 1000 - 600, &ev);
    let r = app
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/webhooks/stripe/{integration}"))
                .header("stripe-signature", old)
                .body(axum::body::Body::from(ev.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}
