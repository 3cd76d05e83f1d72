//! Runs a compiled workflow in QuickJS-ng (rquickjs): a fresh runtime per run so that nothing
//! leaks between end users, a memory limit, a JavaScript CPU-time limit (time spent waiting on
//! Stripe does not count), a wall-time limit, and a cap on concurrent runs.
use super::compile::{Compiled, original_position};
use rquickjs::function::{Async, Func};
use rquickjs::promise::MaybePromise;
use rquickjs::{AsyncContext, AsyncRuntime, Ctx, Function, Module, Object, Value};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct Limits {
    pub memory_bytes: usize,
    pub cpu: Duration,
    pub wall: Duration,
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_bytes: 32 << 20, cpu: Duration::from_millis(100), wall: Duration::from_secs(10), max_concurrent: 16 }
    }
}

/// What the sandbox may call out to. `stripe_request` gets `{method, path, body}` and answers
/// `{ok, status, data}`; the secret key stays on the host side.
pub trait Host: Send + Sync + 'static {
    fn stripe_request(&self, request: serde_json::Value) -> Pin<Box<dyn Future<Output = serde_json::Value> + Send>>;
}

/// A workflow's answer, checked: `{success, statusCode?, action?: "navigate", url?, properties?, message?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowResult {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a run failed; `line` is in the code as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowFailure {
    pub message: String,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub result: Result<WorkflowResult, WorkflowFailure>,
    pub logs: Vec<String>,
    pub duration_ms: f64,
}

#[derive(Clone)]
pub struct Engine {
    limits: Limits,
    permits: Arc<Semaphore>,
    /// QuickJS bytecode per compiled workflow: each version is compiled to bytecode once per
    /// process and every run loads it into a fresh runtime.
    bytecode: Arc<Mutex<std::collections::HashMap<u64, Arc<Vec<u8>>>>>,
}

const BYTECODE_CACHE_ENTRIES: usize = 1024;

fn cache_key(js: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    js.hash(&mut h);
    h.finish()
}

const MAX_LOG_LINES: usize = 200;
const MAX_LOG_LINE: usize = 2000;

const PRELUDE: &str = r#"(() => {
  const log = globalThis.__log, stripe = globalThis.__stripe;
  delete globalThis.__log; delete globalThis.__stripe;
  const fmt = (v) => {
    if (typeof v === 'string') return v;
    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch (_) { return String(v); }
  };
  const write = (...a) => log(a.map(fmt).join(' '));
  globalThis.console = Object.freeze({ log: write, info: write, warn: write, error: write, debug: write });
  const request = async (req) => JSON.parse(await stripe(JSON.stringify(req === undefined ? {} : req)));
  return Object.freeze({ stripe: Object.freeze({ request }) });
})()"#;

