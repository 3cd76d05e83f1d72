//! What a workflow run is handed besides its input: `console`, `integrations.stripe.request`
//! and `integrations.offerdeck.…`, installed as host functions behind a frozen prelude, each call
//! counted and bounded in size both ways.
use super::{CpuClock, Host, Logs, MAX_ANSWER_BYTES, MAX_INTEGRATION_CALLS, MAX_REQUEST_BYTES, Metered};
use rquickjs::Ctx;
use rquickjs::function::{Async, Func};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A module whose default export is the frozen `integrations` object. Compiled to bytecode
/// once per process (parsing it took 7 % of a redemption's CPU under perf) and loaded per run.
pub(super) const PRELUDE: &str = r#"export default (() => {
  const log = globalThis.__log, stripe = globalThis.__stripe, host = globalThis.__offerdeck;
  delete globalThis.__log; delete globalThis.__stripe; delete globalThis.__offerdeck;
  const fmt = (v) => {
    if (typeof v === 'string') return v;
    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch (_) { return String(v); }
  };
  const write = (...a) => log(a.map(fmt).join(' '));
  globalThis.console = Object.freeze({ log: write, info: write, warn: write, error: write, debug: write });
  // The host answers JSON, or `!message` for a call it refused (a limit): thrown here.
  const request = async (req) => {
    const s = await stripe(JSON.stringify(req === undefined ? {} : req));
    if (s.charCodeAt(0) === 33) throw new Error(s.slice(1));
    return JSON.parse(s);
  };
  // offerdeck's own services: the answer, or an Error with the contract's message.
  const call = async (op, input) => {
    const s = await host(op, JSON.stringify(input === undefined ? {} : input));
    if (s.charCodeAt(0) === 33) throw new Error(s.slice(1));
    const r = JSON.parse(s);
    if (r && r.error) { const e = new Error(r.error.message); e.code = r.error.code; e.fields = r.error.fields; throw e; }
    return r;
  };
  const checkoutSessions = Object.freeze({ create: (input) => call('checkoutSessions.create', input) });
  return Object.freeze({ stripe: Object.freeze({ request }), offerdeck: Object.freeze({ checkoutSessions }) });
})();"#;

/// What the sandbox is handed: the integrations' host, the log, and the run's CPU clock.
pub(super) struct Integrations {
    pub(super) host: Arc<dyn Host>,
    pub(super) logs: Arc<Mutex<Logs>>,
    pub(super) clock: Arc<CpuClock>,
}

/// Counts an integration call and parses its request: the refusal the prelude throws when the
/// run made too many calls or the request is too large.
fn admit(calls: &AtomicUsize, request: &str, what: &str) -> Result<serde_json::Value, String> {
    if calls.fetch_add(1, Ordering::Relaxed) >= MAX_INTEGRATION_CALLS {
        return Err(refused(format!("the workflow made more than {MAX_INTEGRATION_CALLS} integration calls")));
    }
    if request.len() > MAX_REQUEST_BYTES {
        return Err(refused(format!("the {what} is larger than {} KiB", MAX_REQUEST_BYTES >> 10)));
    }
    Ok(serde_json::from_str(request).unwrap_or(serde_json::Value::Null))
}

/// An integration's answer as the script receives it, or a refusal when it is too large.
fn answer(res: serde_json::Value, what: &str) -> String {
    let text = res.to_string();
    if text.len() > MAX_ANSWER_BYTES {
        return refused(format!("{what} is larger than {} MiB", MAX_ANSWER_BYTES >> 20));
    }
    text
}

/// A refused integration call: the prelude throws `message`.
fn refused(message: String) -> String {
    format!("!{message}")
}

/// Installs the host functions in `ctx` as the globals the prelude takes (and deletes).
pub(super) fn install<'js>(ctx: &Ctx<'js>, integrations: Integrations) -> rquickjs::Result<()> {
    let Integrations { host, logs, clock } = integrations;
    let globals = ctx.globals();
    globals.set(
        "__log",
        Func::from(move |line: String| {
            if let Ok(mut l) = logs.lock() {
                l.push(&line);
            }
        }),
    )?;
    let calls = Arc::new(AtomicUsize::new(0));
    let (stripe_host, stripe_clock, stripe_calls) = (host.clone(), clock.clone(), calls.clone());
    globals.set(
        "__stripe",
        Func::from(Async(move |request: String| {
            let (host, clock, calls) = (stripe_host.clone(), stripe_clock.clone(), stripe_calls.clone());
            async move {
                let req = match admit(&calls, &request, "Stripe request") {
                    Ok(r) => r,
                    Err(refusal) => return Ok::<String, rquickjs::Error>(refusal),
                };
                drop(request);
                Ok(answer(Metered { inner: host.stripe_request(req), clock, host: true }.await, "Stripe's answer"))
            }
        })),
    )?;
    globals.set(
        "__offerdeck",
        Func::from(Async(move |op: String, request: String| {
            let (host, clock, calls) = (host.clone(), clock.clone(), calls.clone());
            async move {
                let req = match admit(&calls, &request, "request") {
                    Ok(r) => r,
                    Err(refusal) => return Ok::<String, rquickjs::Error>(refusal),
                };
                drop(request);
                Ok(answer(Metered { inner: host.offerdeck_request(op, req), clock, host: true }.await, "The answer"))
            }
        })),
    )?;
    Ok(())
}
