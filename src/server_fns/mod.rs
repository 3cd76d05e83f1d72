//! Server functions: the dashboard's door into `server::services`. Each is a few lines:
//! session → actor → one service call. They work as `fetch` calls once hydrated and as plain
//! form posts without JavaScript (errors come back through the redirect).
pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod coupons;
pub mod experiences;
pub mod integrations;
pub mod methods;
pub mod offers;
pub mod prices;
pub mod products;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use crate::error::AppResult;
    use crate::server::auth::Actor;
    use crate::server::{AppState, internal};
    use leptos::prelude::*;
    use tower_sessions::Session;

    pub async fn session() -> AppResult<(AppState, Session)> {
        let state = use_context::<AppState>().ok_or_else(|| internal("server function", "AppState missing from context"))?;
        let session = leptos_axum::extract::<Session>().await.map_err(|e| internal("session extractor", e))?;
        Ok((state, session))
    }

    pub async fn actor() -> AppResult<(AppState, Actor)> {
        let (state, session) = session().await?;
        let actor = finish(crate::server::services::auth::actor(&state, &session).await)?;
        Ok((state, actor))
    }

    /// The id of the HTTP request being served (shared by everything a page render runs).
    /// Call it before the first `.await`: during a page render the reactive context that
    /// carries the request is only guaranteed on the first poll.
    pub fn request_id() -> String {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<crate::server::telemetry::RequestId>().map(|r| r.0.clone())).unwrap_or_default()
    }

    /// The caller's limiter key (`server::client_ip`). Call before the first await.
    pub fn client_key(state: &AppState) -> String {
        let parts = use_context::<http::request::Parts>();
        let peer = parts.as_ref().and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0));
        let empty = http::HeaderMap::new();
        crate::server::client_ip::client_key(&state.config.client_ip, peer, parts.as_ref().map(|p| &p.headers).unwrap_or(&empty))
    }

    /// True for a plain HTML form post (no JavaScript): the answer will be a redirect, so a
    /// value meant for the page has to travel through the session. Call before the first await.
    pub fn is_form_post() -> bool {
        use_context::<http::request::Parts>()
            .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
            .unwrap_or(false)
    }

    /// Gives a failed `fetch` call the error's HTTP status. A plain form post keeps the redirect
    /// that carries the error back to the form, and a page render keeps its own status.
    pub fn finish<T>(r: AppResult<T>) -> AppResult<T> {
        if let Err(e) = &r {
            let html = use_context::<http::request::Parts>()
                .and_then(|p| p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
                .unwrap_or(false);
            if !html && let (Some(opts), Ok(code)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(e.status())) {
                opts.set_status(code);
                if let Some(secs) = e.retry_after {
                    opts.insert_header(http::header::RETRY_AFTER, secs.into());
                }
            }
        }
        r
    }
}
