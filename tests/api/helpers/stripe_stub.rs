//! A local Stripe-compatible HTTP server for tests: it records every request it receives and
//! answers from a script of queued responses, or with a default per path. Requests to paths under
//! `/v1/hang` are recorded and never answered (a Stripe that hangs).
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Recorded {
    pub fn form(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_str(if self.method == "GET" { &self.query } else { &self.body }).unwrap()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

#[derive(Clone, Default)]
struct Inner {
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    arrived: Arc<tokio::sync::Notify>,
}

pub struct StripeStub {
    pub base: String,
    inner: Inner,
}

/// The only key the stub accepts.
pub const GOOD_TEST_KEY: &str = "sk_test_51GoodKeyForTheStripeStub00";

impl StripeStub {
    pub async fn start() -> Self {
        let inner = Inner::default();
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        StripeStub { base, inner }
    }

    /// The next answers, in order, before the defaults apply again.
    pub fn script(&self, answers: Vec<(u16, Value)>) {
        self.inner.script.lock().unwrap().extend(answers);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Waits until `n` requests to `path` have arrived (no polling: woken by each request).
    pub async fn wait_for(&self, path: &str, n: usize) {
        loop {
            let arrived = self.inner.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if self.requests().iter().filter(|r| r.path == path).count() >= n {
                return;
            }
            arrived.await;
        }
    }
}

async fn handle(State(inner): State<Inner>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> (StatusCode, axum::Json<Value>) {
    let rec = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers.clone(),
        body: String::from_utf8_lossy(&body).to_string(),
    };
    inner.requests.lock().unwrap().push(rec.clone());
    inner.arrived.notify_waiters();
    if rec.path.starts_with("/v1/hang") {
        return std::future::pending().await;
    }
    if let Some((status, body)) = inner.script.lock().unwrap().pop_front() {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(body));
    }
    let key = rec.header("authorization").unwrap_or_default();
    if key != format!("Bearer {GOOD_TEST_KEY}") {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_****"}})),
        );
    }
    match (rec.method.as_str(), rec.path.as_str()) {
        ("GET", "/v1/account") => (
            StatusCode::OK,
            axum::Json(
                json!({"id": "acct_stub123", "object": "account", "email": "owner@example.com", "country": "GB", "business_profile": {"name": "Stub Shop"}}),
            ),
        ),
        ("POST", "/v1/checkout/sessions") => {
            (StatusCode::OK, axum::Json(json!({"id": "cs_test_stub", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_stub"})))
        }
        ("POST", "/v1/coupons") => {
            let form: std::collections::HashMap<String, String> = rec.form().into_iter().collect();
            let id = form.get("id").cloned().unwrap_or_default();
            if id.starts_with("REFUSE") {
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("Coupon {id} cannot be created on this account.")}})),
                );
            }
            (StatusCode::OK, axum::Json(json!({"id": id, "object": "coupon", "valid": true})))
        }
        ("DELETE", p) if p.starts_with("/v1/coupons/") => {
            (StatusCode::OK, axum::Json(json!({"id": p.trim_start_matches("/v1/coupons/"), "object": "coupon", "deleted": true})))
        }
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": format!("Unrecognized request URL ({} {})", rec.method, rec.path)}})),
        ),
    }
}
