//! The real binary, as an operator runs it: `migrate`, `admin create`, `tenant create`, `serve`
//! with JSON logs, a real HTTP client, and a clean stop on SIGTERM. On SQLite, and on PostgreSQL
//! when `TEST_POSTGRES_URL` is set (`process::sqlite::<name>`, `process::postgres::<name>`, like
//! `db_tests!`). Cargo builds the binary for any integration test and names it in
//! `CARGO_BIN_EXE_offerdeck`, so these live in the one test binary too.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_offerdeck");

/// Each scenario once per database, named like `db_tests!`'s.
macro_rules! process_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name("sqlite").await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name("postgres").await
                }
            )*
        }
    };
}

process_tests!(operator_flow, nodes_share_configuration, coupons_across_processes, a_batch_survives_a_killed_node);

mod versions;

struct Env {
    vars: Vec<(String, String)>,
    dir: std::path::PathBuf,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn env(database: &str) -> Option<Env> {
    let dir = std::env::temp_dir().join(format!("offerdeck-proc-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match database {
        "sqlite" => format!("sqlite://{}/od.db", dir.display()),
        _ => {
            let base = crate::helpers::postgres_url()?;
            let schema =
                format!("odt_{}_{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), uuid::Uuid::new_v4().simple());
            let db = offerdeck::server::db::Db::connect(&base, None).await.unwrap();
            sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(&db.pool).await.unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}options=-c%20search_path%3D{schema}")
        }
    };
    Some(Env {
        vars: vec![
            ("DATABASE_URL".into(), url),
            ("OFFERDECK_SECRET_KEY".into(), "12".repeat(32)),
            ("OFFERDECK_LISTEN".into(), format!("127.0.0.1:{}", free_port())),
            ("OFFERDECK_LOG_FORMAT".into(), "json".into()),
            ("RUST_LOG".into(), "info".into()),
            ("LEPTOS_SITE_ROOT".into(), dir.join("site").display().to_string()),
        ],
        dir,
    })
}

impl Env {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args).current_dir(&self.dir).envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }
    fn listen(&self) -> String {
        self.vars.iter().find(|(k, _)| k == "OFFERDECK_LISTEN").unwrap().1.clone()
    }
    fn run(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        let mut child = self.cmd(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
    }
}

/// Kills the server if the test fails before it stops it.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn operator_flow(database: &str) {
    let Some(env) = env(database).await else { return };
    let (ok, out, err) = env.run(&["migrate"], None);
    assert!(ok, "migrate failed: {err}");
    assert!(out.contains("migrations applied"));

    let (ok, out, err) = env.run(&["admin", "create", "--email", "Root@Example.com"], Some("a-long-admin-password\n"));
    assert!(ok, "admin create failed: {err}");
    let admin: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(admin["email"], "root@example.com");
    let (ok, _, err) = env.run(&["admin", "create", "--email", "root@example.com"], Some("a-long-admin-password\n"));
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = env.run(&["admin", "create", "--email", "weak@example.com"], Some("short\n"));
    assert!(!ok && err.contains("at least 10"), "{err}");

