//! The runtime API over real HTTP — surface decisions, offer redemptions, coupon validations and
//! coupon redemptions under contention — each beside a minimal axum JSON endpoint measured in the
//! same run, so that the figure that matters is a ratio that does not depend on the machine:
//! throughput at concurrency 64 and p50/p99 latency. `BENCH_ONLY=decisions` runs the decisions
//! alone (for profiling), `BENCH_ONLY=coupons` the coupons alone, `BENCH_ONLY=signup` a sign-up ESTIMATE, `BENCH_ONLY=campaign`
//! a campaign page over 1,000,000 recorded events (`BENCH_CAMPAIGN_EVENTS`), `BENCH_ONLY=soak` the soak
//! alone: `BENCH_SOAK_SECS` (default 60) of mixed writes from 8 clients — creates, renames,
//! deletes, coupon creates and redemptions — beside 56 clients of decisions, reporting p99 and
//! the errors of each (a 5xx is an error; so is any answer the contract does not give).
//!
//! `cargo bench --bench api` (SQLite in a temporary file; set `BENCH_POSTGRES_URL` to run
//! on PostgreSQL as well, and `BENCH_SKIP_SQLITE=1` for PostgreSQL alone; `BENCH_REQUESTS` sets the requests per measurement, default 20 000).
//! The load generator runs in the same process as the servers: both endpoints share the CPU with
//! it in the same way.
use axum::Router;
use axum::routing::post;
use offerdeck::server::config::Config;
use offerdeck::server::db::Db;
use offerdeck::server::services::tenants;
use offerdeck::server::startup;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 64;

struct Figures {
    rps: f64,
    p50: f64,
    p99: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `total` POSTs of `bodies[i % len]` to `url` from `CONCURRENCY` tasks; every answer must have
/// status `expect`.
async fn load(http: &reqwest::Client, url: &str, key: &str, bodies: Arc<Vec<String>>, total: usize, expect: u16) -> Figures {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (http, url, key, bodies, next) = (http.clone(), url.to_string(), key.to_string(), bodies.clone(), next.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break lat;
                }
                let t = Instant::now();
                let r = http
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(bodies[i % bodies.len()].clone())
                    .send()
                    .await
                    .expect("request");
                let status = r.status().as_u16();
                let _ = r.bytes().await.expect("body");
                assert_eq!(status, expect, "{url}");
                lat.push(t.elapsed());
            }
        });
    }
    let mut all = Vec::with_capacity(total);
    while let Some(r) = set.join_next().await {
        all.extend(r.unwrap());
    }
    let elapsed = start.elapsed();
    all.sort();
    Figures { rps: all.len() as f64 / elapsed.as_secs_f64(), p50: percentile(&all, 0.5), p99: percentile(&all, 0.99) }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The minimal endpoint: parses a JSON body and answers a small JSON object.
async fn minimal() -> String {
    serve(
        Router::new()
            .route(
                "/decide",
                post(|axum::Json(v): axum::Json<Value>| async move { axum::Json(json!({"status": "success", "statusCode": 200, "echo": v["surfaceSlug"]})) }),
            )
            .route("/health", axum::routing::get(|| async { axum::Json(json!({"status": "ok"})) })),
    )
    .await
}

async fn stripe_stub() -> String {
    // One answer for every call: an open Checkout Session (creation, re-reads and updates).
    let session = json!({"id": "cs_test_bench", "url": "https://checkout.stripe.com/c/pay/cs_test_bench", "status": "open", "client_secret": "cs_test_bench_secret",
        "amount_subtotal": 10000, "amount_total": 10000, "total_details": {"amount_discount": 0}});
    serve(Router::new().fallback(move || {
        let s = session.clone();
        async move { axum::Json(s) }
    }))
    .await
}

