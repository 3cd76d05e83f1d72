//! A webhook receiver for tests: a real HTTP server that hands every request it gets to the test
//! (through a channel, so the test waits for the request rather than for time) and answers with
//! the scripted answers, then 200. [`endless`] is a raw HTTP server whose answer never ends.
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
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

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    /// Never answers (a receiver that hangs).
    Hang,
    /// `307 Temporary Redirect` to this URL.
    Redirect(String),
}

#[derive(Clone)]
struct Inner {
    tx: mpsc::UnboundedSender<Received>,
    script: Arc<Mutex<VecDeque<Reply>>>,
}

pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    script: Arc<Mutex<VecDeque<Reply>>>,
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
        self.reply(&codes.iter().map(|&c| if c == 0 { Reply::Hang } else { Reply::Status(c) }).collect::<Vec<_>>());
    }

    /// The next answers, in order; 200 after them.
    pub fn reply(&self, replies: &[Reply]) {
        self.script.lock().unwrap().extend(replies.iter().cloned());
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

async fn handle(State(inner): State<Inner>, headers: HeaderMap, body: Bytes) -> Response {
    let reply = inner.script.lock().unwrap().pop_front().unwrap_or(Reply::Status(200));
    let _ = inner.tx.send(Received { headers, body: String::from_utf8_lossy(&body).to_string() });
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::Hang => std::future::pending().await,
        Reply::Redirect(to) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response(),
    }
}

/// A receiver that answers every request `200` with a chunked body that never ends (until the
/// client hangs up). Its URL, and a channel that gets each request's head as it arrives.
pub async fn endless() -> (String, mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut head = vec![0u8; 16 << 10];
                let n = sock.read(&mut head).await.unwrap_or(0);
                let _ = tx.send(String::from_utf8_lossy(&head[..n]).to_string());
                let chunk = format!("{:x}\r\n{}\r\n", 8192, "x".repeat(8192));
                if sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n").await.is_err() {
                    return;
                }
                while sock.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    (url, rx)
}
