//! `/api/docs`: the API reference as API users expect it — Redoc (bundled from npm at build
//! time and served from our own `/pkg/redoc.js`, no CDN) renders `/api/v1/openapi.json` with
//! Markdown descriptions, request and response samples, every error status and the auth of each
//! operation. The server-rendered reference of `docs::reference_page` is the element's content,
//! which Redoc replaces: without JavaScript it is what the reader gets.
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Redoc injects its styles and builds its search index in a worker started from a blob URL.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

pub async fn page() -> Response {
    let fallback = super::docs::reference_page().await.0;
    let body = fallback.split_once("<main class=\"docs-main\">").and_then(|(_, rest)| rest.rsplit_once("</main>").map(|(inner, _)| inner)).unwrap_or("");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>offerdeck API reference</title><link rel=\"stylesheet\" href=\"/pkg/offerdeck.css\"></head>\
         <body class=\"docs\">\
         <redoc spec-url=\"/api/v1/openapi.json\" hide-hostname=\"true\" path-in-middle-panel=\"true\" required-props-first=\"true\">\
         <main class=\"docs-main\">{body}</main></redoc>\
         <script src=\"/pkg/redoc.js\"></script></body></html>"
    );
    let mut res = axum::response::Html(html).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    res
}