impl Engine {
    pub fn new(limits: Limits) -> Self {
        let permits = Arc::new(Semaphore::new(limits.max_concurrent.max(1)));
        Engine { limits, permits, bytecode: Arc::default() }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs `compiled`'s default export with `input` (`{offer, identity}`; `integrations` is added).
    pub async fn run(&self, compiled: &Compiled, input: serde_json::Value, host: Arc<dyn Host>) -> RunOutcome {
        let _permit = self.permits.acquire().await;
        let start = Instant::now();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let result = match tokio::time::timeout(self.limits.wall, self.run_inner(compiled, input, host, logs.clone(), start)).await {
            Ok(r) => r,
            Err(_) => Err(WorkflowFailure { message: format!("the workflow did not finish within {} ms (wall-time limit)", self.limits.wall.as_millis()), line: None }),
        };
        let logs = logs.lock().map(|l| l.clone()).unwrap_or_default();
        RunOutcome { result, logs, duration_ms: start.elapsed().as_secs_f64() * 1000.0 }
    }

    async fn run_inner(
        &self,
        compiled: &Compiled,
        input: serde_json::Value,
        host: Arc<dyn Host>,
        logs: Arc<Mutex<Vec<String>>>,
        start: Instant,
    ) -> Result<WorkflowResult, WorkflowFailure> {
        let setup = |e: rquickjs::Error| WorkflowFailure { message: format!("the sandbox could not start: {e}"), line: None };
        let rt = AsyncRuntime::new().map_err(setup)?;
        rt.set_memory_limit(self.limits.memory_bytes).await;
        rt.set_max_stack_size(256 * 1024).await;
        let waited = Arc::new(AtomicU64::new(0));
        let interrupted = Arc::new(AtomicBool::new(false));
        {
            let (waited, interrupted, cpu) = (waited.clone(), interrupted.clone(), self.limits.cpu);
            rt.set_interrupt_handler(Some(Box::new(move || {
                let js_time = start.elapsed().saturating_sub(Duration::from_nanos(waited.load(Ordering::Relaxed)));
                let stop = js_time > cpu;
                if stop {
                    interrupted.store(true, Ordering::Relaxed);
                }
                stop
            })))
            .await;
        }
        let ctx = AsyncContext::full(&rt).await.map_err(setup)?;
        let js = compiled.js.clone();
        let key = cache_key(&js);
        let cached = self.bytecode.lock().ok().and_then(|c| c.get(&key).cloned());
        let cache = self.bytecode.clone();
        let input_json = input.to_string();
        let out: Result<String, (String, Option<String>)> = ctx
            .async_with(async |ctx| {
                let r = evaluate(ctx.clone(), js, cached, (cache, key), input_json, host, logs, waited).await;
                match r {
                    Ok(s) => Ok(s),
                    Err(rquickjs::Error::Exception) => Err(describe(ctx.catch())),
                    Err(e) => Err((e.to_string(), None)),
                }
            })
            .await;
        drop(ctx);
        rt.run_gc().await;
        match out {
            Ok(json) => validate(&json),
            Err((message, stack)) => {
                if interrupted.load(Ordering::Relaxed) || message.contains("interrupted") {
                    return Err(WorkflowFailure { message: format!("the workflow used more than {} ms of CPU time and was stopped", self.limits.cpu.as_millis()), line: None });
                }
                if message.contains("out of memory") {
                    return Err(WorkflowFailure { message: format!("the workflow exceeded its memory limit of {} MiB and was stopped", self.limits.memory_bytes >> 20), line: None });
                }
                let line = stack.as_deref().and_then(|s| generated_position(s)).and_then(|(l, c)| original_position(compiled, l, c)).map(|(l, _)| l);
                Err(WorkflowFailure { message, line })
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn evaluate<'js>(
    ctx: Ctx<'js>,
    js: String,
    bytecode: Option<Arc<Vec<u8>>>,
    (cache, key): (Arc<Mutex<std::collections::HashMap<u64, Arc<Vec<u8>>>>>, u64),
    input_json: String,
    host: Arc<dyn Host>,
    logs: Arc<Mutex<Vec<String>>>,
    waited: Arc<AtomicU64>,
) -> rquickjs::Result<String> {
    let globals = ctx.globals();
    globals.set(
        "__log",
        Func::from(move |line: String| {
            if let Ok(mut l) = logs.lock() {
                if l.len() < MAX_LOG_LINES {
                    l.push(line.chars().take(MAX_LOG_LINE).collect());
                }
            }
        }),
    )?;
    globals.set(
        "__stripe",
        Func::from(Async(move |request: String| {
            let (host, waited) = (host.clone(), waited.clone());
            async move {
                let started = Instant::now();
                let req: serde_json::Value = serde_json::from_str(&request).unwrap_or(serde_json::Value::Null);
                let res = host.stripe_request(req).await;
                waited.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                Ok::<String, rquickjs::Error>(res.to_string())
            }
        })),
    )?;
    let integrations: Object = ctx.eval(PRELUDE)?;
    let declared = match &bytecode {
        // SAFETY: the bytes were written by `Module::write` of this same QuickJS build, from
        // code we compiled; `bytecode` keeps them alive for the whole run.
        Some(bytes) => unsafe { Module::load(ctx.clone(), bytes)? },
        None => {
            let m = Module::declare(ctx.clone(), "workflow", js)?;
            if let Ok(bytes) = m.write(rquickjs::module::WriteOptions::default()) {
                if let Ok(mut c) = cache.lock() {
                    if c.len() >= BYTECODE_CACHE_ENTRIES {
                        c.clear();
                    }
                    c.insert(key, Arc::new(bytes));
                }
            }
            m
        }
    };
    let (module, promise) = declared.eval()?;
    promise.into_future::<()>().await?;
    let f: Function = module.get("default")?;
    let input: Value = ctx.json_parse(input_json)?;
    let input = input.into_object().ok_or_else(|| rquickjs::Error::new_from_js("value", "object"))?;
    input.set("integrations", integrations)?;
    let result: Value = f.call::<_, MaybePromise>((input,))?.into_future::<Value>().await?;
    match ctx.json_stringify(result)? {
        Some(s) => s.to_string(),
        None => Ok("null".into()),
    }
}

/// `(message, stack)` of whatever was thrown.
fn describe(v: Value<'_>) -> (String, Option<String>) {
    if let Some(ex) = v.as_exception() {
        let message = ex.message().unwrap_or_else(|| "error".into());
        let name = ex.get::<_, String>("name").unwrap_or_else(|_| "Error".into());
        return (format!("{name}: {message}"), ex.stack());
    }
    let text = v
        .as_string()
        .and_then(|s| s.to_string().ok())
        .or_else(|| v.ctx().json_stringify(v.clone()).ok().flatten().and_then(|s| s.to_string().ok()))
        .unwrap_or_else(|| "a non-Error value".into());
    (format!("Uncaught {text}"), None)
}

/// The first `workflow:LINE:COL` of a QuickJS stack.
fn generated_position(stack: &str) -> Option<(u32, u32)> {
    let i = stack.find("workflow:")? + "workflow:".len();
    let rest = &stack[i..];
    let mut parts = rest.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
    let line = parts.next()?.parse().ok()?;
    let col = parts.next().and_then(|c| c.parse().ok()).unwrap_or(1);
    Some((line, col))
}

fn validate(json: &str) -> Result<WorkflowResult, WorkflowFailure> {
    let bad = |m: &str| Err(WorkflowFailure { message: format!("the workflow returned an invalid result: {m}"), line: None });
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
    let Some(obj) = v.as_object() else { return bad("expected an object like { success: true }") };
    let Some(success) = obj.get("success").and_then(|s| s.as_bool()) else { return bad("`success` must be true or false") };
    let status_code = match obj.get("statusCode") {
        None | Some(serde_json::Value::Null) => None,
        Some(s) => match s.as_u64().filter(|c| (100..=599).contains(c)) {
            Some(c) => Some(c as u16),
            None => return bad("`statusCode` must be an HTTP status between 100 and 599"),
        },
    };
    let action = match obj.get("action") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(a)) if a == "navigate" => Some(a.clone()),
        Some(_) => return bad("`action` must be \"navigate\" when given"),
    };
    let url = match obj.get("url") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(u)) if u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/') => Some(u.clone()),
        Some(_) => return bad("`url` must be an http(s) URL or a path"),
    };
    if action.is_some() && url.is_none() {
        return bad("a navigate action needs a `url`");
    }
    let properties = match obj.get("properties") {
        None | Some(serde_json::Value::Null) => None,
        Some(p @ serde_json::Value::Object(_)) => Some(p.clone()),
        Some(_) => return bad("`properties` must be an object"),
    };
    let message = obj.get("message").and_then(|m| m.as_str()).map(str::to_string);
    Ok(WorkflowResult { success, status_code, action, url, properties, message })
}

