//! Outgoing webhooks (`services::webhooks`, `webhooks_out`): signed the Standard Webhooks way,
//! retried with back-off and logged; and under attack: endpoint URLs that point at the host's
//! own network are refused when saved and again when sent to, redirects are not followed, an
//! endless answer is read only up to a bound, a tenant whose receiver hangs does not hold up
//! another tenant's deliveries, and the endpoint cap holds under parallel creates through both
//! doors.
use crate::coupons::{create as create_coupon, setup};
use crate::helpers::receiver::{Receiver, Reply};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(
    webhooks_are_signed_retried_and_logged,
    private_targets_are_refused_when_saved,
    private_targets_are_refused_when_sent,
    redirects_are_not_followed,
    answers_are_read_up_to_a_bound,
    a_hanging_tenant_does_not_hold_up_others,
    claims_are_shared_among_tenants,
    endpoints_are_capped_under_concurrency,
);

const ENDPOINTS: &str = "/api/v1/webhook-endpoints";

async fn create(app: &TestApp, key: &str, url: &str) -> crate::helpers::Resp {
    app.api("POST", ENDPOINTS, key, Some(&json!({"url": url, "events": ["coupon.redeemed"]}).to_string())).await
}

/// Queues `n` `coupon.redeemed` messages for the tenant's preview endpoints, as a redemption
/// would, and wakes `app`'s dispatcher.
async fn emit(app: &TestApp, tenant_id: &str, n: usize) {
    emit_at(app, tenant_id, n, None).await;
}

/// `at`: when the messages are queued (and due); `None` is now.
async fn emit_at(app: &TestApp, tenant_id: &str, n: usize, at: Option<i64>) {
    let scope = app.scope(tenant_id, Environment::Preview);
    let mut tx = app.state.db.begin_write().await.unwrap();
    for i in 0..n {
        let now = at.map(|t| t + i as i64).unwrap_or_else(|| app.state.clock.now_ms());
        offerdeck::server::services::webhooks::emit(&mut tx, &scope, "coupon.redeemed", json!({"code": "HOOK", "n": i}), now).await.unwrap();
    }
    tx.commit().await.unwrap();
    app.state.webhooks.kick();
}

