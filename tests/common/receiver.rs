//! A webhook receiver for tests: a real HTTP server that hands every request it gets to the test
//! (through a channel, so the test waits for the request rather than for time) and answers with
//! the scripted status codes, then 200.
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

#[derive(Clone)]
struct Inner {
    tx: mpsc::UnboundedSender<Received>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let app = Router::new().fallback(handle).with_state(Inner { tx, script: script.clone() });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, rx, script }
    }

    /// The next answers, in order; 200 after them. `0` never answers (a receiver that hangs).
    pub fn script(&self, codes: &[u16]) {
        self.script.lock().unwrap().extend(codes.iter().copied());
    }

    /// The next request, or a failure naming what was awaited after `secs`.
    pub async fn next(&mut self, secs: u64, what: &str) -> Received {
        tokio::time::timeout(std::time::Duration::from_secs(secs), self.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no webhook arrived within {secs} s: {what}"))
            .expect("receiver stopped")
    }

    /// True when nothing else arrived (only after the sender has settled, see the callers).
    pub fn nothing_more(&mut self) -> bool {
        self.rx.try_recv().is_err()
    }
}

async fn handle(State(inner): State<Inner>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let code = inner.script.lock().unwrap().pop_front().unwrap_or(200);
    let _ = inner.tx.send(Received { headers, body: String::from_utf8_lossy(&body).to_string() });
    if code == 0 {
        std::future::pending::<()>().await;
    }
    StatusCode::from_u16(code).unwrap()
}
