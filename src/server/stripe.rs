//! The one Stripe client of the server. Base URL from `STRIPE_API_BASE` (tests and staging point
//! it at a local Stripe-compatible server); Stripe's form encoding for nested objects and
//! arrays; timeouts; retries with back-off on network errors, 429 and 5xx, with one
//! `Idempotency-Key` per logical POST so that a retried POST never acts twice.
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    /// Shared: the client is cloned with the app state on every request.
    base: Arc<str>,
    max_retries: u32,
    initial_backoff: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StripeResponse {
    pub status: u16,
    pub data: Value,
}

impl StripeResponse {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// Stripe's own words for a failure (`error.message`), or a generic line with the status.
    pub fn error_message(&self) -> String {
        self.data.pointer("/error/message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("Stripe answered HTTP {}", self.status))
    }
}

/// The most of a response body that is read; Stripe's answers are a few KiB, and a workflow
/// hands whatever it asks for to its script, so a larger one is refused, not buffered.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// The body of `res`, or `None` past `MAX_RESPONSE_BYTES` (read no further than that).
async fn bounded_text(mut res: reqwest::Response) -> Option<String> {
    if res.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
        return None;
    }
    let mut body = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_RESPONSE_BYTES => return None,
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            // A body cut off in transit reads as empty, as before.
            Err(_) => return Some(String::new()),
        }
    }
    Some(String::from_utf8_lossy(&body).into_owned())
}

/// The API version of every call but the server-side discount updates.
pub const DEFAULT_VERSION: &str = "2024-06-20";

/// The version and beta flag that let a server update a Checkout session's discounts
/// (`permissions[update_discounts]=server_only`).
pub const CHECKOUT_SERVER_UPDATE_VERSION: &str = "2025-03-31.basil; checkout_server_update_beta=v1;";

/// Stripe could not be reached (after retries).
#[derive(Debug, Clone, PartialEq)]
pub struct StripeUnreachable(pub String);

impl StripeClient {
    pub fn new(base: &str) -> Self {
        Self::with_policy(base, 2, Duration::from_millis(500))
    }

    pub fn with_policy(base: &str, max_retries: u32, initial_backoff: Duration) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("offerdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client");
        StripeClient { http, base: base.trim_end_matches('/').into(), max_retries, initial_backoff }
    }

    pub fn base(&self) -> &str {
        &self.base[..]
    }

    /// Calls `method path` with the given secret key. `body` (an object) is form-encoded for
    /// POST/DELETE and becomes the query string for GET.
    pub async fn request(
        &self,
        secret_key: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<StripeResponse, StripeUnreachable> {
        self.request_as(secret_key, method, path, body, idempotency_key, DEFAULT_VERSION).await
    }

    /// [`request`](Self::request) with another `Stripe-Version` header (a beta such as
    /// [`CHECKOUT_SERVER_UPDATE_VERSION`]).
    pub async fn request_as(
        &self,
        secret_key: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
        version: &str,
    ) -> Result<StripeResponse, StripeUnreachable> {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).map_err(|_| StripeUnreachable(format!("unsupported method {method}")))?;
        if !stays_in_api(path) {
            return Err(StripeUnreachable("the path must be a Stripe API path under /v1/ (no '..', '\\', '%2e', '@' or control characters)".into()));
        }
        let pairs = body.map(form_pairs).unwrap_or_default();
        let idem = (method == reqwest::Method::POST).then(|| idempotency_key.map(str::to_string).unwrap_or_else(|| uuid::Uuid::new_v4().to_string()));
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let mut req = self.http.request(method.clone(), &url).bearer_auth(secret_key).header("Stripe-Version", version);
            if let Some(k) = &idem {
                req = req.header("Idempotency-Key", k);
            }
            req = if method == reqwest::Method::GET {
                req.query(&pairs)
            } else {
                req.header("content-type", "application/x-www-form-urlencoded").body(serde_urlencoded::to_string(&pairs).unwrap_or_default())
            };
            let retry_reason = match req.send().await {
                Ok(res) => {
                    let status = res.status().as_u16();
                    let should_retry = res.headers().get("stripe-should-retry").and_then(|v| v.to_str().ok()).map(|v| v == "true");
                    let Some(text) = bounded_text(res).await else {
                        return Err(StripeUnreachable(format!("Stripe's answer was larger than {} MiB", MAX_RESPONSE_BYTES >> 20)));
                    };
                    let data = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    let retryable = should_retry.unwrap_or(status == 429 || status >= 500);
                    if !retryable || attempt >= self.max_retries {
                        return Ok(StripeResponse { status, data });
                    }
                    format!("HTTP {status}")
                }
                Err(e) => {
                    let msg = if e.is_timeout() { "timed out".to_string() } else { "connection failed".to_string() };
                    if attempt >= self.max_retries {
                        return Err(StripeUnreachable(format!("Stripe could not be reached ({msg})")));
                    }
                    msg
                }
            };
            attempt += 1;
            let backoff = self.initial_backoff * 2u32.pow(attempt - 1);
            tracing::info!(attempt, reason = %retry_reason, path, "retrying Stripe request");
            if !backoff.is_zero() {
                let jitter = Duration::from_millis(rand::random::<u64>() % (backoff.as_millis() as u64 / 4 + 1));
                tokio::time::sleep(backoff + jitter).await;
            }
        }
    }
}