async fn call(http: &reqwest::Client, method: reqwest::Method, url: String, key: &str, body: Value) -> Value {
    let mut req = http.request(method, &url).bearer_auth(key);
    if !body.is_null() {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

fn line(what: &str, f: &Figures, base: &Figures) {
    println!("{what:<44} {:>8.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms   ratio to minimal endpoint {:.2}", f.rps, f.p50, f.p99, f.rps / base.rps);
}

async fn run(label: &str, db: Db, url: &str, total: usize) {
    let stub = stripe_stub().await;
    let mut config = Config::for_tests(url);
    // The load generator is one address: the per-client limit of coupon checks would stop it.
    config.coupon_validate_per_minute = 0;
    config.coupon_check_cache_ms = 1000;
    let mut state = startup::state(db, config);
    assert!(state.set_stripe(offerdeck::server::stripe::StripeClient::with_policy(&stub, 0, Duration::ZERO)));
    let t = tenants::bootstrap(&state, "Bench", "owner@bench.test").await.unwrap();
    let base = serve(startup::router(state.clone())).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().unwrap();
    let k = t.keys.preview.secret.as_str();
    let api = |p: &str| format!("{base}/api/v1{p}");
    use reqwest::Method;
    call(&http, Method::PUT, api("/integrations/stripe"), k, json!({"secretKey": "sk_test_51BenchKeyForTheStripeStub00"})).await;
    let method = call(
        &http,
        Method::POST,
        api("/redemption-methods"),
        k,
        json!({"name": "Checkout", "schema": "stripe-checkout",
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
    )
    .await;
    let product = call(&http, Method::POST, api("/products"), k, json!({"name": "Premium"})).await;
    let p1 = call(
        &http,
        Method::POST,
        api("/prices"),
        k,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_a"}),
    )
    .await;
    let p2 = call(
        &http,
        Method::POST,
        api("/prices"),
        k,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 200, "interval": "month", "stripePriceId": "price_b"}),
    )
    .await;
    let old = call(
        &http,
        Method::POST,
        api("/offers"),
        k,
        json!({"name": "Old", "redemptionMethodId": method["id"], "priceIds": [p1["id"]],
        "presentation": {"title": "Old"}, "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2020-02-01T00:00:00Z"}),
    )
    .await;
    let offer = call(
        &http,
        Method::POST,
        api("/offers"),
        k,
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [p1["id"], p2["id"]], "presentation": {"title": "Premium"}}),
    )
    .await;
    let schema = call(
        &http,
        Method::POST,
        api("/presentation-schemas"),
        k,
        json!({"name": "Banner", "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}], "offerSlots": ["primary"]}),
    )
    .await;
    let x = call(
        &http,
        Method::POST,
        api("/experiences"),
        k,
        json!({"name": "Banner", "type": "app", "schemaId": schema["id"], "content": {"headline": "Go"}, "offers": {"primary": [old["id"], offer["id"]]}}),
    )
    .await;
    call(
        &http,
        Method::POST,
        api("/surfaces"),
        k,
        json!({"name": "Pricing", "slug": "pricing-page", "slots": [{"key": "web-content", "facet": "web", "experienceId": x["id"]}]}),
    )
    .await;

    let min = minimal().await;
    if std::env::var("BENCH_ONLY").as_deref() == Ok("soak") {
        return soak(label, &http, &base, k).await;
    }
    if std::env::var("BENCH_ONLY").as_deref() == Ok("coupons") {
        return coupons(label, &http, &base, k, &t.keys.preview.publishable, &min, total).await;
    }
    if std::env::var("BENCH_ONLY").as_deref() == Ok("checkout") {
        return checkout(label, &http, &base, k, &min, total).await;
    }
    if std::env::var("BENCH_ONLY").as_deref() == Ok("signup") {
        return signup(label, &http, &base, k, &t.keys.preview.publishable, &min, total).await;
    }
    if matches!(std::env::var("BENCH_ONLY").as_deref(), Ok("campaign") | Ok("pages")) {
        let password = t.owner_password.clone().unwrap_or_default();
        return campaign(label, &state, &http, &base, k, offer["id"].as_str().unwrap(), &password, &min).await;
    }
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..1000).map(|i| json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": format!("user{i}@example.com")}}).to_string()).collect(),
    );
    // Warm-up: connections, the configuration snapshot, the allocator.
    load(&http, &format!("{min}/decide"), k, bodies.clone(), 2000, 200).await;
    load(&http, &api("/surface-decisions"), k, bodies.clone(), 2000, 200).await;
    println!("== {label}: concurrency {CONCURRENCY}, {total} requests per line");
    if std::env::var("BENCH_ONLY").as_deref() != Ok("redemptions") {
        let loads = state.snapshots.loads();
        let m1 = load(&http, &format!("{min}/decide"), k, bodies.clone(), total, 200).await;
        let d = load(&http, &api("/surface-decisions"), k, bodies.clone(), total, 200).await;
        assert_eq!(state.snapshots.loads(), loads, "decisions must not reload configuration");
        line("minimal axum JSON endpoint", &m1, &m1);
        line("POST /api/v1/surface-decisions", &d, &m1);
        println!("{:<44} p99 {:.1} × the minimal endpoint's", "", d.p99 / m1.p99);
        state.recorder.flush().await;
        let recorded: i64 =
            sqlx::Row::get(&sqlx::query("SELECT COUNT(*) FROM events WHERE event_type = 'surface.decision'").fetch_one(&state.db.pool).await.unwrap(), 0);
        assert!(recorded as usize >= total + 2000, "every decision recorded: {recorded}");
    }
    if std::env::var("BENCH_ONLY").as_deref() == Ok("decisions") {
        return;
    }
    let only_redemptions = std::env::var("BENCH_ONLY").as_deref() == Ok("redemptions");

    // Redemptions need a fresh token each (a redeemed token replays its answer).
    let n = (total / 4).max(500);
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let who = format!("buyer{i}@example.com");
        let d = call(&http, Method::POST, api("/surface-decisions"), k, json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": who}})).await;
        tokens.push(json!({"identity": {"userIdentifier": who}, "offerToken": d["offer"]["token"]}).to_string());
    }
    let m2 = load(&http, &format!("{min}/decide"), k, bodies.clone(), n, 200).await;
    let e = engine_alone(&state, &t.tenant_id, offer["id"].as_str().unwrap(), n).await;
    let r = load(&http, &api("/offer-redemptions"), k, Arc::new(tokens), n, 200).await;
    line("minimal axum JSON endpoint", &m2, &m2);
    line("workflow engine alone (same workflow, same stub)", &e, &m2);
    line("POST /api/v1/offer-redemptions (workflow)", &r, &m2);
    println!("{:<44} ratio to the engine alone {:.2}", "", r.rps / e.rps);
    if only_redemptions {
        return;
    }
    coupons(label, &http, &base, k, &t.keys.preview.publishable, &min, total).await;
    checkout(label, &http, &base, k, &min, total).await;
    soak(label, &http, &base, k).await;
}

/// The baseline of offer redemptions: `n` runs of the offer's own workflow, with the input a
/// redemption builds and the server's way out to Stripe (the same stub), straight through the
/// engine (its slots and limits as configured), `CONCURRENCY` at a time — no HTTP, no token, no
/// database writes.
async fn engine_alone(state: &offerdeck::server::AppState, tenant: &str, offer_id: &str, n: usize) -> Figures {
    use offerdeck::server::services::{methods, offers};
    let scope = offerdeck::server::auth::Actor::operator_in(tenant, offerdeck::model::Environment::Preview)
        .authorize(offerdeck::server::auth::Permission::TenantWrite)
        .unwrap()
        .clone();
    let mut conn = state.db.pool.acquire().await.unwrap();
    let offer = offerdeck::server::db::offers::get(&mut conn, &scope, offer_id).await.unwrap().unwrap();
    drop(conn);
    let method = offerdeck::server::db::record::get::<offerdeck::model::RedemptionMethod, _>(&state.db.pool, &scope, &offer.redemption_method_id)
        .await
        .unwrap()
        .unwrap();
    let (_, compiled) = methods::current_workflow(state, &scope, &method).await.unwrap();
    let obj = offers::workflow_offer(state, &scope, &offer, &method, "tok").await.unwrap();
    let input = json!({"offer": obj, "identity": {"type": "authenticated", "identifier": "buyer@example.com"}, "settings": method.settings});
    let (compiled, input) = (Arc::new(compiled), Arc::new(input));
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (state, scope, compiled, input, next) = (state.clone(), scope.clone(), compiled.clone(), input.clone(), next.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let t = Instant::now();
                let host = Arc::new(methods::StripeHost { state: state.clone(), scope: scope.clone() });
                let out = state.engine.run(scope.tenant_id(), &compiled, (*input).clone(), host).await.expect("a slot");
                assert!(out.result.expect("the workflow ran").success);
                lat.push(t.elapsed());
            }
            lat
        });
    }
    let mut all = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        all.extend(r.unwrap());
    }
    let elapsed = start.elapsed();
    all.sort();
    Figures { rps: all.len() as f64 / elapsed.as_secs_f64(), p50: percentile(&all, 0.5), p99: percentile(&all, 0.99) }
}