#[cfg(test)]
mod tests {
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
        Engine::new(Limits::default()).run(&c, input, host()).await
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
        let out = Engine::new(Limits::default()).run(&c, json!({"offer": {}, "identity": {}}), h.clone()).await;
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
        for probe in ["typeof setTimeout", "typeof require", "typeof fetch", "typeof std", "typeof os", "typeof process", "typeof XMLHttpRequest", "typeof __stripe", "typeof __log"] {
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
        let out = Engine::new(Limits::default()).run(&c, json!({}), Arc::new(Slow(Some(Duration::from_millis(150))))).await;
        assert!(out.result.is_ok(), "{:?}", out.result);
        assert!(out.duration_ms >= 300.0);
    }

    #[tokio::test]
    async fn the_wall_time_limit_stops_a_run_that_never_ends() {
        let c = compile("export default async function ({ integrations }) {\n  await integrations.stripe.request({ method: 'GET', path: '/v1/a' });\n  return { success: true };\n}\n").unwrap();
        let limits = Limits { wall: Duration::from_millis(300), ..Limits::default() };
        let out = Engine::new(limits).run(&c, json!({}), Arc::new(Slow(None))).await;
        let err = out.result.unwrap_err();
        assert!(err.message.contains("wall-time limit"), "{err:?}");
    }

    #[tokio::test]
    async fn cached_bytecode_runs_keep_error_lines() {
        let src = "type T = { a: string };\n\nexport default async function () {\n  throw new TypeError('bad ' + 1);\n}\n";
        let c = compile(src).unwrap();
        let engine = Engine::new(Limits::default());
        for _ in 0..2 {
            let err = engine.run(&c, json!({}), host()).await.result.unwrap_err();
            assert_eq!((err.message.as_str(), err.line), ("TypeError: bad 1", Some(4)));
        }
        assert_eq!(engine.bytecode.lock().unwrap().len(), 1, "compiled to bytecode once");
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
            let out = engine.run(&c, json!({}), host()).await;
            assert_eq!(out.result.unwrap().message.as_deref(), Some("1"));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_hundred_concurrent_runs_complete() {
        let c = Arc::new(compile("export default async function ({ offer }) { return { success: true, message: offer.id }; }\n").unwrap());
        let engine = Engine::new(Limits::default());
        let mut set = tokio::task::JoinSet::new();
        for i in 0..200 {
            let (c, engine) = (c.clone(), engine.clone());
            set.spawn(async move { engine.run(&c, json!({"offer": {"id": format!("off_{i}")}}), host()).await });
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            if r.unwrap().result.is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 200);
    }
}
