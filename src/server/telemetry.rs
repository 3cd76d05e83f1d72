//! Logging: `RUST_LOG` filters, text or JSON lines (`OFFERDECK_LOG_FORMAT=json`), one span per
//! request carrying method, matched path, status, latency, trace id and tenant. Logs go to
//! stderr so that the CLI's JSON output on stdout stays clean.
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

tokio::task_local! {
    static TRACE_ID: String;
    static REQUEST_SPAN: tracing::Span;
}

/// Records a field on the request's own span. `Span::current()` is not enough: a library's
/// span (enabled by a verbose `RUST_LOG`) may be the current one.
pub fn record_on_request(field: &'static str, value: &str) {
    let _ = REQUEST_SPAN.try_with(|s| {
        s.record(field, value);
    });
}

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry.with(fmt::layer().json().with_current_span(true).with_span_list(false).with_writer(std::io::stderr)).try_init()
    } else {
        registry.with(fmt::layer().compact().with_writer(std::io::stderr)).try_init()
    };
}

/// The trace id of the request being served ("-" outside a request).
pub fn current_trace_id() -> String {
    TRACE_ID.try_with(|t| t.clone()).unwrap_or_else(|_| "-".into())
}

/// The trace id as a request extension, for code that runs outside the request's task
/// (server functions run while a page renders).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn new_trace_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Wraps every request: a span, a trace id (also sent back as `x-trace-id`), one log line with
/// status and latency when the response is ready, and the security headers.
pub async fn request_span(mut req: Request, next: Next) -> Response {
    let trace_id = new_trace_id();
    req.extensions_mut().insert(RequestId(trace_id.clone()));
    // `path` is the matched route (`/api/v1/products/{id}`), recorded once routing is done;
    // `uri` is the raw path, for requests that match no route.
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        uri = %req.uri().path(),
        path = tracing::field::Empty,
        trace_id = %trace_id,
        tenant = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let start = std::time::Instant::now();
    let tid = trace_id.clone();
    let mut res = TRACE_ID
        .scope(
            trace_id,
            REQUEST_SPAN.scope(span.clone(), async {
                use tracing::Instrument;
                next.run(req).instrument(span.clone()).await
            }),
        )
        .await;
    let status = res.status().as_u16();
    let latency = start.elapsed().as_secs_f64() * 1000.0;
    span.record("status", status);
    span.record("latency_ms", latency);
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, latency_ms = latency, "request finished");
        } else {
            tracing::info!(status, latency_ms = latency, "request finished");
        }
    });
    let h = res.headers_mut();
    if let Ok(v) = http::HeaderValue::from_str(&tid) {
        h.insert("x-trace-id", v);
    }
    // Security headers on every answer (one layer fewer than a middleware of their own).
    h.insert("x-content-type-options", http::HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", http::HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", http::HeaderValue::from_static("same-origin"));
    res
}