#[derive(Default)]
struct SoakSide {
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

impl SoakSide {
    fn report(&mut self, what: &str, secs: f64) {
        self.latencies.sort();
        let n = self.latencies.len().max(1);
        println!(
            "{what:<44} {:>8.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms   errors {}{}",
            self.latencies.len() as f64 / secs,
            percentile(&self.latencies, 0.5),
            percentile(&self.latencies, 0.99),
            self.errors.len(),
            self.errors.first().map(|e| format!(" (first: {e})")).unwrap_or_default()
        );
        let _ = n;
    }
}

/// A minute (by default) of mixed writes beside decisions on the same server.
async fn soak(label: &str, http: &reqwest::Client, base: &str, k: &str) {
    let secs: u64 = std::env::var("BENCH_SOAK_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let api = |p: &str| format!("{base}/api/v1{p}");
    let _ = http
        .post(api("/coupons"))
        .bearer_auth(k)
        .json(&json!({"code": "SOAK", "type": "percentage", "amount": 10, "maxRedemptions": 1_000_000}))
        .send()
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(secs);
    let writers = 8;
    let mut set = tokio::task::JoinSet::new();
    for w in 0..writers {
        let (http, base, k) = (http.clone(), base.to_string(), k.to_string());
        set.spawn(async move {
            let mut side = SoakSide::default();
            let mut i = 0u64;
            while Instant::now() < until {
                i += 1;
                let tag = format!("{w}-{i}");
                let steps: Vec<(reqwest::Method, String, Value, &[u16])> = vec![
                    (reqwest::Method::POST, "/products".into(), json!({"name": format!("Soak {tag}")}), &[201]),
                    (reqwest::Method::POST, "/surfaces".into(), json!({"name": format!("S {tag}"), "slug": format!("soak-{tag}"), "slots": []}), &[201]),
                    (reqwest::Method::POST, "/coupons/SOAK/redemptions".into(), json!({"subscriptionId": format!("sub_soak_{tag}")}), &[201]),
                    (
                        reqwest::Method::POST,
                        "/coupons".into(),
                        json!({"code": format!("SOAK-{tag}"), "type": "fixed", "amount": 100, "currency": "gbp"}),
                        &[201],
                    ),
                ];
                let mut created: Vec<Value> = Vec::new();
                for (m, path, body, ok) in steps {
                    let t = Instant::now();
                    match http.request(m.clone(), format!("{base}/api/v1{path}")).bearer_auth(&k).json(&body).send().await {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let v: Value = r.json().await.unwrap_or(Value::Null);
                            side.latencies.push(t.elapsed());
                            if !ok.contains(&status) {
                                side.errors.push(format!("{m} {path}: {status} {v}"));
                            }
                            created.push(v);
                        }
                        Err(e) => side.errors.push(format!("{m} {path}: {e}")),
                    }
                }
                // Rename the product and delete the surface just made.
                let follow = [
                    (
                        reqwest::Method::PATCH,
                        format!("/products/{}", created[0]["id"].as_str().unwrap_or("x")),
                        json!({"name": format!("Soak {tag} renamed")}),
                        200u16,
                    ),
                    (reqwest::Method::DELETE, format!("/surfaces/{}", created[1]["id"].as_str().unwrap_or("x")), Value::Null, 204u16),
                ];
                for (m, path, body, ok) in follow {
                    let t = Instant::now();
                    let mut req = http.request(m.clone(), format!("{base}/api/v1{path}")).bearer_auth(&k);
                    if !body.is_null() {
                        req = req.json(&body);
                    }
                    match req.send().await {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let _ = r.bytes().await;
                            side.latencies.push(t.elapsed());
                            if status != ok {
                                side.errors.push(format!("{m} {path}: {status}"));
                            }
                        }
                        Err(e) => side.errors.push(format!("{m} {path}: {e}")),
                    }
                }
            }
            side
        });
    }
    let mut readers = tokio::task::JoinSet::new();
    for c in 0..(CONCURRENCY - writers) {
        let (http, url, k) = (http.clone(), api("/surface-decisions"), k.to_string());
        readers.spawn(async move {
            let mut side = SoakSide::default();
            let body = json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": format!("soak{c}@example.com")}}).to_string();
            while Instant::now() < until {
                let t = Instant::now();
                match http.post(&url).bearer_auth(&k).header("content-type", "application/json").body(body.clone()).send().await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let _ = r.bytes().await;
                        side.latencies.push(t.elapsed());
                        if status != 200 {
                            side.errors.push(format!("decision: {status}"));
                        }
                    }
                    Err(e) => side.errors.push(format!("decision: {e}")),
                }
            }
            side
        });
    }
    let mut writes = SoakSide::default();
    while let Some(r) = set.join_next().await {
        let s = r.unwrap();
        writes.latencies.extend(s.latencies);
        writes.errors.extend(s.errors);
    }
    let mut reads = SoakSide::default();
    while let Some(r) = readers.join_next().await {
        let s = r.unwrap();
        reads.latencies.extend(s.latencies);
        reads.errors.extend(s.errors);
    }
    println!("== {label}: soak, {secs} s, {writers} writers beside {} decision clients", CONCURRENCY - writers);
    writes.report("mixed writes (create, rename, delete, redeem)", secs as f64);
    reads.report("POST /api/v1/surface-decisions (beside)", secs as f64);
}

