//! Runs a compiled workflow in QuickJS-ng (rquickjs): a fresh runtime per run so that nothing
//! leaks between end users, a memory limit, a limit on the CPU time the script itself uses
//! (measured per poll with the thread's CPU clock: waiting on Stripe, and the host's own work for
//! Stripe calls, do not count), a wall-time limit that also stops a script that never yields, a
//! cap on integration calls and on the size of everything a run hands back, and a cap on
//! concurrent runs, globally and per tenant, with a bounded wait for a slot.
use super::compile::{Compiled, original_position};
use rquickjs::promise::MaybePromise;
use rquickjs::{AsyncContext, AsyncRuntime, Ctx, Function, Module, Object, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// QuickJS's own stack limit, counted from where rquickjs enters it (it moves the mark on every
/// poll and call). Runs are polled on tokio workers and test threads, whose stacks are 2 MiB, so
/// QuickJS throws "stack overflow" (deep recursion, deeply nested `JSON.parse` or code) long
/// before the thread's guard page.
const QUICKJS_STACK_BYTES: usize = 256 << 10;

mod host;
mod limits;
#[cfg(test)]
mod tests;

use host::Integrations;

pub use limits::*;

type Tenants = Arc<Mutex<HashMap<String, Arc<Semaphore>>>>;
type BytecodeCache = Arc<Mutex<HashMap<u64, Arc<Vec<u8>>>>>;

#[derive(Clone)]
pub struct Engine {
    limits: Limits,
    permits: Arc<Semaphore>,
    /// One semaphore per tenant with runs going or waiting; removed when idle, so the map holds
    /// at most the tenants that are running something.
    tenants: Tenants,
    /// QuickJS bytecode per compiled workflow: each version is compiled to bytecode once per
    /// process and every run loads it into a fresh runtime.
    bytecode: BytecodeCache,
}

const BYTECODE_CACHE_ENTRIES: usize = 1024;

fn cache_key(js: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    js.hash(&mut h);
    h.finish()
}

/// A run's slots: the process's and its tenant's. Dropping it frees both and forgets the
/// tenant's semaphore when nothing else holds or waits for it.
struct Slot {
    global: Option<OwnedSemaphorePermit>,
    tenant: Option<OwnedSemaphorePermit>,
    sem: Option<Arc<Semaphore>>,
    name: String,
    tenants: Tenants,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.global.take();
        self.tenant.take();
        self.sem.take();
        if let Ok(mut map) = self.tenants.lock() {
            // Clones are taken only under this lock, so a count of one (the map's) is final.
            if map.get(&self.name).is_some_and(|s| Arc::strong_count(s) == 1) {
                map.remove(&self.name);
            }
        }
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `clock_gettime` writes into the timespec we own and reads nothing else.
        #[allow(unsafe_code)]
        let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if r == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    // No thread CPU clock: wall time, which only ever counts more.
    static EPOCH: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);
    EPOCH.elapsed()
}

/// The CPU time a run's script has used. Every poll of the run is timed with the polling
/// thread's CPU clock; the polls of the integrations' futures (made from inside the run's poll)
/// are timed too and taken off. The interrupt handler, which QuickJS calls on the polling
/// thread, adds the current poll so far.
#[derive(Default)]
struct CpuClock {
    spent_ns: AtomicU64,
    host_ns: AtomicU64,
    poll_start_ns: AtomicU64,
    polling: AtomicBool,
}

impl CpuClock {
    fn used(&self) -> Duration {
        let mut ns = self.spent_ns.load(Ordering::Relaxed);
        if self.polling.load(Ordering::Relaxed) {
            ns += (thread_cpu().as_nanos() as u64).saturating_sub(self.poll_start_ns.load(Ordering::Relaxed));
        }
        Duration::from_nanos(ns.saturating_sub(self.host_ns.load(Ordering::Relaxed)))
    }
}

/// A future whose polls are timed on `clock`: the run's (`host` false) or an integration call's.
struct Metered<F: Future + ?Sized> {
    inner: Pin<Box<F>>,
    clock: Arc<CpuClock>,
    host: bool,
}