    let (ok, out, err) = env.run(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test"], None);
    assert!(ok, "tenant create failed: {err}");
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(t["tenantId"].as_str().unwrap().starts_with("ten_"));
    let sk = t["keys"]["preview"]["secret"].as_str().unwrap().to_string();
    let pk_live = t["keys"]["live"]["publishable"].as_str().unwrap().to_string();
    assert!(sk.starts_with("sk_test_") && pk_live.starts_with("pk_live_"));
    assert!(t["keys"]["live"]["secret"].as_str().unwrap().starts_with("sk_live_"));
    assert!(t["ownerPassword"].as_str().unwrap().len() >= 16);

    // serve, reading the JSON log lines as they come
    let child = env.cmd(&["serve"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut child = KillOnDrop(Some(child));
    let (tx, rx) = mpsc::channel::<String>();
    let stdout = child.0.as_mut().unwrap().stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("server printed nothing");
        let listening = line.contains("listening on");
        lines.push(line);
        if listening {
            break;
        }
    }
    assert!(lines.iter().all(|l| !l.contains(&env.vars[1].1)), "the secret key must never be logged");

    let base = format!("http://{}", env.listen());
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().text().await.unwrap(), "ready");
    let created = http.post(format!("{base}/api/v1/products")).bearer_auth(&sk).json(&serde_json::json!({"name": "Over the wire"})).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let product: serde_json::Value = created.json().await.unwrap();
    let id = product["id"].as_str().unwrap().to_string();
    let got = http.get(format!("{base}/api/v1/products/{id}")).bearer_auth(&sk).send().await.unwrap();
    let trace_id = got.headers()["x-trace-id"].to_str().unwrap().to_string();
    assert_eq!(got.status(), 200);
    let denied = http.get(format!("{base}/api/v1/products")).bearer_auth(&pk_live).send().await.unwrap();
    assert_eq!(denied.status(), 403);

    // The request's log line: JSON, with matched path, status, latency, trace id and tenant.
    let line = loop {
        let l = rx.recv_timeout(Duration::from_secs(10)).expect("no log line for the request");
        if l.contains(&trace_id) && l.contains("request finished") {
            break l;
        }
    };
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["span"]["path"], "/api/v1/products/{id}", "{line}");
    assert_eq!(v["span"]["method"], "GET");
    assert_eq!(v["span"]["tenant"], t["tenantId"], "{line}");
    assert_eq!(v["fields"]["status"], 200);
    assert!(v["fields"]["latency_ms"].is_number());
    assert!(!line.contains(&sk[8..]), "API keys are never logged");

    // SIGTERM: in-flight work finishes and the process exits cleanly.
    let mut child = child.0.take().unwrap();
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait());
    });
    let status = done_rx.recv_timeout(Duration::from_secs(15)).expect("server did not stop on SIGTERM").unwrap();
    assert!(status.success(), "exit status {status:?}");
    let rest: Vec<String> = rx.try_iter().collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

/// A running `offerdeck serve` whose log lines arrive on a channel.
struct Node {
    child: KillOnDrop,
    base: String,
}

fn start_node(env: &Env, listen: &str) -> Node {
    let child = env.cmd(&["serve"]).env("OFFERDECK_LISTEN", listen).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut child = KillOnDrop(Some(child));
    let stderr = child.0.as_mut().unwrap().stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("server printed nothing");
        if line.contains("listening on") {
            break;
        }
    }
    Node { child, base: format!("http://{listen}") }
}

impl Node {
    /// SIGKILL: no clean-up of any kind, as when the machine loses power.
    fn kill9(mut self) {
        let mut child = self.child.0.take().unwrap();
        child.kill().unwrap();
        let _ = child.wait();
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let mut child = self.child.0.take().unwrap();
        assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
        let status = child.wait().unwrap();
        assert!(status.success(), "exit status {status:?}");
    }
}