/// Validations with a publishable key, and redemptions of one code by many subscriptions at
/// once (every request takes the same coupon row: the contended case).
async fn coupons(label: &str, http: &reqwest::Client, base: &str, sk: &str, pk: &str, min: &str, total: usize) {
    use reqwest::Method;
    let api = |p: &str| format!("{base}/api/v1{p}");
    call(http, Method::PUT, api("/integrations/stripe"), sk, json!({"secretKey": "sk_test_51BenchKeyForTheStripeStub00"})).await;
    call(http, Method::POST, api("/coupons"), sk, json!({"code": "BENCH10", "type": "percentage", "amount": 10, "repeatMonths": 3})).await;
    let bodies = Arc::new(vec![json!({"code": "bench10"}).to_string()]);
    load(http, &format!("{min}/decide"), pk, bodies.clone(), 2000, 200).await;
    load(http, &api("/coupons/validate"), pk, bodies.clone(), 2000, 200).await;
    let m = load(http, &format!("{min}/decide"), pk, bodies.clone(), total, 200).await;
    let v = load(http, &api("/coupons/validate"), pk, bodies.clone(), total, 200).await;
    println!("== {label}: coupons, concurrency {CONCURRENCY}");
    line("minimal axum JSON endpoint", &m, &m);
    line("POST /api/v1/coupons/validate (pk)", &v, &m);
    let n = (total / 4).max(1000);
    let subs: Arc<Vec<String>> =
        Arc::new((0..n).map(|i| json!({"subscriptionId": format!("sub_{i}"), "customerId": format!("cus_{}", i % 97)}).to_string()).collect());
    let r = load(http, &api("/coupons/BENCH10/redemptions"), sk, subs, n, 201).await;
    line("POST /api/v1/coupons/{code}/redemptions", &r, &m);
    let c = call(http, Method::GET, api("/coupons/BENCH10"), sk, Value::Null).await;
    assert_eq!(c["timesRedeemed"].as_u64(), Some(n as u64), "every redemption counted once");
}

