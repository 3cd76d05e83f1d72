//! Sign-in, sessions and their ends, throttling of guesses, and the dashboard's same-origin
//! rule for form posts (`services::auth`).
use crate::helpers::TestApp;
use axum::http::StatusCode;
use offerdeck::server::services::auth::{BAD_CREDENTIALS, THROTTLED};
use serde_json::json;
use sqlx::Row;

const PW: &str = "password-123";

db_tests!(
    login_success_failure_and_session_info,
    login_is_throttled_with_the_same_message_for_unknown_emails,
    session_id_is_renewed_at_login,
    no_js_login_redirects_and_errors_come_back_in_the_url,
    cross_origin_form_posts_are_refused,
    concurrent_guesses_cannot_pass_the_throttle,
    one_address_cannot_lock_the_owner_out,
    a_password_reset_ends_other_sessions_and_sessions_have_a_lifetime,
);

// Scenario: right password signs in and the session knows the user; wrong password does not.
async fn login_success_failure_and_session_info(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let pw = t.owner_password.clone().unwrap();
    let bad = app.sfn("login", &[("email", "owner@acme.test"), ("password", "nope-nope-nope")], None).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(BAD_CREDENTIALS), "{}", bad.body);
    assert!(bad.session_cookie().is_none(), "a failed login must not create a session");

    let owner = app.session("OWNER@acme.test ", &pw).await;
    let info = owner.sfn("session", &[]).await.json();
    assert_eq!(info["email"], "owner@acme.test");
    assert_eq!(info["current_tenant"]["id"], t.tenant_id.as_str());
    assert_eq!(info["current_tenant"]["role"], "merchant");
    assert_eq!(info["environment"], "preview");

    let out = owner.sfn("logout", &[]).await;
    assert_eq!(out.status, StatusCode::OK);
    let after = owner.sfn("session", &[]).await;
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
        req.extensions_mut().insert(crate::helpers::NoHost);
        req
    };
    for (host, origin) in [(Some("dash.example"), Some("null")), (None, Some("https://dash.example")), (None, None), (Some("bad host"), None)] {
        let r = app.send(post(host, origin)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "host {host:?}, origin {origin:?}");
        assert!(r.session_cookie().is_none());
    }
}

// Scenario: 20 wrong guesses for one account at once: only the allowed 5 reach the password
// check, the rest are refused with 429, and then the right password is refused as well.
async fn concurrent_guesses_cannot_pass_the_throttle(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let app = std::sync::Arc::new(app);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let app = app.clone();
        set.spawn(async move { app.sfn("login", &[("email", "admin@op.test"), ("password", "wrong-password")], None).await });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        match r.status {
            StatusCode::UNAUTHORIZED => {
                assert!(r.body.contains(BAD_CREDENTIALS));
                checked += 1
            }
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            s => panic!("unexpected {s}: {}", r.body),
        }
    }
    assert_eq!((checked, throttled), (5, 15));
    let r = app.sfn("login", &[("email", "admin@op.test"), ("password", PW)], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains(THROTTLED));
    assert!(r.header("retry-after").is_some());
}

// Scenario: behind a proxy, one address guesses the owner's password until it is throttled;
// the owner, from another address, still signs in. One address cannot try more than its
// allowance across many emails either.
async fn one_address_cannot_lock_the_owner_out(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let node = app.reconfigured(|c| c.client_ip.header = Some("x-forwarded-for".into()));
    let login = |email: String, password: &'static str, ip: &'static str| {
        let node = &node;
        async move {
            let body = serde_urlencoded::to_string([("email", email.as_str()), ("password", password)]).unwrap();
            let req = axum::http::Request::post("/sfn/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("x-forwarded-for", ip)
                .body(axum::body::Body::from(body))
                .unwrap();
            node.send(req).await
        }
    };
    for _ in 0..6 {
        login("admin@op.test".into(), "wrong-password", "203.0.113.9").await;
    }
    assert_eq!(login("admin@op.test".into(), PW, "203.0.113.9").await.status, StatusCode::TOO_MANY_REQUESTS);
    let owner = login("admin@op.test".into(), PW, "198.51.100.20").await;
    assert_eq!(owner.status, StatusCode::OK, "the owner's own address keeps its allowance: {}", owner.body);
    // Spraying many emails from one address: stopped at the per-address allowance.
    let mut statuses = Vec::new();
    for i in 0..60 {
        statuses.push(login(format!("user{i}@op.test"), "wrong-password", "192.0.2.77").await.status);
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(refused, 60 - offerdeck::server::services::auth::MAX_ATTEMPTS_PER_ADDRESS as usize);
}

/// Rewrites one value inside a stored session (as if it had been written at another time).
async fn rewrite_session(app: &TestApp, key: &str, value: serde_json::Value) {
    let rows = sqlx::query("SELECT id, data FROM sessions").fetch_all(&app.state.db.pool).await.unwrap();
    for r in rows {
        let id: String = r.get(0);
        let mut data: serde_json::Value = serde_json::from_str(&r.get::<String, _>(1)).unwrap();
        if data.get(key).is_some() {
            data[key] = value.clone();
            sqlx::query("UPDATE sessions SET data = $1 WHERE id = $2").bind(data.to_string()).bind(id).execute(&app.state.db.pool).await.unwrap();
        }
    }
}

// Scenario: a user has two sessions; an admin resets the password: both end. An admin resetting
// their own password keeps the session that did it. A session older than its absolute lifetime
// ends however active it was.
async fn a_password_reset_ends_other_sessions_and_sessions_have_a_lifetime(app: TestApp) {
    app.admin("admin@op.test", PW).await;
    let t = app.tenant("Acme", "owner@acme.test").await;
    let owner_pw = t.owner_password.clone().unwrap();
    let s1 = app.login("owner@acme.test", &owner_pw).await;
    let s2 = app.login("owner@acme.test", &owner_pw).await;
    let admin = app.login("admin@op.test", PW).await;
    let admin2 = app.login("admin@op.test", PW).await;
    let uid = app.sfn("session", &[], Some(&s1)).await.json()["user_id"].as_str().unwrap().to_string();
    assert_eq!(app.sfn("admin/users/password", &[("user_id", &uid), ("password", "a-new-password")], Some(&admin)).await.status, StatusCode::OK);
    for s in [&s1, &s2] {
        assert_eq!(app.sfn("session", &[], Some(s)).await.body, "null", "a session signed in with the old password ends");
    }
    let admin_id = app.sfn("session", &[], Some(&admin)).await.json()["user_id"].as_str().unwrap().to_string();
    let r = app.sfn("admin/users/password", &[("user_id", &admin_id), ("password", "admin-new-password")], Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK);
    // The session that reset its own password goes on (under a renewed id); the other one ends.
    let renewed = r.session_cookie().unwrap_or(admin.clone());
    assert_ne!(app.sfn("session", &[], Some(&renewed)).await.body, "null");
    assert_eq!(app.sfn("session", &[], Some(&admin2)).await.body, "null");
    // Absolute lifetime: a session signed in more than OFFERDECK_SESSION_MAX_HOURS ago ends.
    let fresh = app.login("owner@acme.test", "a-new-password").await;
    assert_ne!(app.sfn("session", &[], Some(&fresh)).await.body, "null");
    let long_ago = offerdeck::server::db::now_ms() - (app.state.config.session_max_hours * 3600 * 1000 + 1000);
    rewrite_session(&app, "signed_in", json!(long_ago)).await;
    assert_eq!(app.sfn("session", &[], Some(&fresh)).await.body, "null");
}
