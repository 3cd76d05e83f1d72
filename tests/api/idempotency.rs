//! `Idempotency-Key` (`db::idempotency`): a replay answers the stored response, another body is
//! 409, records belong to their key and expire, and a stored answer never keeps a secret.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::json;
use sqlx::Row;

db_tests!(idempotency_key_replays_and_refuses_reuse, idempotency_records_belong_to_their_key_and_expire, a_replayed_create_never_stores_the_secret,);

// Scenario: the same Idempotency-Key and body replays the first answer without a second row;
// the same key with another body is 409 idempotency_key_reused.
async fn idempotency_key_replays_and_refuses_reuse(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let h = [("idempotency-key", "order-42")];
    let first = api.send("POST", "/api/v1/products", r#"{"name":"Gold"}"#, &h).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = api.send("POST", "/api/v1/products", r#"{"name":"Gold"}"#, &h).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 1);

    let other = api.send("POST", "/api/v1/products", r#"{"name":"Silver"}"#, &h).await;
    assert_error(&other, 409, "idempotency_key_reused");
    assert_eq!(app.product_count(&t.tenant_id, Environment::Preview).await, 1);

    // Keys are per environment: the live key may use the same string.
    let live = app.api_with("POST", "/api/v1/products", &t.keys.live.secret, Some(r#"{"name":"Silver"}"#), &h).await;
    assert_eq!(live.status, StatusCode::CREATED);
}

/// A second secret key of the same tenant and environment, made on Settings → API keys.
async fn second_secret_key(app: &TestApp, owner: &str, password: &str) -> String {
    let owner = app.session(owner, password).await;
    let r = owner.sfn("api_keys/create", &[("kind", "secret"), ("name", "second")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = owner.sfn("api_keys/page", &[]).await.json();
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
    // Housekeeping deletes the records older than a day and keeps the rest; it reads the
    // application's clock, so moving that clock a day on ages the rest too.
    use offerdeck::server::db::worker::housekeeping;
    let pool = &app.state.db.pool;
    let count = |sql: &'static str| async move { sqlx::Row::get::<i64, _>(&sqlx::query(sql).fetch_one(pool).await.unwrap(), 0) };
    let cutoff_sql = "SELECT COUNT(*) FROM idempotency_keys WHERE created_at < (SELECT MAX(created_at) FROM idempotency_keys) - 86400000";
    let (all, old) = (count("SELECT COUNT(*) FROM idempotency_keys").await, count(cutoff_sql).await);
    assert!(old >= 1 && all > old, "{all} records, {old} older than a day");
    assert_eq!(housekeeping::delete_expired(pool, app.state.clock.now_ms()).await.unwrap(), old as u64);
    assert_eq!(count("SELECT COUNT(*) FROM idempotency_keys").await, all - old);
    app.state.clock.advance(day);
    assert_eq!(housekeeping::delete_expired(pool, app.state.clock.now_ms()).await.unwrap(), (all - old) as u64);
    assert_eq!(count("SELECT COUNT(*) FROM idempotency_keys").await, 0);
}

// Scenario: a webhook endpoint created with an Idempotency-Key shows its secret once; the stored
// answer and its replay carry no secret.
async fn a_replayed_create_never_stores_the_secret(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let h = [("idempotency-key", "ep-1")];
    let body = json!({"url": "https://hooks.example.com/offerdeck", "events": ["coupon.redeemed"]}).to_string();
    let first = api.send("POST", "/api/v1/webhook-endpoints", &body, &h).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let secret = first.json()["secret"].as_str().expect("shown once").to_string();
    assert!(secret.starts_with("whsec_"));
    let rows = sqlx::query("SELECT response_body FROM idempotency_keys").fetch_all(&app.state.db.pool).await.unwrap();
    for r in rows {
        let stored: Option<String> = r.try_get(0).unwrap();
        assert!(!stored.unwrap_or_default().contains(&secret[6..]), "the signing secret is stored in an idempotency row");
    }
    let replay = api.send("POST", "/api/v1/webhook-endpoints", &body, &h).await;
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    let j = replay.json();
    assert_eq!((j["id"].clone(), j["secret"].clone(), j["secretOmitted"].clone()), (first.json()["id"].clone(), json!(null), json!(true)));
}