/// Checkout-session creation against the zero-latency Stripe stub (a row, one Stripe call, the
/// row again), and `recompute-discounts` (a Stripe re-read, the rules, an update, the record).
async fn checkout(label: &str, http: &reqwest::Client, base: &str, sk: &str, min: &str, total: usize) {
    use reqwest::Method;
    let api = |p: &str| format!("{base}/api/v1{p}");
    let product =
        call(http, Method::POST, api("/products"), sk, json!({"name": "Checkout", "successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no"}))
            .await;
    call(
        http,
        Method::POST,
        api("/prices"),
        sk,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 10000, "stripePriceId": "price_checkout"}),
    )
    .await;
    call(
        http,
        Method::POST,
        api("/discount-rules"),
        sk,
        json!({"name": "10% over 50", "type": "cart_value", "currency": "gbp", "tiers": [{"minSubtotal": 5000, "percentOff": 10}]}),
    )
    .await;
    let n = (total / 4).max(1000);
    let bodies = Arc::new(vec![json!({"productId": product["id"], "requestId": "bench"}).to_string()]);
    let m = load(http, &format!("{min}/decide"), sk, bodies.clone(), n, 200).await;
    let c = load(http, &api("/checkout-sessions"), sk, bodies, n, 201).await;
    println!("== {label}: checkout sessions, concurrency {CONCURRENCY}");
    line("minimal axum JSON endpoint", &m, &m);
    line("POST /api/v1/checkout-sessions", &c, &m);
    let custom =
        call(http, Method::POST, api("/checkout-sessions"), sk, json!({"productId": product["id"], "uiMode": "custom", "discountUpdates": "server_only"}))
            .await;
    let url = api(&format!("/checkout-sessions/{}/recompute-discounts", custom["id"].as_str().unwrap()));
    let r = load(http, &url, sk, Arc::new(vec!["{}".to_string()]), n, 200).await;
    line("POST …/checkout-sessions/{id}/recompute-discounts", &r, &m);
}

/// `ESTIMATE` of a two-offering sign-up cart with a publishable key (API.md §12): two offers,
/// their rates, the quote priced from the catalogue; nothing saved, no Stripe call.
async fn signup(label: &str, http: &reqwest::Client, base: &str, sk: &str, pk: &str, min: &str, total: usize) {
    use reqwest::Method;
    let api = |p: &str| format!("{base}/api/v1{p}");
    let method = call(http, Method::POST, api("/redemption-methods"), sk, json!({"name": "Sign-up", "schema": "custom"})).await;
    let mut offerings = Vec::new();
    for (n, (name, amounts)) in [("Team", [1500, 500]), ("Add-ons", [900, 300])].into_iter().enumerate() {
        let mut prices = Vec::new();
        let mut products = Vec::new();
        for (i, amount) in amounts.iter().enumerate() {
            let product = call(http, Method::POST, api("/products"), sk, json!({"name": format!("{name} {i}")})).await;
            let price = call(
                http,
                Method::POST,
                api("/prices"),
                sk,
                json!({"productId": product["id"], "currency": "gbp", "unitAmount": amount, "interval": "month", "stripePriceId": format!("price_signup{n}x{i}")}),
            )
            .await;
            prices.push(price["id"].clone());
            products.push(product["id"].clone());
        }
        let offer = call(
            http,
            Method::POST,
            api("/offers"),
            sk,
            json!({"name": name, "redemptionMethodId": method["id"], "priceIds": prices, "presentation": {"title": name}}),
        )
        .await;
        let rate =
            call(http, Method::POST, api(&format!("/offers/{}/rates", offer["id"].as_str().unwrap())), sk, json!({"name": name, "priceIds": prices})).await;
        offerings.push(json!({"offeringId": offer["id"], "rateId": rate["id"], "items": [{"productId": products[0], "quantity": 3}]}));
    }
    let body = json!({"action": "ESTIMATE", "quote": {"offerings": offerings}});
    let bodies = Arc::new(vec![body.to_string()]);
    let url = format!("{base}/api/selfService/signup");
    let check = call(http, Method::POST, url.clone(), pk, body).await;
    assert_eq!(check["quote"]["amount"].as_i64(), Some(3 * 1500 + 500 + 3 * 900 + 300), "{check}");
    let n = (total / 2).max(1000);
    load(http, &format!("{min}/decide"), pk, bodies.clone(), 2000, 200).await;
    load(http, &url, pk, bodies.clone(), 2000, 200).await;
    let m = load(http, &format!("{min}/decide"), pk, bodies.clone(), n, 200).await;
    let e = load(http, &url, pk, bodies, n, 200).await;
    println!("== {label}: sign-up carts, concurrency {CONCURRENCY}");
    line("minimal axum JSON endpoint", &m, &m);
    line("POST /api/selfService/signup ESTIMATE, two offerings (pk)", &e, &m);
}

