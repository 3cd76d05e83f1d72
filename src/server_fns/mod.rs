//! Server functions: the dashboard's door into `server::services`, one file per area (the same
//! names as `services::` and `api::`). Each is one [`ctx::run`] call: session → actor → one
//! service call → error status. A form with more than a few fields arrives as one typed struct
//! (`#[server(flatten)]`, so the posted field names stay the form's own). They work as `fetch`
//! calls once hydrated and as plain form posts without JavaScript (errors come back through the
//! redirect).
pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod campaigns;
pub mod checkout;
pub mod coupons;
pub mod discounts;
pub mod events;
pub mod experiences;
pub mod integrations;
pub mod methods;
pub mod offers;
pub mod prices;
pub mod products;
pub mod schemas;
pub mod settings;
pub mod signups;
pub mod surfaces;
pub mod versions;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use crate::error::AppResult;
    use crate::server::auth::Actor;
    use crate::server::{AppState, internal};
    use leptos::prelude::*;
    use std::future::Future;
    use tower_sessions::Session;

    pub async fn session() -> AppResult<(AppState, Session)> {
        let state = use_context::<AppState>().ok_or_else(|| internal("server function", "AppState missing from context"))?;
        let session = leptos_axum::extract::<Session>().await.map_err(|e| internal("session extractor", e))?;
        Ok((state, session))
    }

    /// The door of a server function: resolves the session's actor, runs `f` (one service
    /// call) and gives a failure its HTTP status ([`finish`]).
    pub async fn run<T, Fut>(f: impl FnOnce(AppState, Actor) -> Fut) -> AppResult<T>
    where
        Fut: Future<Output = AppResult<T>>,
    {
        run_with_session(|state, _, actor| f(state, actor)).await
    }

    /// [`run`] for the few that also keep something in the session: a secret shown once, a
    /// test run's result for the next page view.
    pub async fn run_with_session<T, Fut>(f: impl FnOnce(AppState, Session, Actor) -> Fut) -> AppResult<T>
    where
        Fut: Future<Output = AppResult<T>>,
    {
        let r = async {
            let (state, session) = session().await?;
            let actor = crate::server::services::auth::actor(&state, &session).await?;
            f(state, session, actor).await
        };
        finish(r.await)
    }

    /// After a create: a form post goes on to the new object's page (a `fetch` call follows
    /// the same redirect once hydrated). Failures go back to the form.
    pub fn redirect_on_ok<T>(r: AppResult<T>, to: impl FnOnce(&T) -> String) -> AppResult<T> {
        if let Ok(v) = &r {
            leptos_axum::redirect(&to(v));
        }
        r
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
        if let Err(e) = &r
            && !is_form_post()
            && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
        {
            let (status, retry_after) = crate::server::error_status(e);
            opts.set_status(status);
            if let Some(v) = retry_after {
                opts.insert_header(http::header::RETRY_AFTER, v);
            }
        }
        r
    }
}
