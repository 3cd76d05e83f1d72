//! The redirect signing secret of checkout sessions (`services::redirects`, API.md §10): created
//! and rotated through the API and the dashboard, shown once, stored encrypted, the previous one
//! verifying for a day; merchants only.
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::{Environment, Role};
use offerdeck::server::services::redirects;

db_tests!(a_rotated_secret_verifies_for_a_day, only_merchants_see_and_rotate_it_shown_once,);

const PATH: &str = "/api/v1/settings/redirect-signing-secret";

fn is_secret(s: &str) -> bool {
    s.strip_prefix("rss_").is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

// Scenario: the first call creates the secret, a second rotates it; both verify a redirect
// until the old one's day is over; the other environment has its own (none yet); the database
// holds neither in plaintext.
async fn a_rotated_secret_verifies_for_a_day(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let api = app.secret_key(&t, Environment::Preview);
    let first = api.post(PATH, "").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let old = first.json()["secret"].as_str().unwrap().to_string();
    assert!(is_secret(&old), "{old}");
    let new = api.post(PATH, "").await.json()["secret"].as_str().unwrap().to_string();
    assert!(is_secret(&new) && new != old);
    let scope = app.scope(&t.tenant_id, Environment::Preview);
    let params = [("checkout_id", "cs_1"), ("request_id", "order_7")];
    let signed_by_old = redirects::sign(&old, &params);
    let now = redirects::secrets_now(&app.state, &scope).await.unwrap();
    assert_eq!(now, [new.clone(), old.clone()], "the current secret first, then the previous one");
    assert!(redirects::verify(&now, &params, &signed_by_old));
    assert!(redirects::verify(&now, &params, &redirects::sign(&new, &params)));
    // A day later only the current one verifies.
    app.state.clock.advance(redirects::PREVIOUS_SECRET_GRACE_MS);
    let later = redirects::secrets_now(&app.state, &scope).await.unwrap();
    assert_eq!(later, std::slice::from_ref(&new));
    assert!(!redirects::verify(&later, &params, &signed_by_old));
    // The live environment has none until one is made there.
    assert!(redirects::secrets_now(&app.state, &app.scope(&t.tenant_id, Environment::Live)).await.unwrap().is_empty());
    // Stored encrypted.
    let stored: Vec<String> = sqlx::query("SELECT secret_enc || COALESCE(previous_enc, '') FROM redirect_signing_secrets")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get(r, 0))
        .collect();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&new) && !stored[0].contains(&old));
}

// Scenario: a publishable key and a marketer are refused and change nothing; the merchant's
// dashboard shows a new secret on the next page view only; an Idempotency-Key replay does not
// carry the secret again.
async fn only_merchants_see_and_rotate_it_shown_once(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let r = app.client(&t.keys.preview.publishable).post(PATH, "").await;
    assert_error(&r, 403, "forbidden");
    app.member("mark@acme.test", &t.tenant_id, Role::Marketer).await;
    let marketer = app.session("mark@acme.test", "password-123").await;
    assert_eq!(marketer.sfn("api_keys/redirect_secret", &[]).await.status, StatusCode::FORBIDDEN);
    let scope = app.scope(&t.tenant_id, Environment::Preview);
    assert!(redirects::secrets_now(&app.state, &scope).await.unwrap().is_empty(), "nothing was created");

    let owner = app.merchant(&t).await;
    let before = owner.sfn("api_keys/page", &[]).await.json();
    assert_eq!(before["redirect_secret_set"], false);
    assert_eq!(owner.sfn("api_keys/redirect_secret", &[]).await.status, StatusCode::OK);
    let shown = owner.sfn("api_keys/page", &[]).await.json();
    assert_eq!(shown["redirect_secret_set"], true);
    let secret = shown["new_redirect_secrets"][0].as_str().unwrap().to_string();
    assert!(is_secret(&secret));
    assert_eq!(redirects::secrets_now(&app.state, &scope).await.unwrap(), [secret]);
    let again = owner.sfn("api_keys/page", &[]).await.json();
    assert_eq!(again["new_redirect_secrets"].as_array().map(Vec::len), Some(0), "shown once");

    let h = [("idempotency-key", "rotate-1")];
    let first = app.api_with("POST", PATH, &t.keys.preview.secret, None, &h).await;
    assert!(is_secret(first.json()["secret"].as_str().unwrap()));
    let replay = app.api_with("POST", PATH, &t.keys.preview.secret, None, &h).await;
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));
    assert!(replay.json()["secret"].is_null(), "{}", replay.body);
}