/// `n` sequential GETs of `url` (one client: latency, not throughput), with `cookie` or `key`.
async fn gets(http: &reqwest::Client, url: &str, key: Option<&str>, cookie: Option<&str>, n: usize) -> Figures {
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let mut req = http.get(url);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let body = r.bytes().await.unwrap();
        assert!(status.is_success(), "{url}: {status} {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
        lat.push(t.elapsed());
    }
    let elapsed = start.elapsed();
    lat.sort();
    Figures { rps: n as f64 / elapsed.as_secs_f64(), p50: percentile(&lat, 0.5), p99: percentile(&lat, 0.99) }
}

/// A campaign with 1,000,000 recorded events over 90 days — 900,000 offers presented (through
/// the recorder's own SQL, which keeps the counters) and 100,000 coupon redemptions (through
/// the redemption's SQL) — then its page, its JSON series and, for comparison, the offer
/// statistics (its counters plus the raw impressions of the two partial edge buckets), each read
/// one at a time.
#[allow(clippy::too_many_arguments)]
async fn campaign(label: &str, state: &offerdeck::server::AppState, http: &reqwest::Client, base: &str, k: &str, offer: &str, password: &str, min: &str) {
    use offerdeck::model::{EventStatus, IdentityKind};
    use offerdeck::server::db::{coupons as cdb, impressions};
    use reqwest::Method;
    let events: usize = std::env::var("BENCH_CAMPAIGN_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let api = |p: &str| format!("{base}/api/v1{p}");
    call(http, Method::PATCH, api(&format!("/offers/{offer}")), k, json!({"campaign": "BIG"})).await;
    let mut coupon_ids = Vec::new();
    for i in 0..100 {
        let c = call(http, Method::POST, api("/coupons"), k, json!({"code": format!("BIG-{i}"), "type": "percentage", "amount": 10, "campaign": "BIG"})).await;
        coupon_ids.push(c["id"].as_str().unwrap().to_string());
    }
    let t0 = Instant::now();
    let tenant: String = sqlx::Row::get(&sqlx::query("SELECT tenant_id FROM offers WHERE id = $1").bind(offer).fetch_one(&state.db.pool).await.unwrap(), 0);
    let operator = offerdeck::server::auth::Actor::operator_in(&tenant, offerdeck::model::Environment::Preview);
    let scope = operator.authorize(offerdeck::server::auth::Permission::TenantWrite).unwrap().clone();
    let now = state.clock.now_ms();
    let span = 90 * 86_400_000i64;
    let presented = events * 9 / 10;
    let batch = 1000;
    for b in 0..presented.div_ceil(batch) {
        let mut rows = Vec::with_capacity(batch);
        for i in 0..batch.min(presented - b * batch) {
            let n = (b * batch + i) as i64;
            rows.push(impressions::Decision {
                scope: scope.clone(),
                event_id: format!("evt_bench_{n}"),
                status: EventStatus::Presented,
                identity_kind: IdentityKind::Authenticated,
                identity: format!("user{}", n % 5000),
                request: "{}".into(),
                response: "{}".into(),
                offer_ids: vec![offer.to_string()],
                campaigns: vec![Some("BIG".to_string())],
                at_ms: now - span + n * span / presented as i64,
            });
        }
        let mut tx = state.db.begin_write().await.unwrap();
        impressions::insert_decisions(&mut tx, state.db.backend, &rows).await.unwrap();
        tx.commit().await.unwrap();
    }
    let redeemed = events - presented;
    for b in 0..redeemed.div_ceil(batch) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in 0..batch.min(redeemed - b * batch) {
            let n = b * batch + i;
            let new = cdb::NewRedemption {
                id: &format!("cred_bench_{n}"),
                coupon_id: &coupon_ids[n % coupon_ids.len()],
                subscription_id: &format!("sub_bench_{n}"),
                customer_id: None,
                source: offerdeck::model::CouponRedemptionSource::Api,
                stripe_event_id: None,
                now: now - span + n as i64 * span / redeemed as i64,
            };
            assert!(cdb::insert_redemption(&mut tx, &scope, new).await.unwrap());
        }
        tx.commit().await.unwrap();
    }
    // The rest of a big tenant: 100,000 coupons (`BENCH_COUPONS`) and 10,000 offers
    // (`BENCH_OFFERS`), through the same SQL as the API's inserts.
    let many_coupons: usize = std::env::var("BENCH_COUPONS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    for b in 0..many_coupons.div_ceil(batch) {
        let mut tx = state.db.begin_write().await.unwrap();
        for i in b * batch..((b + 1) * batch).min(many_coupons) {
            let (id, code) = (format!("cpn_bench{i:07}"), format!("BULK-{i:07}"));
            let new = cdb::NewCoupon {
                id: &id,
                code: &code,
                coupon_type: offerdeck::model::CouponType::Percentage,
                amount: 10,
                currency: None,
                repeat_months: None,
                max_redemptions: Some(1),
                max_per_customer: None,
                starts_at: None,
                expires_at: None,
                campaign: Some(if i % 2 == 0 { "BULK-EVEN" } else { "BULK-ODD" }),
                stripe_coupon_id: &code,
                now: now - span + i as i64,
            };
            cdb::insert(&mut *tx, &scope, new).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let many_offers: usize = std::env::var("BENCH_OFFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let template = call(http, Method::GET, api(&format!("/offers/{offer}")), k, Value::Null).await;
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (http, url, k, next, template) = (http.clone(), api("/offers"), k.to_string(), next.clone(), template.clone());
        set.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= many_offers {
                    break;
                }
                let body = json!({"name": format!("Offer {i}"), "redemptionMethodId": template["redemptionMethodId"], "priceIds": template["priceIds"],
                    "presentation": {"title": format!("Offer {i}")}, "campaign": format!("C{}", i % 50)});
                call(&http, Method::POST, url.clone(), &k, body).await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    // What autovacuum does shortly after a bulk load, done now so that it does not run during
    // the measurements (SQLite's plans do not depend on statistics here).
    if state.db.backend == offerdeck::server::db::Backend::Postgres {
        for t in ["events", "impressions", "analytics_counters", "coupons", "coupon_campaign_counts", "offers", "offer_prices", "coupon_redemptions"] {
            sqlx::query(&format!("VACUUM (ANALYZE) {t}")).execute(&state.db.pool).await.unwrap();
        }
    }
    let seeded = t0.elapsed();
    let login = http.post(format!("{base}/sfn/login")).form(&[("email", "owner@bench.test"), ("password", password)]).send().await.unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(!cookie.is_empty(), "signed in");
    let day = |ms: i64| offerdeck::server::db::ms_to_rfc3339(ms)[..10].to_string();
    let (from, to) = (day(now - span), day(now));
    let q = format!("from={from}&to={to}");
    let check = call(http, Method::GET, api(&format!("/analytics/campaigns/BIG?{q}")), k, Value::Null).await;
    assert_eq!(check["funnel"]["presented"].as_i64().unwrap() + check["funnel"]["coupons"].as_i64().unwrap(), events as i64, "{}", check["funnel"]);
    let n = 200;
    gets(http, &format!("{base}/campaigns/BIG?{q}"), None, Some(&cookie), 20).await;
    let m = gets(http, &format!("{min}/health"), None, None, n).await;
    let page = gets(http, &format!("{base}/campaigns/BIG?{q}"), None, Some(&cookie), n).await;
    let week = gets(http, &format!("{base}/campaigns/BIG?{q}&bucket=week"), None, Some(&cookie), n).await;
    let json = gets(http, &api(&format!("/analytics/campaigns/BIG?{q}")), Some(k), None, n).await;
    let raw = gets(http, &api(&format!("/offers/{offer}/stats?from={from}T00:00:00Z&to={to}T00:00:00Z")), Some(k), None, 20).await;
    let at = |p: &str| format!("{base}{p}");
    let mut pages = Vec::new();
    for (what, path) in [
        ("GET / (overview)", "/"),
        ("GET /coupons (dashboard page)", "/coupons"),
        ("GET /coupons?campaign=BULK-EVEN&status=active", "/coupons?campaign=BULK-EVEN&status=active"),
        ("GET /offers (dashboard page)", "/offers"),
        ("GET /offers/{id} (one offer, its statistics)", &format!("/offers/{offer}")),
        ("GET /events (dashboard page)", "/events"),
        ("GET /campaigns (dashboard page)", "/campaigns"),
    ] {
        gets(http, &at(path), None, Some(&cookie), 5).await;
        pages.push((what, gets(http, &at(path), None, Some(&cookie), n).await));
    }
    println!(
        "== {label}: {events} events over 90 days, {many_coupons} more coupons, {many_offers} more offers (seeded in {:.1} s), one request at a time",
        seeded.as_secs_f64()
    );
    let l = |what: &str, f: &Figures| {
        println!("{what:<60} p50 {:>8.2} ms  p99 {:>8.2} ms  ({:.0} req/s; minimal endpoint p50 {:.2} ms)", f.p50, f.p99, f.rps, m.p50)
    };
    l("GET /campaigns/BIG (dashboard page, 90 days by day)", &page);
    l("GET /campaigns/BIG?bucket=week (dashboard page)", &week);
    l("GET /api/v1/analytics/campaigns/BIG (JSON, 90 days)", &json);
    l("GET /api/v1/offers/{id}/stats (counters + edge impressions)", &raw);
    for (what, f) in &pages {
        l(what, f);
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// `BENCH_ONLY=rss`: the release server as `scripts/run` starts it (its own process, SQLite in a
/// temporary file, the global allocator of the binary: mimalloc), its resident memory idle, then
/// after 10,000 mixed requests (`BENCH_RSS_REQUESTS`) from 16 clients — decisions, coupon checks,
/// creates, lists, the sign-in page and a dashboard page — then after a second 10,000.
async fn rss() {
    let dir = std::env::temp_dir().join(format!("offerdeck-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bin = env!("CARGO_BIN_EXE_offerdeck");
    let envs = [
        ("DATABASE_URL", format!("sqlite://{}/rss.db", dir.display())),
        ("OFFERDECK_LISTEN", format!("127.0.0.1:{port}")),
        ("OFFERDECK_SECRET_KEY", "11".repeat(32)),
        ("LEPTOS_SITE_ROOT", dir.display().to_string()),
        ("OFFERDECK_COUPON_VALIDATE_PER_MINUTE", "0".into()),
        ("OFFERDECK_DECISIONS_PER_MINUTE", "0".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let out =
        std::process::Command::new(bin).args(["tenant", "create", "--name", "Rss", "--owner-email", "owner@rss.test"]).envs(envs.clone()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sk = t["keys"]["preview"]["secret"].as_str().or_else(|| t["keys"]["preview"]["secretKey"].as_str()).expect("a secret key").to_string();
    let pk = t["keys"]["preview"]["publishable"].as_str().or_else(|| t["keys"]["preview"]["publishableKey"].as_str()).expect("a publishable key").to_string();
    let mut child = std::process::Command::new(bin).arg("serve").envs(envs).stdout(std::process::Stdio::null()).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start");
    let api = |p: &str| format!("{base}/api/v1{p}");
    use reqwest::Method;
    let product = call(&http, Method::POST, api("/products"), &sk, json!({"name": "Premium"})).await;
    let price = call(
        &http,
        Method::POST,
        api("/prices"),
        &sk,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_a"}),
    )
    .await;
    let method = call(&http, Method::POST, api("/redemption-methods"), &sk, json!({"name": "Custom", "schema": "custom"})).await;
    let offer = call(
        &http,
        Method::POST,
        api("/offers"),
        &sk,
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}}),
    )
    .await;
    let schema = call(&http, Method::POST, api("/presentation-schemas"), &sk, json!({"name": "Banner", "fields": [], "offerSlots": ["primary"]})).await;
    let x = call(
        &http,
        Method::POST,
        api("/experiences"),
        &sk,
        json!({"name": "Banner", "type": "app", "schemaId": schema["id"], "content": {}, "offers": {"primary": [offer["id"]]}}),
    )
    .await;
    call(
        &http,
        Method::POST,
        api("/surfaces"),
        &sk,
        json!({"name": "Pricing", "slug": "pricing", "slots": [{"key": "main", "facet": "web", "experienceId": x["id"]}]}),
    )
    .await;
    let pid = child.id();
    let idle = rss_kib(pid);
    let n: usize = std::env::var("BENCH_RSS_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut after = Vec::new();
    for round in 0..2 {
        let next = Arc::new(AtomicUsize::new(0));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (http, base, sk, pk, next) = (http.clone(), base.clone(), sk.clone(), pk.clone(), next.clone());
            set.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let tag = format!("{round}-{i}");
                    let req = match i % 8 {
                        0..=2 => http
                            .post(format!("{base}/api/v1/surface-decisions"))
                            .bearer_auth(&pk)
                            .json(&json!({"surfaceSlug": "pricing", "identity": {"userIdentifier": format!("u{i}")}})),
                        3 => http.post(format!("{base}/api/v1/coupons/validate")).bearer_auth(&pk).json(&json!({"code": "NOPE"})),
                        4 => http.post(format!("{base}/api/v1/products")).bearer_auth(&sk).json(&json!({"name": format!("P {tag}")})),
                        5 => http.get(format!("{base}/api/v1/products?limit=100")).bearer_auth(&sk),
                        6 => http.get(format!("{base}/api/v1/events?limit=100")).bearer_auth(&sk),
                        _ => http.get(format!("{base}/login")),
                    };
                    let r = req.send().await.expect("request");
                    let status = r.status().as_u16();
                    let _ = r.bytes().await;
                    assert!(status < 500, "{status}");
                }
            });
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
        }
        after.push(rss_kib(pid));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    println!("== resident memory of the release server (global allocator: mimalloc), SQLite");
    println!("idle, after start-up and set-up                 {:>8.1} MB", idle as f64 / 1024.0);
    println!("after {n} mixed requests                     {:>8.1} MB", after[0] as f64 / 1024.0);
    println!("after {} mixed requests                     {:>8.1} MB", 2 * n, after[1] as f64 / 1024.0);
}

fn main() {
    if std::env::var("BENCH_ONLY").as_deref() == Ok("rss") {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        return rt.block_on(rss());
    }
    let total: usize = std::env::var("BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("offerdeck-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/bench.db", dir.display());
        let db = Db::connect(&url, None).await.unwrap();
        db.migrate().await.unwrap();
        if std::env::var("BENCH_SKIP_SQLITE").is_err() {
            run("SQLite", db, &url, total).await;
        }
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(pg) = std::env::var("BENCH_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
            let admin = Db::connect(&pg, None).await.unwrap();
            let schema = format!("bench_{}", std::process::id());
            sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(&admin.pool).await.unwrap();
            let db = Db::connect(&pg, Some(schema.clone())).await.unwrap();
            db.migrate().await.unwrap();
            run("PostgreSQL", db.clone(), &pg, total).await;
            db.pool.close().await;
            sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE")).execute(&admin.pool).await.unwrap();
        }
    });
}