impl<F: Future + ?Sized> Future for Metered<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let t0 = thread_cpu().as_nanos() as u64;
        if !this.host {
            this.clock.poll_start_ns.store(t0, Ordering::Relaxed);
            this.clock.polling.store(true, Ordering::Relaxed);
        }
        let r = this.inner.as_mut().poll(cx);
        let dt = (thread_cpu().as_nanos() as u64).saturating_sub(t0);
        if this.host {
            this.clock.host_ns.fetch_add(dt, Ordering::Relaxed);
        } else {
            this.clock.spent_ns.fetch_add(dt, Ordering::Relaxed);
            this.clock.polling.store(false, Ordering::Relaxed);
        }
        r
    }
}

/// A run's log, bounded in lines, line length and bytes.
#[derive(Default)]
struct Logs {
    lines: Vec<String>,
    bytes: usize,
    truncated: bool,
}

impl Logs {
    fn push(&mut self, line: &str) {
        if self.truncated {
            return;
        }
        let line: String = line.chars().take(MAX_LOG_LINE).collect();
        if self.lines.len() >= MAX_LOG_LINES || self.bytes + line.len() > MAX_LOG_BYTES {
            self.truncated = true;
            return;
        }
        self.bytes += line.len();
        self.lines.push(line);
    }

    fn finish(&mut self) -> Vec<String> {
        let mut lines = std::mem::take(&mut self.lines);
        if self.truncated {
            lines.push(LOGS_TRUNCATED.into());
        }
        lines
    }
}