/// Stripe's form encoding: `{"line_items":[{"price":"p","quantity":1}]}` →
/// `line_items[0][price]=p`, `line_items[0][quantity]=1`; `null` sends an empty value (unset).
/// True for a path that cannot leave the Stripe API base, whatever URL normalisation does with
/// it: under `/v1/`, no dot segments (plain or percent-encoded), no backslashes, no authority
/// tricks, no whitespace or control characters, and of a sane length.
pub fn stays_in_api(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    path.starts_with("/v1/")
        && path.len() <= 2048
        && !path.split(['/', '?', '#']).any(|seg| seg == ".." || seg == ".")
        && !lower.contains("%2e")
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && !path.contains(['\\', '@'])
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
}

pub fn form_pairs(v: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}[{k}]") };
                    walk(&key, v, out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(&format!("{prefix}[{i}]"), v, out);
                }
            }
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
            Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
            Value::Null => out.push((prefix.to_string(), String::new())),
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A server that answers `/v1/{sized|stream}/N` with N KiB of JSON, with a length or
    /// streamed without one until it closes the connection.
    async fn big_answers() -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut req = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                        let Ok(n) = conn.read(&mut buf).await else { return };
                        if n == 0 {
                            return;
                        }
                        req.extend_from_slice(&buf[..n]);
                    }
                    let line = String::from_utf8_lossy(&req).lines().next().unwrap_or("").to_string();
                    let path: Vec<&str> = line.split(' ').nth(1).unwrap_or("").split('/').collect();
                    let kib: usize = path.get(3).and_then(|k| k.parse().ok()).unwrap_or(0);
                    let body = format!("{{\"x\":\"{}\"}}", "y".repeat(kib << 10));
                    let head = if path.get(2) == Some(&"sized") {
                        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len())
                    } else {
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_string()
                    };
                    let _ = conn.write_all(head.as_bytes()).await;
                    for chunk in body.as_bytes().chunks(64 << 10) {
                        if conn.write_all(chunk).await.is_err() {
                            return;
                        }
                    }
                    let _ = conn.shutdown().await;
                });
            }
        });
        base
    }

    #[tokio::test]
    async fn an_answer_over_a_mebibyte_is_refused_unread() {
        let base = big_answers().await;
        let client = StripeClient::with_policy(&base, 0, Duration::ZERO);
        for how in ["sized", "stream"] {
            let err = client.request("sk_test_x", "GET", &format!("/v1/{how}/2048"), None, None).await.unwrap_err();
            assert_eq!(err.0, "Stripe's answer was larger than 1 MiB", "{how}");
            let ok = client.request("sk_test_x", "GET", &format!("/v1/{how}/900"), None, None).await.unwrap();
            assert_eq!(ok.data["x"].as_str().map(str::len), Some(900 << 10), "{how}");
        }
    }

    #[test]
    fn workflow_paths_cannot_leave_the_api_base() {
        for ok in ["/v1/checkout/sessions", "/v1/customers/cus_1?expand[]=x", "/v1/prices/price_1"] {
            assert!(stays_in_api(ok), "{ok}");
        }
        for bad in [
            "/v2/x",
            "v1/x",
            "/v1/../admin",
            "/v1/x/../../y",
            "/v1/%2e%2e/x",
            "/v1/%2E./x",
            "/v1/..%2fx",
            "/v1/\\..\\x",
            "/v1/@evil.test",
            "/v1/x y",
            "/v1/x\ny",
            "//evil.test/v1/",
            "/v1/./x",
        ] {
            assert!(!stays_in_api(bad), "{bad}");
        }
    }

    #[test]
    fn encodes_nested_objects_and_arrays() {
        let v = json!({
            "mode": "subscription",
            "line_items": [{"price": "price_a", "quantity": 1}, {"price": "price_b", "quantity": 2}],
            "metadata": {"offer": "off_1"},
            "allow_promotion_codes": true,
            "customer_email": null
        });
        let pairs = form_pairs(&v);
        let got: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for want in [
            "mode=subscription",
            "line_items[0][price]=price_a",
            "line_items[0][quantity]=1",
            "line_items[1][price]=price_b",
            "line_items[1][quantity]=2",
            "metadata[offer]=off_1",
            "allow_promotion_codes=true",
            "customer_email=",
        ] {
            assert!(got.contains(&want.to_string()), "{want} missing from {got:?}");
        }
        assert!(!serde_urlencoded::to_string(&pairs[..1]).unwrap().is_empty());
    }
}