/// Polls the delivery log until `done` accepts it (a request, not a sleep, per round).
async fn log_until(app: &TestApp, key: &str, endpoint_id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let path = format!("{ENDPOINTS}/{endpoint_id}/deliveries");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let d = app.api("GET", &path, key, None).await.json();
        if done(&d) {
            return d;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}: {d}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn first_attempt(d: &Value) -> &Value {
    &d["data"][0]["attemptLog"][0]
}

async fn until<F, Fut>(what: &str, mut f: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

// Scenario: the merchant's endpoint fails once, is retried after the back-off, then accepts;
// the signature verifies with the Standard Webhooks library; the log shows both attempts; a
// manual resend delivers the same message again.
async fn webhooks_are_signed_retried_and_logged(app: TestApp) {
    let (app, _stub, sk, _, _extra) = setup(app).await;
    let api = app.client(&sk);
    let mut rx = Receiver::start().await;
    let r = api.post("/api/v1/webhook-endpoints", json!({"url": rx.url, "events": ["coupon.redeemed"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ep = r.json();
    let secret = ep["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let ep_id = ep["id"].as_str().unwrap().to_string();
    assert!(api.get(&format!("/api/v1/webhook-endpoints/{ep_id}")).await.json().get("secret").is_none(), "shown once");
    let bad = api.post("/api/v1/webhook-endpoints", r#"{"url":"ftp://x","events":["nope"]}"#).await.json();
    assert!(bad["fields"]["url"].is_string() && bad["fields"]["events"].is_string(), "{bad}");

    rx.script(&[500]);
    assert_eq!(create_coupon(&app, &sk, json!({"code": "HOOKED", "type": "percentage", "amount": 10, "campaign": "spring"})).await.status, StatusCode::CREATED);
    let red = api.post("/api/v1/coupons/HOOKED/redemptions", r#"{"subscriptionId":"sub_h","customerId":"cus_h"}"#).await.json();
    let first = rx.next(10, "first attempt").await;
    let wh = standardwebhooks::Webhook::new(&secret).unwrap();
    wh.verify(first.body.as_bytes(), &first.headers).expect("the standard verifier accepts our signature");
    let msg = first.json();
    assert_eq!((msg["type"].as_str(), msg["mode"].as_str()), (Some("coupon.redeemed"), Some("preview")));
    assert_eq!(msg["id"].as_str().unwrap(), first.header("webhook-id"));
    assert_eq!(msg["data"]["code"], "HOOKED");
    assert_eq!(msg["data"]["processorSubscriptionId"], "sub_h");
    assert_eq!(msg["data"]["redemptionId"], red["id"]);
    // A tampered body does not verify.
    assert!(wh.verify(first.body.replace("HOOKED", "HACKED").as_bytes(), &first.headers).is_err());

    let log_path = format!("/api/v1/webhook-endpoints/{ep_id}/deliveries");
    let d = until("the failed attempt in the log", || async {
        let d = api.get(&log_path).await.json();
        (d["data"][0]["attempts"] == 1 && d["data"][0]["lastStatusCode"] == 500).then_some(d)
    })
    .await;
    assert_eq!(d["data"][0]["status"], "pending");
    assert!(d["data"][0]["nextAttemptAt"].is_string());
    // Nothing is retried before the back-off has passed…
    app.state.webhooks.kick();
    // …and the retry comes once the clock has moved past it.
    app.state.clock.advance(60_000);
    app.state.webhooks.kick();
    let second = rx.next(10, "the retry").await;
    assert_eq!(second.header("webhook-id"), first.header("webhook-id"), "same message id on retry");
    assert_ne!(second.header("webhook-timestamp"), "");
    wh.verify(second.body.as_bytes(), &second.headers).unwrap();
    let d = until("the delivered state", || async {
        let d = api.get(&log_path).await.json();
        (d["data"][0]["status"] == "delivered").then_some(d)
    })
    .await;
    let log = d["data"][0]["attemptLog"].as_array().unwrap();
    assert_eq!(log.iter().map(|a| a["statusCode"].as_i64().unwrap()).collect::<Vec<_>>(), vec![500, 200]);
    // Manual resend.
    let delivery_id = d["data"][0]["id"].as_str().unwrap().to_string();
    let r = api.post(&format!("/api/v1/webhook-deliveries/{delivery_id}/resend"), ()).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("pending")));
    let third = rx.next(10, "the resend").await;
    assert_eq!(third.header("webhook-id"), first.header("webhook-id"));
    until("the resend logged", || async {
        let d = api.get(&log_path).await.json();
        (d["data"][0]["status"] == "delivered" && d["data"][0]["attemptLog"].as_array().unwrap().len() == 3).then_some(d)
    })
    .await;
    // A receiver that keeps failing is given up after 24 hours.
    rx.script(&[503; 40]);
    api.post("/api/v1/coupons/HOOKED/redemptions", r#"{"subscriptionId":"sub_h2"}"#).await;
    rx.next(10, "first attempt of the second message").await;
    let mut attempts = 1usize;
    loop {
        let d = until("the attempt recorded", || async {
            let d = api.get(&log_path).await.json();
            let row = &d["data"][0];
            let log = row["attemptLog"].as_array().unwrap();
            // The row and the log are read one after the other: wait until the row shows the
            // outcome of the latest attempt (given up, or a next time after it).
            let ms = |v: &Value| v.as_str().and_then(offerdeck::server::db::rfc3339_to_ms).unwrap_or(0);
            let settled = row["status"] == "failed" || ms(&row["nextAttemptAt"]) > log.last().map(|a| ms(&a["attemptedAt"])).unwrap_or(0);
            (log.len() == attempts && row["lastStatusCode"] == 503 && settled).then_some(d)
        })
        .await;
        if d["data"][0]["status"] == "failed" {
            break;
        }
        assert!(attempts < 30, "never gave up");
        app.state.clock.advance(5 * 3_600_000);
        app.state.webhooks.kick();
        rx.next(10, "another retry").await;
        attempts += 1;
    }
    assert!(attempts >= 6, "retried for a day ({attempts} attempts)");
    assert!(attempts <= 12, "with back-off ({attempts} attempts)");
    // Another environment's key sees no endpoint.
    let other = app.tenant("Other", "o@x.test").await;
    assert_eq!(app.api("GET", &log_path, &other.keys.preview.secret, None).await.status, StatusCode::NOT_FOUND);
}

// Scenario: with private targets closed (the default), every spelling of the host's own
// network is refused by the API; a public address is accepted; changing the URL is checked,
// disabling is not. With them open, loopback is accepted and link-local still is not.
async fn private_targets_are_refused_when_saved(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    app.state.webhooks.stop();
    let node = app.reconfigured(|c| c.webhooks.allow_private = false);
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://2130706433/hook",
        "http://0x7f.1/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:9000/hook",
        "http://hooks.localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://172.16.5.4/hook",
        "http://192.168.1.20/hook",
        "http://100.64.1.1/hook",
        "http://[fd00::5]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0:9000/hook",
        "http://[::]/hook",
        "http://224.0.0.1/hook",
        "http://255.255.255.255/hook",
        "http://192.0.2.1/hook",
    ] {
        let r = create(&node, &sk, url).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url} was accepted: {}", r.body);
        let problem = r.json()["fields"]["url"].as_str().unwrap_or_default().to_string();
        assert!(problem.contains("must not reach a private or internal network"), "{url}: {problem}");
    }
    let r = create(&node, &sk, "http://127.0.0.1:9000/hook").await.json();
    assert!(r["fields"]["url"].as_str().unwrap().contains("set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true to allow it"), "{r}");
    let r = create(&node, &sk, "http://user:pw@93.184.215.14/hook").await;
    assert_eq!(r.json()["fields"]["url"], "must not contain a user name or password");

    let r = create(&node, &sk, "https://93.184.215.14/hook").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.id();
    let path = format!("{ENDPOINTS}/{id}");
    let r = node.api("PATCH", &path, &sk, Some(r#"{"url":"http://[::ffff:7f00:1]:9000/x"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(node.api("GET", &path, &sk, None).await.json()["url"], "https://93.184.215.14/hook", "unchanged");

    // Opened by the operator: loopback and private networks, nothing more.
    let r = create(&app, &sk, "http://127.0.0.1:9000/hook").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let loopback = r.id();
    for url in ["http://169.254.169.254/", "http://[::ffff:169.254.169.254]/", "http://0.0.0.0:9000/"] {
        assert_eq!(create(&app, &sk, url).await.status, StatusCode::BAD_REQUEST, "{url}");
    }
    // Closed again: the old endpoint can still be disabled.
    let r = node.api("PATCH", &format!("{ENDPOINTS}/{loopback}"), &sk, Some(r#"{"status":"disabled","description":"old"}"#)).await;
    assert_eq!((r.status, r.json()["status"].as_str()), (StatusCode::OK, Some("disabled")), "{}", r.body);
}

// Scenario: endpoints saved while private targets were open (one by address, one by a name that
// resolves to loopback) are sent nothing by a node where they are closed; each attempt is in
// the log with the reason, and is retried later like any failure.
async fn private_targets_are_refused_when_sent(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let mut rx = Receiver::start().await;
    let by_address = create(&app, &sk, &rx.url).await.id();
    let by_name_url = rx.url.replace("127.0.0.1", "localhost");
    let r = create(&app, &sk, &by_name_url).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let by_name = r.id();
    app.state.webhooks.stop();
    let node = app.reconfigured(|c| c.webhooks.allow_private = false);
    emit(&node, &t.tenant_id, 1).await;

    let d = log_until(&node, &sk, &by_address, "the refused attempt by address", |d| first_attempt(d)["error"].is_string()).await;
    assert_eq!(first_attempt(&d)["error"], "the address 127.0.0.1 is private (loopback); set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true to allow it");
    assert!(first_attempt(&d)["statusCode"].is_null());
    let d = log_until(&node, &sk, &by_name, "the refused attempt by name", |d| first_attempt(d)["error"].is_string()).await;
    let error = first_attempt(&d)["error"].as_str().unwrap();
    assert!(error.contains("(of localhost) is private (loopback); set OFFERDECK_WEBHOOK_ALLOW_PRIVATE=true to allow it"), "{error}");
    assert_eq!(d["data"][0]["status"], "pending", "retried like any failure: {d}");
    assert!(rx.nothing_more(), "the receiver on loopback got a request");
}

// Scenario: the endpoint answers with a redirect to another local receiver; the redirect is
// recorded as the answer and not followed.
async fn redirects_are_not_followed(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let mut first = Receiver::start().await;
    let mut elsewhere = Receiver::start().await;
    first.reply(&[Reply::Redirect(elsewhere.url.clone())]);
    let id = create(&app, &sk, &first.url).await.id();
    emit(&app, &t.tenant_id, 1).await;
    first.next(10, "the delivery").await;
    let d = log_until(&app, &sk, &id, "the redirect in the log", |d| {
        // The row and its attempts are read one after the other: wait for both.
        first_attempt(d)["statusCode"] == 307 && d["data"][0]["lastStatusCode"] == 307
    })
    .await;
    assert_eq!(d["data"][0]["lastError"], "the endpoint answered HTTP 307");
    assert!(elsewhere.nothing_more(), "the redirect was followed");
}

// Scenario: the endpoint answers 200 with a body that never ends; the dispatcher reads the
// first 4 KiB, hangs up and records the delivery at once (not at the time limit).
async fn answers_are_read_up_to_a_bound(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let (url, mut heads) = crate::helpers::receiver::endless().await;
    let id = create(&app, &sk, &url).await.id();
    emit(&app, &t.tenant_id, 1).await;
    tokio::time::timeout(std::time::Duration::from_secs(10), heads.recv()).await.expect("the delivery arrives");
    let d = log_until(&app, &sk, &id, "the delivered state", |d| d["data"][0]["status"] == "delivered").await;
    let attempt = first_attempt(&d);
    assert_eq!(attempt["statusCode"], 200);
    let excerpt = attempt["responseExcerpt"].as_str().unwrap_or_default();
    assert_eq!(excerpt.len(), offerdeck::server::webhooks_out::RESPONSE_EXCERPT_BYTES, "{attempt}");
    assert!(attempt["durationMs"].as_i64().unwrap() < 4_000, "stopped reading at the bound, not at the time limit: {attempt}");
}

// Scenario: tenant A has 100 deliveries queued to a receiver that never answers; tenant B's one
// delivery, queued after them, arrives at once, and A never has more than its share open.
async fn a_hanging_tenant_does_not_hold_up_others(app: TestApp) {
    let a = app.tenant("Hangs", "a@a.test").await;
    let b = app.tenant("Prompt", "b@b.test").await;
    let mut rx_a = Receiver::start().await;
    let mut rx_b = Receiver::start().await;
    rx_a.script(&[0; 200]);
    assert_eq!(create(&app, &a.keys.preview.secret, &rx_a.url).await.status, StatusCode::CREATED);
    assert_eq!(create(&app, &b.keys.preview.secret, &rx_b.url).await.status, StatusCode::CREATED);
    emit(&app, &a.tenant_id, 100).await;
    rx_a.next(10, "tenant A's first delivery").await;
    emit(&app, &b.tenant_id, 1).await;
    let got = rx_b.next(15, "tenant B's delivery while tenant A's receiver hangs").await;
    assert_eq!(got.json()["data"]["code"], "HOOK");
    let mut open_a = 1;
    while !rx_a.nothing_more() {
        open_a += 1;
    }
    let share = app.state.config.webhooks.tenant_in_flight;
    assert!(open_a <= share, "tenant A has {open_a} requests open, more than its share of {share}");
}

// Scenario: 30 parallel creates against a cap of 5 make exactly 5 endpoints; the rest are
// conflicts with a clear message, on the API and on the dashboard; the other environment has its
// own count; deleting one makes room. Event lists and URLs are bounded.
async fn endpoints_are_capped_under_concurrency(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let node = std::sync::Arc::new(app.reconfigured(|c| c.webhooks.max_endpoints = 5));
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let (node, sk) = (node.clone(), sk.clone());
            tokio::spawn(async move { create(&node, &sk, &format!("http://127.0.0.1:9/hook/{i}")).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let created = answers.iter().filter(|r| r.status == StatusCode::CREATED).count();
    assert_eq!(created, 5, "{:?}", answers.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_error(r, 409, "conflict");
        assert!(r.json()["message"].as_str().unwrap().contains("already has 5 webhook endpoints"), "{}", r.body);
    }
    let list = node.api("GET", ENDPOINTS, &sk, None).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 5);

    // The dashboard goes through the same rule.
    let cookie = node.login("owner@acme.test", t.owner_password.as_deref().unwrap()).await;
    let r = node.sfn("webhooks/create", &[("url", "http://127.0.0.1:9/dash"), ("events[0]", "coupon.redeemed")], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("already has 5 webhook endpoints"), "{}", r.body);

    // Live mode has its own five.
    assert_eq!(create(&node, &t.keys.live.secret, "https://93.184.215.14/hook").await.status, StatusCode::CREATED);
    // A deleted endpoint makes room.
    let id = list["data"][0]["id"].as_str().unwrap();
    assert_eq!(node.api("DELETE", &format!("{ENDPOINTS}/{id}"), &sk, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(create(&node, &sk, "http://127.0.0.1:9/again").await.status, StatusCode::CREATED);
    assert_eq!(create(&node, &sk, "http://127.0.0.1:9/over").await.status, StatusCode::CONFLICT);

    // Bounded inputs: the event list and the URL.
    let many: Vec<&str> = std::iter::repeat_n("coupon.redeemed", 33).collect();
    let r = app.api("POST", ENDPOINTS, &sk, Some(&json!({"url": "http://127.0.0.1:9/x", "events": many}).to_string())).await;
    assert_eq!(r.json()["fields"]["events"], "must list at most 32 event types", "{}", r.body);
    let r = app.api("POST", ENDPOINTS, &sk, Some(&json!({"url": "http://127.0.0.1:9/x", "events": ["x".repeat(10_000)]}).to_string())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.len() < 1_000, "the long entry is not echoed back: {} bytes", r.body.len());
    let r = create(&app, &sk, &format!("http://127.0.0.1:9/{}", "a".repeat(2_001))).await;
    assert!(r.json()["fields"]["url"].is_string(), "{}", r.body);
}

// Scenario: the claim itself, step by step (deliveries queued ten days ahead, so the running
// dispatcher leaves them alone): tenant A's 50 deliveries are older than tenant B's one, yet a
// claim of two takes one of each; A gets at most two per claim and none past four leased; once
// A's leases run out it gets its share again.
async fn claims_are_shared_among_tenants(app: TestApp) {
    use offerdeck::server::db::worker::webhooks::{Shares, claim_due};
    let a = app.tenant("Many", "a@a.test").await;
    let b = app.tenant("One", "b@b.test").await;
    assert_eq!(create(&app, &a.keys.preview.secret, "http://127.0.0.1:9/a").await.status, StatusCode::CREATED);
    assert_eq!(create(&app, &b.keys.preview.secret, "http://127.0.0.1:9/b").await.status, StatusCode::CREATED);
    let later = app.state.clock.now_ms() + 10 * 86_400_000;
    emit_at(&app, &a.tenant_id, 50, Some(later)).await;
    emit_at(&app, &b.tenant_id, 1, Some(later + 1_000)).await;
    let (pool, shares) = (&app.state.db.pool, Shares { per_round: 2, in_flight: 4 });
    let (now, lease) = (later + 2_000, later + 62_000);
    let (ta, tb) = (a.tenant_id.as_str(), b.tenant_id.as_str());
    let claim = |now: i64, lease: i64, limit: i64| async move {
        let batch = claim_due(pool, now, lease, limit, shares).await.unwrap();
        let of = |t: &str| batch.iter().filter(|c| c.tenant_id == t).count();
        (of(ta), of(tb))
    };
    assert_eq!(claim(now, lease, 2).await, (1, 1), "turns, not age, order the claim");
    assert_eq!(claim(now, lease, 16).await, (2, 0), "two per tenant per claim");
    assert_eq!(claim(now, lease, 16).await, (1, 0), "up to four leased");
    assert_eq!(claim(now, lease, 16).await, (0, 0), "A is at its share");
    assert_eq!(claim(lease + 1, lease + 60_000, 16).await, (2, 1), "leases that ran out free the share");
}
