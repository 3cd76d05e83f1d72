//! Tests of the sandbox: limits, isolation, time accounting and bounds.
use super::*;
use crate::server::workflow::compile::compile;
use serde_json::json;

struct Recorder(Mutex<Vec<serde_json::Value>>);
impl Host for Recorder {
    fn stripe_request(&self, request: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        self.0.lock().unwrap().push(request.clone());
        Box::pin(async move {
            if request["path"] == "/v1/fail" {
                json!({"ok": false, "status": 400, "data": {"error": {"message": "No such price"}}})
            } else {
                json!({"ok": true, "status": 200, "data": {"url": "https://checkout.stripe.com/c/pay/cs_test_1"}})
            }
        })
    }
}

fn host() -> Arc<Recorder> {
    Arc::new(Recorder(Mutex::new(Vec::new())))
}

async fn run(src: &str, input: serde_json::Value) -> RunOutcome {
    let c = compile(src).unwrap_or_else(|e| panic!("{e:?}"));
    Engine::new(Limits::default()).run("t", &c, input, host()).await.unwrap()
}

#[tokio::test]
async fn returns_the_result_and_captures_logs() {
    let out = run(
        "export default async function ({ offer, identity }: any) {\n  console.log('hi', { id: offer.id }, 3);\n  return { success: true, action: 'navigate', url: 'https://x.test/' + offer.id, properties: { who: identity.identifier } };\n}\n",
        json!({"offer": {"id": "off_1"}, "identity": {"type": "authenticated", "identifier": "a@b.c"}}),
    )
    .await;
    let r = out.result.unwrap();
    assert!(r.success);
    assert_eq!(r.url.as_deref(), Some("https://x.test/off_1"));
    assert_eq!(r.properties.unwrap()["who"], "a@b.c");
    assert_eq!(out.logs, vec![r#"hi {"id":"off_1"} 3"#.to_string()]);
}

#[tokio::test]
async fn the_stripe_integration_goes_through_the_host() {
    let h = host();
    let c = compile("export default async function ({ integrations }) {\n  const a = await integrations.stripe.request({ method: 'POST', path: '/v1/checkout/sessions', body: { mode: 'payment' } });\n  const b = await integrations.stripe.request({ method: 'GET', path: '/v1/fail' });\n  return { success: a.ok && !b.ok, message: b.data.error.message + ' ' + b.status };\n}\n").unwrap();
    let out = Engine::new(Limits::default()).run("t", &c, json!({"offer": {}, "identity": {}}), h.clone()).await.unwrap();
    let r = out.result.unwrap();
    assert!(r.success);
    assert_eq!(r.message.as_deref(), Some("No such price 400"));
    let seen = h.0.lock().unwrap();
    assert_eq!(seen[0]["body"]["mode"], "payment");
    assert_eq!(seen.len(), 2);
}

#[tokio::test]
async fn an_endless_loop_is_stopped_inside_its_cpu_limit() {
    let started = Instant::now();
    let out = run("export default async function () {\n  while (true) { try { for(;;){} } catch (e) {} }\n}\n", json!({})).await;
    let err = out.result.unwrap_err();
    assert!(err.message.contains("CPU time"), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_memory_bomb_is_stopped() {
    let out = run("export default async function () {\n  const a = [];\n  for (;;) a.push('x'.repeat(1 << 20) + a.length);\n}\n", json!({})).await;
    let err = out.result.unwrap_err();
    assert!(err.message.contains("memory limit") || err.message.contains("CPU time"), "{err:?}");
}

#[tokio::test]
async fn there_is_no_io_but_the_integrations() {
    for probe in [
        "typeof setTimeout",
        "typeof require",
        "typeof fetch",
        "typeof std",
        "typeof os",
        "typeof process",
        "typeof XMLHttpRequest",
        "typeof __stripe",
        "typeof __log",
    ] {
        let src = format!("export default async function () {{ return {{ success: true, message: {probe} }}; }}\n");
        let out = run(&src, json!({})).await;
        assert_eq!(out.result.unwrap().message.as_deref(), Some("undefined"), "{probe}");
    }
    let out = run("export default async function () {\n  const m = await import('fs');\n  return { success: true };\n}\n", json!({})).await;
    assert!(out.result.is_err(), "dynamic import must fail");
}

#[tokio::test]
async fn a_thrown_error_reports_its_line_as_typed() {
    let src = "type Input = {\n  offer: { id: string };\n};\n\nexport default async function ({ offer }: Input) {\n  if (offer.id) {\n    throw new Error('no stock for ' + offer.id);\n  }\n  return { success: true };\n}\n";
    let out = run(src, json!({"offer": {"id": "off_9"}})).await;
    let err = out.result.unwrap_err();
    assert_eq!(err.message, "Error: no stock for off_9");
    assert_eq!(err.line, Some(7), "{err:?}");
}

/// A Stripe that takes its time (or never answers), to check the time accounting.
struct Slow(Option<Duration>);
impl Host for Slow {
    fn stripe_request(&self, _: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        let delay = self.0;
        Box::pin(async move {
            match delay {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
            json!({"ok": true, "status": 200, "data": {}})
        })
    }
}

#[tokio::test]
async fn waiting_on_stripe_does_not_count_as_cpu_time() {
    // Two 150 ms Stripe calls: 300 ms of waiting against a 100 ms CPU limit.
    let c = compile("export default async function ({ integrations }) {\n  await integrations.stripe.request({ method: 'GET', path: '/v1/a' });\n  await integrations.stripe.request({ method: 'GET', path: '/v1/b' });\n  return { success: true };\n}\n").unwrap();
    let out = Engine::new(Limits::default()).run("t", &c, json!({}), Arc::new(Slow(Some(Duration::from_millis(150))))).await.unwrap();
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert!(out.duration_ms >= 300.0);
}

#[tokio::test]
async fn the_wall_time_limit_stops_a_run_that_never_ends() {
    let c = compile("export default async function ({ integrations }) {\n  await integrations.stripe.request({ method: 'GET', path: '/v1/a' });\n  return { success: true };\n}\n").unwrap();
    let limits = Limits { wall: Duration::from_millis(300), ..Limits::default() };
    let out = Engine::new(limits).run("t", &c, json!({}), Arc::new(Slow(None))).await.unwrap();
    let err = out.result.unwrap_err();
    assert!(err.message.contains("wall-time limit"), "{err:?}");
}

#[tokio::test]
async fn cached_bytecode_runs_keep_error_lines() {
    let src = "type T = { a: string };\n\nexport default async function () {\n  throw new TypeError('bad ' + 1);\n}\n";
    let c = compile(src).unwrap();
    let engine = Engine::new(Limits::default());
    for _ in 0..2 {
        let err = engine.run("t", &c, json!({}), host()).await.unwrap().result.unwrap_err();
        assert_eq!((err.message.as_str(), err.line), ("TypeError: bad 1", Some(4)));
    }
    assert_eq!(engine.bytecode.lock().unwrap().len(), 2, "the prelude and the workflow, each compiled to bytecode once");
}

#[tokio::test]
async fn an_invalid_result_is_refused() {
    let out = run("export default async function () { return { ok: true }; }\n", json!({})).await;
    assert!(out.result.unwrap_err().message.contains("success"));
    let out = run("export default async function () { return { success: true, action: 'navigate' }; }\n", json!({})).await;
    assert!(out.result.unwrap_err().message.contains("url"));
}

#[tokio::test]
async fn runs_do_not_share_state() {
    let src = "export default async function () {\n  globalThis.seen = (globalThis.seen || 0) + 1;\n  return { success: true, message: String(globalThis.seen) };\n}\n";
    let c = compile(src).unwrap();
    let engine = Engine::new(Limits::default());
    for _ in 0..3 {
        let out = engine.run("t", &c, json!({}), host()).await.unwrap();
        assert_eq!(out.result.unwrap().message.as_deref(), Some("1"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_runs_complete() {
    let c = Arc::new(compile("export default async function ({ offer }) { return { success: true, message: offer.id }; }\n").unwrap());
    let engine = Engine::new(Limits { queue_wait: Duration::from_secs(60), ..Limits::default() });
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (c, engine) = (c.clone(), engine.clone());
        set.spawn(async move { engine.run("t", &c, json!({"offer": {"id": format!("off_{i}")}}), host()).await.unwrap() });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        if r.unwrap().result.is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 200);
}

fn run_with(limits: Limits, src: &str, host: Arc<dyn Host>) -> impl Future<Output = RunOutcome> {
    let c = compile(src).unwrap_or_else(|e| panic!("{e:?}"));
    async move { Engine::new(limits).run("t", &c, json!({"offer": {"id": "off_1"}}), host).await.unwrap() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_stripe_calls_do_not_buy_cpu_time() {
    // 20 calls of 150 ms at once: 150 ms of waiting, not 3 s, and a busy loop after them is
    // stopped at the CPU limit (under the old accounting it ran for ~3 s).
    let src = "export default async function ({ integrations }) {\n  const calls = [];\n  for (let i = 0; i < 20; i++) calls.push(integrations.stripe.request({ method: 'GET', path: '/v1/a' }));\n  await Promise.all(calls);\n  for (;;) {}\n}\n";
    let out = run_with(Limits::default(), src, Arc::new(Slow(Some(Duration::from_millis(150))))).await;
    let err = out.result.unwrap_err();
    assert!(err.message.contains("CPU time"), "{err:?}");
    assert!(out.duration_ms < 2_500.0, "stopped after {} ms", out.duration_ms);
}

/// A Stripe whose work is CPU on the host side (100 ms per call, in its poll).
struct Busywork;
impl Host for Busywork {
    fn stripe_request(&self, _: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        Box::pin(async move {
            let t = thread_cpu();
            while thread_cpu() - t < Duration::from_millis(100) {}
            json!({"ok": true, "status": 200, "data": {}})
        })
    }
}

#[tokio::test]
async fn the_hosts_own_work_is_not_the_scripts_cpu_time() {
    let src = "export default async function ({ integrations }) {\n  for (let i = 0; i < 3; i++) await integrations.stripe.request({ method: 'GET', path: '/v1/a' });\n  return { success: true };\n}\n";
    let out = run_with(Limits::default(), src, Arc::new(Busywork)).await;
    assert!(out.result.is_ok(), "{:?}", out.result);
}

#[test]
fn a_script_that_never_yields_is_stopped_by_the_wall_limit() {
    // A huge CPU limit: only the wall limit can stop it, and the timeout around the run
    // cannot fire because the run never yields. On a thread of its own, so that a failure
    // fails this test instead of hanging the run.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let limits = Limits { cpu: Duration::from_secs(3600), wall: Duration::from_millis(300), ..Limits::default() };
        let out = rt.block_on(run_with(limits, "export default async function () {\n  for (;;) {}\n}\n", host()));
        let _ = tx.send(out);
    });
    let out = rx.recv_timeout(Duration::from_secs(30)).expect("the run was not stopped");
    assert!(out.result.unwrap_err().message.contains("wall-time limit"));
    assert!(out.duration_ms < 5_000.0);
}

#[tokio::test]
async fn the_call_over_the_integration_cap_throws() {
    let h = host();
    let src = "export default async function ({ integrations }) {\n  let n = 0;\n  for (let i = 0; i < 60; i++) {\n    try { await integrations.stripe.request({ method: 'GET', path: '/v1/a' }); n++; }\n    catch (e) { return { success: false, message: n + ': ' + e.message }; }\n  }\n  return { success: true };\n}\n";
    let out = run_with(Limits::default(), src, h.clone()).await;
    assert_eq!(out.result.unwrap().message.as_deref(), Some("50: the workflow made more than 50 integration calls"));
    assert_eq!(h.0.lock().unwrap().len(), MAX_INTEGRATION_CALLS);
}

#[tokio::test]
async fn what_a_run_hands_back_is_bounded() {
    let big = run("export default async function () {\n  return { success: true, properties: { x: 'a'.repeat(70000) } };\n}\n", json!({})).await;
    assert_eq!(big.result.unwrap_err().message, "the workflow's result is larger than 64 KiB");
    let msg = run("export default async function () { return { success: false, message: 'm'.repeat(2001) }; }\n", json!({})).await;
    assert!(msg.result.unwrap_err().message.contains("`message` must be at most 2000 characters"));
    let url =
        run("export default async function () { return { success: true, action: 'navigate', url: 'https://x.test/' + 'u'.repeat(8200) }; }\n", json!({})).await;
    assert!(url.result.unwrap_err().message.contains("`url` must be at most 8192 characters"));
    let ok = run("export default async function () { return { success: true, action: 'navigate', url: 'https://x.test/' + 'u'.repeat(8000), message: 'm'.repeat(2000) }; }\n", json!({})).await;
    assert!(ok.result.is_ok(), "{:?}", ok.result);
    let deep = run(
        "export default async function () {\n  let p = {};\n  for (let i = 0; i < 200; i++) p = { p };\n  return { success: true, properties: p };\n}\n",
        json!({}),
    )
    .await;
    let err = deep.result.unwrap_err();
    assert!(err.message.contains("nests too deeply"), "{err:?}");
    let thrown = run("export default async function () { throw new Error('x'.repeat(100000)); }\n", json!({})).await;
    assert!(thrown.result.unwrap_err().message.chars().count() <= MAX_FAILURE_CHARS + 1);
}

#[tokio::test]
async fn logs_are_bounded_in_lines_and_in_bytes() {
    let long =
        run("export default async function () {\n  for (let i = 0; i < 200; i++) console.log('x'.repeat(5000));\n  return { success: true };\n}\n", json!({}))
            .await;
    assert_eq!(long.logs.last().map(String::as_str), Some(LOGS_TRUNCATED));
    assert!(long.logs.iter().all(|l| l.chars().count() <= MAX_LOG_LINE));
    assert!(long.logs.iter().map(String::len).sum::<usize>() <= MAX_LOG_BYTES + LOGS_TRUNCATED.len(), "{}", long.logs.len());
    let many = run("export default async function () {\n  for (let i = 0; i < 300; i++) console.log(i);\n  return { success: true };\n}\n", json!({})).await;
    assert_eq!(many.logs.len(), MAX_LOG_LINES + 1);
    assert_eq!(many.logs[MAX_LOG_LINES - 1], "199");
    assert_eq!(many.logs[MAX_LOG_LINES], LOGS_TRUNCATED);
    let few = run("export default async function () { console.log('a'); return { success: true }; }\n", json!({})).await;
    assert_eq!(few.logs, vec!["a".to_string()]);
}

/// A Stripe that answers 3 MiB.
struct Huge;
impl Host for Huge {
    fn stripe_request(&self, _: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        Box::pin(async move { json!({"ok": true, "status": 200, "data": {"x": "y".repeat(3 << 20)}}) })
    }
}

#[tokio::test]
async fn integration_requests_and_answers_are_bounded() {
    let h = host();
    let src = "export default async function ({ integrations }) {\n  try { await integrations.stripe.request({ method: 'POST', path: '/v1/a', body: { x: 'b'.repeat(300000) } }); }\n  catch (e) { return { success: false, message: e.message }; }\n  return { success: true };\n}\n";
    let out = run_with(Limits::default(), src, h.clone()).await;
    assert_eq!(out.result.unwrap().message.as_deref(), Some("the Stripe request is larger than 256 KiB"));
    assert!(h.0.lock().unwrap().is_empty(), "nothing was sent");
    let src = "export default async function ({ integrations }) {\n  try { await integrations.stripe.request({ method: 'GET', path: '/v1/a' }); }\n  catch (e) { return { success: false, message: e.message }; }\n  return { success: true };\n}\n";
    let out = run_with(Limits::default(), src, Arc::new(Huge)).await;
    assert_eq!(out.result.unwrap().message.as_deref(), Some("Stripe's answer is larger than 2 MiB"));
}

#[tokio::test]
async fn deep_recursion_and_deep_json_are_clean_failures() {
    for body in [
        "function f(n) { return f(n + 1) + 1; }\n  return { success: true, message: String(f(0)) };",
        "JSON.parse('['.repeat(100000));\n  return { success: true };",
        "const a = []; let p = a; for (let i = 0; i < 50000; i++) { const q = []; p.push(q); p = q; }\n  return { success: true, message: JSON.stringify(a).length + '' };",
    ] {
        let limits = Limits { cpu: Duration::from_secs(5), ..Limits::default() };
        let out = run_with(limits, &format!("export default async function () {{\n  {body}\n}}\n"), host()).await;
        let err = out.result.unwrap_err();
        assert!(err.message.to_lowercase().contains("stack"), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn legal_code_nested_150_deep_runs() {
    let src = format!("export default async function () {{\n  const x = {}1{};\n  return {{ success: x === 1 }};\n}}\n", "[(".repeat(75), ")][0]".repeat(75));
    let out = run(&src, json!({})).await;
    assert!(out.result.unwrap().success);
    // Statements nest without brackets (not counted by the pre-scan): QuickJS's parser
    // refuses what is too deep for its stack limit, cleanly.
    let src = format!("export default async function (a: any) {{\n  {}a.x = 1;\n  return {{ success: true }};\n}}\n", "if (a) ".repeat(5_000));
    let out = run(&src, json!({})).await;
    assert!(out.result.unwrap_err().message.to_lowercase().contains("stack"));
}

/// A Stripe that never answers and says when it has been called.
struct Gate(tokio::sync::mpsc::UnboundedSender<()>);
impl Host for Gate {
    fn stripe_request(&self, _: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>> {
        let _ = self.0.send(());
        Box::pin(std::future::pending())
    }
}

const HANGS: &str = "export default async function ({ integrations }) {\n  await integrations.stripe.request({ method: 'GET', path: '/v1/hang' });\n  return { success: true };\n}\n";
const QUICK: &str = "export default async function () { return { success: true }; }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_gets_its_share_and_waits_a_bounded_time_for_more() {
    let limits = Limits { max_concurrent: 3, tenant_concurrent: 2, queue_wait: Duration::from_millis(200), ..Limits::default() };
    let engine = Engine::new(limits);
    let (hangs, quick) = (Arc::new(compile(HANGS).unwrap()), compile(QUICK).unwrap());
    let (tx, mut called) = tokio::sync::mpsc::unbounded_channel();
    let mut running = Vec::new();
    for _ in 0..2 {
        let (engine, c, tx) = (engine.clone(), hangs.clone(), tx.clone());
        running.push(tokio::spawn(async move { engine.run("a", &c, json!({}), Arc::new(Gate(tx))).await }));
    }
    for _ in 0..2 {
        called.recv().await.unwrap();
    }
    // A's share is taken: its next run waits `queue_wait`, then is refused.
    let started = Instant::now();
    let refused = engine.run("a", &quick, json!({}), host()).await.unwrap_err();
    assert_eq!(refused, Busy { tenant: true });
    assert!(started.elapsed() >= Duration::from_millis(200));
    // B still runs at once.
    let b = tokio::time::timeout(Duration::from_secs(5), engine.run("b", &quick, json!({}), host())).await.expect("B was not held up");
    assert!(b.unwrap().result.unwrap().success);
    // The last global slot taken by C: B now waits for the process's slots.
    let c = {
        let (engine, h, tx) = (engine.clone(), hangs.clone(), tx.clone());
        tokio::spawn(async move { engine.run("c", &h, json!({}), Arc::new(Gate(tx))).await })
    };
    called.recv().await.unwrap();
    assert_eq!(engine.run("b", &quick, json!({}), host()).await.unwrap_err(), Busy { tenant: false });
    assert_eq!(engine.tenants_tracked(), 2, "a and c are running; b's entry is gone");
    for r in running.into_iter().chain([c]) {
        r.abort();
        let _ = r.await;
    }
    assert_eq!(engine.tenants_tracked(), 0, "idle tenants are forgotten");
    assert!(engine.run("a", &quick, json!({}), host()).await.unwrap().result.is_ok());
}

#[test]
fn busy_is_429_with_retry_after() {
    let e = crate::error::AppError::from(Busy { tenant: true });
    assert_eq!((e.status(), e.code.as_str(), e.retry_after), (429, "rate_limited", Some(1)));
}