async fn post_json(http: &reqwest::Client, url: String, key: &str, body: serde_json::Value) -> serde_json::Value {
    let r = http.post(&url).bearer_auth(key).json(&body).send().await.unwrap();
    let status = r.status();
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

// Scenario: two server processes on one database. A configuration change made through node A
// is seen by node B's next decisions (B holds its configuration in memory; PostgreSQL NOTIFY
// tells it to drop it). Decisions answered by B right before SIGTERM are all in the database.
// On SQLite, one process plays both parts.
async fn nodes_share_configuration(database: &str) {
    use serde_json::json;
    let Some(env) = env(database).await else { return };
    assert!(env.run(&["migrate"], None).0);
    let (ok, out, err) = env.run(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test"], None);
    assert!(ok, "{err}");
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sk = t["keys"]["preview"]["secret"].as_str().unwrap().to_string();
    let a = start_node(&env, &env.listen());
    let b = if database == "postgres" { Some(start_node(&env, &format!("127.0.0.1:{}", free_port()))) } else { None };
    let b_base = b.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| a.base.clone());
    let http = reqwest::Client::new();
    let api = |base: &str, path: &str| format!("{base}/api/v1{path}");

    let method = post_json(
        &http,
        api(&a.base, "/redemption-methods"),
        &sk,
        json!({"name": "Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
    )
    .await;
    let product = post_json(&http, api(&a.base, "/products"), &sk, json!({"name": "Premium"})).await;
    let price = post_json(
        &http,
        api(&a.base, "/prices"),
        &sk,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_1"}),
    )
    .await;
    let offer = post_json(
        &http,
        api(&a.base, "/offers"),
        &sk,
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}}),
    )
    .await;
    let x = post_json(
        &http,
        api(&a.base, "/experiences"),
        &sk,
        json!({"name": "Banner", "type": "html", "html": "<b>{{offer.title}}</b>", "offers": {"primary": [offer["id"]]}}),
    )
    .await;
    post_json(
        &http,
        api(&a.base, "/surfaces"),
        &sk,
        json!({"name": "Pricing", "slug": "pricing", "slots": [{"key": "main", "facet": "web", "experienceId": x["id"]}]}),
    )
    .await;

    let decide = |who: String| json!({"surfaceSlug": "pricing", "identity": {"userIdentifier": who}});
    let d = post_json(&http, api(&b_base, "/surface-decisions"), &sk, decide("first@example.com".into())).await;
    assert_eq!(d["offer"]["id"], offer["id"], "{d}");
    assert_eq!(d["slots"][0]["experience"]["content"], "<b>Premium</b>");

    // The merchant renames the offer on node A; node B's decisions follow within moments.
    let r = http
        .patch(api(&a.base, &format!("/offers/{}", offer["id"].as_str().unwrap())))
        .bearer_auth(&sk)
        .json(&json!({"presentation": {"title": "Premium+"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let started = std::time::Instant::now();
    let seen = loop {
        let d = post_json(&http, api(&b_base, "/surface-decisions"), &sk, decide("second@example.com".into())).await;
        if d["slots"][0]["experience"]["content"] == "<b>Premium+</b>" {
            break true;
        }
        if started.elapsed() > Duration::from_secs(5) {
            break false;
        }
        tokio::task::yield_now().await;
    };
    assert!(seen, "node B did not see node A's change within 5 s");
    eprintln!("{database}: change seen by the other node after {:?}", started.elapsed());

    // Decisions answered just before SIGTERM are written before the process exits.
    let mut answered = Vec::new();
    let batch = (0..60).map(|i| {
        let (http, url, sk, body) = (http.clone(), api(&b_base, "/surface-decisions"), sk.clone(), decide(format!("flush{i}@example.com")));
        tokio::spawn(async move { post_json(&http, url, &sk, body).await })
    });
    for h in batch.collect::<Vec<_>>() {
        answered.push(h.await.unwrap()["eventId"].as_str().unwrap().to_string());
    }
    match b {
        Some(b) => b.stop(),
        None => a.stop(),
    }
    let db = offerdeck::server::db::Db::connect(&env.vars[0].1, None).await.unwrap();
    let rows: Vec<String> = {
        use sqlx::Row;
        sqlx::query("SELECT id FROM events WHERE event_type = 'surface.decision' AND identity LIKE 'flush%'")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect()
    };
    assert_eq!(rows.len(), 60, "every answered decision is recorded");
    assert!(answered.iter().all(|id| rows.contains(id)));
}

// Scenario: a coupon with 10 uses is redeemed 100 times at once through two server processes on
// one database; exactly 10 succeed. Then a webhook delivery is in flight when its process is
// killed with SIGKILL; after a restart the event still arrives, with the same webhook-id.
async fn coupons_across_processes(database: &str) {
    use crate::helpers::receiver::Receiver;
    use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
    use serde_json::json;
    let Some(mut env) = env(database).await else { return };
    let stub = StripeStub::start().await;
    env.vars.push(("STRIPE_API_BASE".into(), stub.base.clone()));
    env.vars.push(("OFFERDECK_WEBHOOK_TIMEOUT_SECONDS".into(), "5".into()));
    env.vars.push(("OFFERDECK_WEBHOOK_LEASE_SECONDS".into(), "6".into()));
    env.vars.push(("OFFERDECK_WEBHOOK_POLL_MS".into(), "100".into()));
    // The receiver below listens on 127.0.0.1.
    env.vars.push(("OFFERDECK_WEBHOOK_ALLOW_PRIVATE".into(), "true".into()));
    assert!(env.run(&["migrate"], None).0);
    let (ok, out, err) = env.run(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test"], None);
    assert!(ok, "{err}");
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sk = t["keys"]["preview"]["secret"].as_str().unwrap().to_string();
    let a = start_node(&env, &env.listen());
    let b = if database == "postgres" { Some(start_node(&env, &format!("127.0.0.1:{}", free_port()))) } else { None };
    let bases = [a.base.clone(), b.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| a.base.clone())];
    let http = reqwest::Client::new();
    let r = http.put(format!("{}/api/v1/integrations/stripe", bases[0])).bearer_auth(&sk).json(&json!({"secretKey": GOOD_TEST_KEY})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    post_json(&http, format!("{}/api/v1/coupons", bases[0]), &sk, json!({"code": "RUSH", "type": "percentage", "amount": 50, "maxRedemptions": 10})).await;

    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (http, url, sk) = (http.clone(), format!("{}/api/v1/coupons/RUSH/redemptions", bases[i % 2]), sk.clone());
            tokio::spawn(
                async move { http.post(url).bearer_auth(sk).json(&json!({"subscriptionId": format!("sub_{i}")})).send().await.unwrap().status().as_u16() },
            )
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 10, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 404).count(), 90, "{codes:?}");
    let c: serde_json::Value = http.get(format!("{}/api/v1/coupons/RUSH", bases[1])).bearer_auth(&sk).send().await.unwrap().json().await.unwrap();
    assert_eq!(c["timesRedeemed"], 10);
    // The per-customer limit likewise: one customer, 40 subscriptions at once, 3 allowed.
    post_json(
        &http,
        format!("{}/api/v1/coupons", bases[1]),
        &sk,
        json!({"code": "ONEPER", "type": "percentage", "amount": 50, "maxRedemptionsPerCustomer": 3}),
    )
    .await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (http, url, sk) = (http.clone(), format!("{}/api/v1/coupons/ONEPER/redemptions", bases[i % 2]), sk.clone());
            tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(sk)
                    .json(&json!({"subscriptionId": format!("sub_{i}"), "customerId": "cus_same"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 3, "{codes:?}");
    if let Some(b) = b {
        b.stop();
    }

    // The receiver takes the first delivery and never answers; the node is killed meanwhile.
    let mut rx = Receiver::start().await;
    rx.script(&[0]);
    let ep = post_json(&http, format!("{}/api/v1/webhook-endpoints", bases[0]), &sk, json!({"url": rx.url, "events": ["coupon.redeemed"]})).await;
    post_json(&http, format!("{}/api/v1/coupons", bases[0]), &sk, json!({"code": "CRASH", "type": "percentage", "amount": 10})).await;
    post_json(&http, format!("{}/api/v1/coupons/CRASH/redemptions", bases[0]), &sk, json!({"subscriptionId": "sub_crash"})).await;
    let in_flight = rx.next(10, "the delivery that will be cut off").await;
    a.kill9();
    let a = start_node(&env, &env.listen());
    let again = rx.next(40, "the delivery after the restart").await;
    assert_eq!(again.header("webhook-id"), in_flight.header("webhook-id"), "the same message");
    assert_eq!(again.json()["data"]["code"], "CRASH");
    let log_url = format!("{}/api/v1/webhook-endpoints/{}/deliveries", a.base, ep["id"].as_str().unwrap());
    let started = std::time::Instant::now();
    let d = loop {
        let d: serde_json::Value = http.get(&log_url).bearer_auth(&sk).send().await.unwrap().json().await.unwrap();
        if d["data"][0]["status"] == "delivered" {
            break d;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "not marked delivered: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(d["data"][0]["attempts"], 2, "claimed twice: once before the crash, once after");
    assert_eq!(d["data"][0]["attemptLog"].as_array().unwrap().len(), 1, "the cut-off attempt left no outcome");
    a.stop();
}

// Scenario: a node generating a 10,000-code batch is killed (SIGKILL) part-way; none of its
// codes is usable meanwhile; a restarted node takes the batch over once the lease has run out
// and completes it: exactly 10,000 unique codes, all exported and usable.
async fn a_batch_survives_a_killed_node(database: &str) {
    use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
    use serde_json::json;
    let Some(mut env) = env(database).await else { return };
    let stub = StripeStub::start().await;
    env.vars.push(("STRIPE_API_BASE".into(), stub.base.clone()));
    // Small paced chunks, so that the kill lands part-way; a short lease for the take-over.
    env.vars.push(("OFFERDECK_BATCH_CHUNK".into(), "100".into()));
    env.vars.push(("OFFERDECK_BATCH_PAUSE_MS".into(), "50".into()));
    env.vars.push(("OFFERDECK_BATCH_LEASE_SECS".into(), "2".into()));
    assert!(env.run(&["migrate"], None).0);
    let (ok, out, err) = env.run(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test"], None);
    assert!(ok, "{err}");
    let t: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sk = t["keys"]["preview"]["secret"].as_str().unwrap().to_string();
    let node = start_node(&env, &env.listen());
    let http = reqwest::Client::new();
    let base = node.base.clone();
    let r = http.put(format!("{base}/api/v1/integrations/stripe")).bearer_auth(&sk).json(&json!({"secretKey": GOOD_TEST_KEY})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = json!({"campaign": "BF26", "template": "BF26-????-????", "count": 10000, "type": "percentage", "amount": 30});
    let b = post_json(&http, format!("{base}/api/v1/coupons/batches"), &sk, body).await;
    let id = b["id"].as_str().unwrap().to_string();
    let read = |base: String| {
        let (http, sk, id) = (http.clone(), sk.clone(), id.clone());
        async move {
            let v: serde_json::Value = http.get(format!("{base}/api/v1/coupons/batches/{id}")).bearer_auth(&sk).send().await.unwrap().json().await.unwrap();
            v
        }
    };
    // Wait (on the node's own progress, not on time) until some chunks exist, then kill it.
    let made = loop {
        let v = read(base.clone()).await;
        let g = v["generated"].as_i64().unwrap();
        assert_ne!(v["status"], "completed", "the batch finished before the kill: slow it down");
        if g >= 300 {
            break g;
        }
        tokio::task::yield_now().await;
    };
    node.kill9();
    assert!(made < 10_000);

    let node = start_node(&env, &env.listen());
    let half = read(node.base.clone()).await;
    assert_ne!(half["status"], "completed");
    let sample: String = http.get(format!("{}/api/v1/coupons/batches/{id}/export.csv", node.base)).bearer_auth(&sk).send().await.unwrap().text().await.unwrap();
    let pending = sample.lines().nth(1).unwrap().split(',').collect::<Vec<_>>();
    assert_eq!(pending[1], "pending", "codes of an unfinished batch are not usable: {sample:.200}");
    let v = http.post(format!("{}/api/v1/coupons/validate", node.base)).bearer_auth(&sk).json(&json!({"code": pending[0]})).send().await.unwrap();
    assert_eq!(v.status(), 404);
    // The restarted node's worker takes the batch over after the lease (2 s) and its poll (5 s).
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let v = read(node.base.clone()).await;
        if v["status"] == "completed" {
            assert_eq!(v["generated"], 10000);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the batch was not resumed: {v}");
        tokio::task::yield_now().await;
    }
    let csv: String = http.get(format!("{}/api/v1/coupons/batches/{id}/export.csv", node.base)).bearer_auth(&sk).send().await.unwrap().text().await.unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 10_000);
    let codes: std::collections::HashSet<&str> = rows.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes.len(), 10_000, "unique");
    assert!(rows.iter().all(|l| l.split(',').nth(1) == Some("active")));
    let v = http.post(format!("{}/api/v1/coupons/validate", node.base)).bearer_auth(&sk).json(&json!({"code": pending[0]})).send().await.unwrap();
    assert_eq!(v.status(), 200, "the code the killed node made is usable now");
    node.stop();
}
