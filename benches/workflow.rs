//! Workflow runs per second and latency percentiles for the Stripe Checkout schema's default
//! workflow against a zero-latency local Stripe stub, with one and with two worker threads, and
//! the process's memory before and after 200 concurrent runs. Run: `cargo bench --bench workflow`.
use axum::Router;
use offerdeck::model::DEFAULT_STRIPE_CHECKOUT_WORKFLOW;
use offerdeck::server::stripe::StripeClient;
use offerdeck::server::workflow::{Engine, Host, Limits, compile};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct StubHost(StripeClient);

impl Host for StubHost {
    fn stripe_request(&self, req: Value) -> Pin<Box<dyn Future<Output = Value> + Send>> {
        let client = self.0.clone();
        Box::pin(async move {
            let path = req["path"].as_str().unwrap_or("/v1/x").to_string();
            let method = req["method"].as_str().unwrap_or("GET").to_string();
            match client.request("sk_test_bench", &method, &path, req.get("body"), None).await {
                Ok(r) => json!({"ok": r.ok(), "status": r.status, "data": r.data}),
                Err(e) => json!({"ok": false, "status": 0, "data": {"error": {"message": e.0}}}),
            }
        })
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

async fn stub() -> String {
    let app = Router::new().fallback(|| async { axum::Json(json!({"id": "cs_test_bench", "url": "https://checkout.stripe.com/c/pay/cs_test_bench"})) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn input() -> Value {
    json!({
        "offer": {"id": "off_bench", "token": "tok", "presentation": {"title": "Premium", "price": "£10.00"},
                  "redemptionSchema": "mos:stripe-checkout-instructions",
                  "redemption": {"instructions": {"mode": "subscription", "line_items": [{"price": "price_a", "quantity": 1}, {"price": "price_b", "quantity": 1}]}}},
        "identity": {"type": "authenticated", "identifier": "buyer@example.com"},
        "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn measure(threads: usize, runs: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build().unwrap();
    rt.block_on(async move {
        let base = stub().await;
        let host: Arc<dyn Host> = Arc::new(StubHost(StripeClient::with_policy(&base, 0, Duration::ZERO)));
        let compiled = Arc::new(compile(DEFAULT_STRIPE_CHECKOUT_WORKFLOW).unwrap());
        let engine = Engine::new(Limits { max_concurrent: threads * 2, tenant_concurrent: threads * 2, ..Limits::default() });
        // Warm-up: the bytecode cache, the HTTP connection pool, the allocator.
        for _ in 0..50 {
            assert!(engine.run("bench", &compiled, input(), host.clone()).await.unwrap().result.unwrap().success);
        }
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        let per_task = runs / (threads * 2);
        for _ in 0..threads * 2 {
            let (engine, compiled, host) = (engine.clone(), compiled.clone(), host.clone());
            set.spawn(async move {
                let mut lat = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    let out = engine.run("bench", &compiled, input(), host.clone()).await.unwrap();
                    assert!(out.result.is_ok());
                    lat.push(t.elapsed());
                }
                lat
            });
        }
        let mut all = Vec::new();
        while let Some(r) = set.join_next().await {
            all.extend(r.unwrap());
        }
        let elapsed = start.elapsed();
        all.sort();
        println!(
            "workflow default-stripe-checkout threads={threads}: {} runs in {:.2}s = {:.0} runs/s, p50 {:.3} ms, p99 {:.3} ms",
            all.len(),
            elapsed.as_secs_f64(),
            all.len() as f64 / elapsed.as_secs_f64(),
            percentile(&all, 0.50),
            percentile(&all, 0.99)
        );
    });
}

fn memory() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let base = stub().await;
        let host: Arc<dyn Host> = Arc::new(StubHost(StripeClient::with_policy(&base, 0, Duration::ZERO)));
        let compiled = Arc::new(compile(DEFAULT_STRIPE_CHECKOUT_WORKFLOW).unwrap());
        let engine = Engine::new(Limits { max_concurrent: 200, tenant_concurrent: 200, queue_wait: Duration::from_secs(60), ..Limits::default() });
        let batch = |n: usize| {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let (engine, compiled, host) = (engine.clone(), compiled.clone(), host.clone());
                set.spawn(async move { engine.run("bench", &compiled, input(), host).await.unwrap().result.is_ok() });
            }
            set
        };
        let mut warm = batch(200);
        while warm.join_next().await.is_some() {}
        let before = rss_kib();
        for _ in 0..5 {
            let mut set = batch(200);
            let mut ok = 0;
            while let Some(r) = set.join_next().await {
                ok += r.unwrap() as usize;
            }
            assert_eq!(ok, 200);
        }
        let after = rss_kib();
        println!(
            "memory: RSS {before} KiB after a warm-up batch of 200 concurrent runs, {after} KiB after 5 more batches of 200 ({:+} KiB)",
            after as i64 - before as i64
        );
    });
}

fn main() {
    let runs = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(4000);
    measure(1, runs);
    measure(2, runs);
    memory();
}