fn bounded(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Why the interrupt handler stopped the script.
const STOP_CPU: u8 = 1;
const STOP_WALL: u8 = 2;

impl Engine {
    pub fn new(limits: Limits) -> Self {
        let permits = Arc::new(Semaphore::new(limits.max_concurrent.max(1)));
        Engine { limits, permits, tenants: Arc::default(), bytecode: Arc::default() }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Tenants with a run going or waiting (their semaphores are kept only that long).
    pub fn tenants_tracked(&self) -> usize {
        self.tenants.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Waits (at most `queue_wait` in all) for a slot of `tenant`'s share, then for one of the
    /// process's.
    async fn slot(&self, tenant: &str) -> Result<Slot, Busy> {
        let deadline = tokio::time::Instant::now() + self.limits.queue_wait;
        let share = self.limits.tenant_concurrent.clamp(1, self.limits.max_concurrent.max(1));
        let sem = match self.tenants.lock() {
            Ok(mut map) => map.entry(tenant.to_string()).or_insert_with(|| Arc::new(Semaphore::new(share))).clone(),
            Err(_) => Arc::new(Semaphore::new(share)),
        };
        let mut slot = Slot { global: None, tenant: None, sem: Some(sem.clone()), name: tenant.to_string(), tenants: self.tenants.clone() };
        let busy = |tenant| Busy { tenant };
        slot.tenant = Some(tokio::time::timeout_at(deadline, sem.acquire_owned()).await.map_err(|_| busy(true))?.map_err(|_| busy(true))?);
        slot.global = Some(tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await.map_err(|_| busy(false))?.map_err(|_| busy(false))?);
        Ok(slot)
    }

    /// Runs `compiled`'s default export with `input` (`{offer, identity}`; `integrations` is
    /// added) as one of `tenant`'s runs; `Busy` when no slot was free within `queue_wait`.
    pub async fn run(&self, tenant: &str, compiled: &Compiled, input: serde_json::Value, host: Arc<dyn Host>) -> Result<RunOutcome, Busy> {
        let _slot = self.slot(tenant).await?;
        let start = Instant::now();
        let logs = Arc::new(Mutex::new(Logs::default()));
        let result = match tokio::time::timeout(self.limits.wall, self.run_inner(compiled, input, host, logs.clone(), start)).await {
            Ok(r) => r.and_then(|json| validate(&json)),
            Err(_) => Err(self.wall_failure()),
        };
        let logs = logs.lock().map(|mut l| l.finish()).unwrap_or_default();
        Ok(RunOutcome { result, logs, duration_ms: start.elapsed().as_secs_f64() * 1000.0 })
    }

    /// Runs `compiled` like [`run`](Self::run) (same slots and limits) and answers whatever
    /// JSON its default export returned, unchecked: for scripts that are not redemption
    /// workflows (discount rules).
    pub async fn evaluate(
        &self,
        tenant: &str,
        compiled: &Compiled,
        input: serde_json::Value,
        host: Arc<dyn Host>,
    ) -> Result<Result<serde_json::Value, WorkflowFailure>, Busy> {
        let _slot = self.slot(tenant).await?;
        let start = Instant::now();
        let logs = Arc::new(Mutex::new(Logs::default()));
        Ok(match tokio::time::timeout(self.limits.wall, self.run_inner(compiled, input, host, logs, start)).await {
            Ok(r) => r.map(|json| serde_json::from_str(&json).unwrap_or(serde_json::Value::Null)),
            Err(_) => Err(self.wall_failure()),
        })
    }

    fn wall_failure(&self) -> WorkflowFailure {
        WorkflowFailure { message: format!("the workflow did not finish within {} ms (wall-time limit)", self.limits.wall.as_millis()), line: None }
    }

    async fn run_inner(
        &self,
        compiled: &Compiled,
        input: serde_json::Value,
        host: Arc<dyn Host>,
        logs: Arc<Mutex<Logs>>,
        start: Instant,
    ) -> Result<String, WorkflowFailure> {
        let setup = |e: rquickjs::Error| WorkflowFailure { message: format!("the sandbox could not start: {e}"), line: None };
        let rt = AsyncRuntime::new().map_err(setup)?;
        rt.set_memory_limit(self.limits.memory_bytes).await;
        rt.set_max_stack_size(QUICKJS_STACK_BYTES).await;
        let clock = Arc::new(CpuClock::default());
        let stopped = Arc::new(AtomicU8::new(0));
        {
            let (clock, stopped, cpu, wall) = (clock.clone(), stopped.clone(), self.limits.cpu, self.limits.wall);
            // The wall limit is checked here too: a script that never yields is never stopped
            // by the timeout around the run, which fires only when the run's future yields.
            rt.set_interrupt_handler(Some(Box::new(move || {
                let why = if clock.used() > cpu {
                    STOP_CPU
                } else if start.elapsed() > wall {
                    STOP_WALL
                } else {
                    return false;
                };
                let _ = stopped.compare_exchange(0, why, Ordering::Relaxed, Ordering::Relaxed);
                true
            })))
            .await;
        }
        let ctx = AsyncContext::full(&rt).await.map_err(setup)?;
        let js = compiled.js.clone();
        let key = cache_key(&js);
        let cached = self.bytecode.lock().ok().and_then(|c| c.get(&key).cloned());
        let cache = self.bytecode.clone();
        let input_json = input.to_string();
        let integrations = Integrations { host, logs, clock: clock.clone() };
        let script = ctx.async_with(async |ctx| {
            let r = evaluate(ctx.clone(), js, cached, (cache, key), input_json, integrations).await;
            match r {
                Ok(s) => Ok(s),
                Err(rquickjs::Error::Exception) => Err(describe(ctx.catch())),
                Err(e) => Err((e.to_string(), None)),
            }
        });
        let out: Result<String, (String, Option<String>)> = Metered { inner: Box::pin(script), clock: clock.clone(), host: false }.await;
        drop(ctx);
        rt.run_gc().await;
        match out {
            Ok(json) => Ok(json),
            Err((message, stack)) => {
                match stopped.load(Ordering::Relaxed) {
                    STOP_CPU => {
                        return Err(WorkflowFailure {
                            message: format!("the workflow used more than {} ms of CPU time and was stopped", self.limits.cpu.as_millis()),
                            line: None,
                        });
                    }
                    STOP_WALL => return Err(self.wall_failure()),
                    _ => {}
                }
                if message.contains("interrupted") {
                    return Err(WorkflowFailure {
                        message: format!("the workflow used more than {} ms of CPU time and was stopped", self.limits.cpu.as_millis()),
                        line: None,
                    });
                }
                if message.contains("out of memory") {
                    return Err(WorkflowFailure {
                        message: format!("the workflow exceeded its memory limit of {} MiB and was stopped", self.limits.memory_bytes >> 20),
                        line: None,
                    });
                }
                let line = stack.as_deref().and_then(generated_position).and_then(|(l, c)| original_position(compiled, l, c)).map(|(l, _)| l);
                Err(WorkflowFailure { message: bounded(message, MAX_FAILURE_CHARS), line })
            }
        }
    }
}

fn prelude_key() -> u64 {
    static KEY: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *KEY.get_or_init(|| cache_key(host::PRELUDE))
}

/// Declares and evaluates a module of ours from its cached bytecode (compiling and caching it
/// the first time): its namespace object.
async fn load_module<'js>(ctx: &Ctx<'js>, name: &str, source: &str, cache: &BytecodeCache, key: u64) -> rquickjs::Result<Object<'js>> {
    let cached = cache.lock().ok().and_then(|c| c.get(&key).cloned());
    let declared = match &cached {
        // SAFETY: as for the workflow's bytecode below: written by `Module::write` of this
        // QuickJS build from our own source, kept alive by `cached` while it loads.
        #[allow(unsafe_code)]
        Some(bytes) => unsafe { Module::load(ctx.clone(), bytes)? },
        None => {
            let m = Module::declare(ctx.clone(), name, source)?;
            if let Ok(bytes) = m.write(rquickjs::module::WriteOptions::default())
                && let Ok(mut c) = cache.lock()
            {
                c.insert(key, Arc::new(bytes));
            }
            m
        }
    };
    let (module, promise) = declared.eval()?;
    promise.into_future::<()>().await?;
    module.namespace()
}

async fn evaluate<'js>(
    ctx: Ctx<'js>,
    js: String,
    bytecode: Option<Arc<Vec<u8>>>,
    (cache, key): (BytecodeCache, u64),
    input_json: String,
    integrations: Integrations,
) -> rquickjs::Result<String> {
    host::install(&ctx, integrations)?;
    let integrations: Object = load_module(&ctx, "offerdeck:prelude", host::PRELUDE, &cache, prelude_key()).await?.get("default")?;
    let declared = match &bytecode {
        // SAFETY: the bytes were written by `Module::write` of this same QuickJS build, from
        // code we compiled; `bytecode` keeps them alive for the whole run.
        #[allow(unsafe_code)]
        Some(bytes) => unsafe { Module::load(ctx.clone(), bytes)? },
        None => {
            let m = Module::declare(ctx.clone(), "workflow", js)?;
            if let Ok(bytes) = m.write(rquickjs::module::WriteOptions::default())
                && let Ok(mut c) = cache.lock()
            {
                if c.len() >= BYTECODE_CACHE_ENTRIES {
                    c.clear();
                }
                c.insert(key, Arc::new(bytes));
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
    if json.len() > MAX_RESULT_BYTES {
        return Err(WorkflowFailure { message: format!("the workflow's result is larger than {} KiB", MAX_RESULT_BYTES >> 10), line: None });
    }
    let bad = |m: &str| Err(WorkflowFailure { message: format!("the workflow returned an invalid result: {m}"), line: None });
    let v: serde_json::Value = match serde_json::from_str(json) {
        Ok(v) => v,
        // QuickJS wrote it, so it is JSON: only serde_json's depth limit (128) refuses it.
        Err(_) => return bad("it nests too deeply"),
    };
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
        Some(serde_json::Value::String(u)) if u.chars().count() > MAX_URL_CHARS => return bad(&format!("`url` must be at most {MAX_URL_CHARS} characters")),
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
    if message.as_ref().is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS) {
        return bad(&format!("`message` must be at most {MAX_MESSAGE_CHARS} characters"));
    }
    Ok(WorkflowResult { success, status_code, action, url, properties, message })
}
