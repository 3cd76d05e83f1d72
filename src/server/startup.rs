//! Builds the state and the router (pages, server functions, `/api/v1`, health checks, static
//! files) and serves it until SIGTERM or Ctrl-C, letting in-flight requests finish.
use crate::app::{App, shell};
use crate::server::auth::session_store::DbSessionStore;
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::{AppState, api, telemetry};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("offerdeck")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .env(leptos::config::Env::PROD)
        .build()
}

pub async fn connect(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url, None)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", crate::server::config::mask_url(&config.database_url)))?;
    db.migrate().await.map_err(|e| format!("migration failed: {e}"))?;
    Ok(db)
}

pub fn state(db: Db, config: Config) -> AppState {
    let leptos_options = leptos_options(&config);
    let stripe = crate::server::stripe::StripeClient::new(&config.stripe_api_base);
    let engine = crate::server::workflow::Engine::new(config.workflow_limits.clone());
    let snapshots = crate::server::snapshot::Snapshots::default();
    if db.backend == crate::server::db::Backend::Postgres {
        crate::server::snapshot::listen(snapshots.clone(), config.database_url.clone());
    }
    let recorder = crate::server::recorder::Recorder::start(db.clone());
    let clock = crate::server::clock::Clock::default();
    let webhooks = crate::server::webhooks_out::Dispatcher::start(db.clone(), config.secret_key, clock.clone(), config.webhooks.clone());
    let limits = crate::server::ratelimit::Limits::new(config.coupon_validate_per_minute, config.decisions_per_minute);
    AppState::new(crate::server::state::Parts {
        db,
        config: Arc::new(config),
        leptos_options,
        stripe,
        engine,
        snapshots,
        recorder,
        clock,
        webhooks,
        limits,
        coupon_checks: Default::default(),
        workflow_versions: Default::default(),
    })
}

/// The route list, generated once per process. Generating it renders the app with a
/// process-wide "suppress resource loads" flag set (leptos_server's `SuppressResourceLoad` is a
/// global, not per thread), so a generation that overlaps a page render elsewhere in the process
/// leaves that render's resources pending forever. Once, before anything renders, is safe.
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

pub fn router(state: AppState) -> Router {
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let cfg = state.config.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("offerdeck_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(cfg.cookie_secure)
        // Not always_save: every request with a cookie (stylesheets, the wasm, favicon…) would
        // write back the record it loaded, so a slow asset request could undo a concurrent
        // environment switch or resurrect a session right after logout. Activity is recorded
        // by `services::auth` instead, at most every few minutes.
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(cfg.session_idle_minutes)));
    let ctx_state = state.clone();
    let options = state.leptos_options.clone();
    // The JSON API and the health checks authenticate with bearer keys: they run outside the
    // dashboard's cookie session and same-origin form check (less work on the hot path).
    let machine = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .nest("/api/v1", api::router(state.clone()))
        .nest("/api/selfService", api::signup::routes(state.clone()))
        .merge(api::stripe_events::routes())
        .merge(api::checkout::return_routes())
        .route_layer(middleware::from_fn(record_matched_path));
    let dashboard = Router::new()
        .route("/api/docs", get(api::reference::page))
        .route("/coupons/export.csv", get(api::coupons::dashboard_export))
        .route("/coupons/batches/{id}/export.csv", get(api::coupons::dashboard_batch_export))
        .route("/coupons/series.csv", get(api::coupons::dashboard_coupons_series))
        .route("/campaigns/{name}/series.csv", get(api::coupons::dashboard_campaign_series))
        .route("/offers/{id}/series.csv", get(api::coupons::dashboard_offer_series))
        .route("/sfn/{*fn_name}", get(unknown_server_fn).post(unknown_server_fn))
        .leptos_routes_with_context(&state, routes, move || provide_context(ctx_state.clone()), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .route_layer(middleware::from_fn(record_matched_path))
        .layer(middleware::from_fn(same_origin_forms))
        .layer(sessions);
    machine.merge(dashboard).layer(tower_http::compression::CompressionLayer::new()).layer(middleware::from_fn(telemetry::request_span)).with_state(state)
}

/// Server functions are routed by `leptos_routes_with_context`; this answers any other `/sfn/…`.
async fn unknown_server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// Dashboard forms and server-function calls: 1 MiB at most (a workflow source is 200 KB).
pub const DASHBOARD_MAX_BODY: usize = 1 << 20;

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!("readiness check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn record_matched_path(req: Request, next: Next) -> Response {
    if let Some(p) = req.extensions().get::<axum::extract::MatchedPath>() {
        telemetry::record_on_request("path", p.as_str());
    }
    next.run(req).await
}

/// CSRF defence for the dashboard (on top of `SameSite=Lax` cookies): a state-changing request
/// from a browser must come from our own origin. API calls carry a bearer key, not a cookie.
/// The body of a state-changing request is read here, with its bound, so that an oversized
/// post is a clean 413 rather than a failure inside a server function's own decoding.
async fn same_origin_forms(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next.run(req).await;
    }
    if let Err(why) = same_origin(&req) {
        tracing::warn!("refused a state-changing dashboard request: {why}");
        return (StatusCode::FORBIDDEN, "cross-origin requests are not allowed").into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, DASHBOARD_MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the form is larger than 1 MiB").into_response();
    };
    // U+0000 cannot be stored in PostgreSQL text (it would be a 500 there): a form field holding
    // it is refused up front, on both databases alike. In a form body it can only be `%00`.
    if bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00") {
        return (StatusCode::BAD_REQUEST, "form fields must not contain the NUL character").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Why an unsafe request does not come from our own origin, if it does not.
fn same_origin(req: &Request) -> Result<(), &'static str> {
    let headers = req.headers();
    // Browsers say where a request comes from; only our own pages (or the user typing) pass.
    match headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or("")) {
        None | Some("same-origin") | Some("none") => {}
        Some(_) => return Err("Sec-Fetch-Site is not same-origin"),
    }
    // The authority the client addressed: Host (HTTP/1.1) or the URI's (HTTP/2).
    let host = headers
        .get(header::HOST)
        .map(|v| v.to_str().ok().map(str::to_string))
        .unwrap_or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
        .filter(|h| !h.is_empty() && h.parse::<http::uri::Authority>().is_ok())
        .ok_or("no usable Host")?;
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    // `Origin: null` comes from sandboxed frames, data: URLs and some redirects: never ours.
    let origin = origin.to_str().map_err(|_| "unreadable Origin")?;
    let uri: http::Uri = origin.parse().map_err(|_| "unparseable Origin")?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(a)) if a.as_str().eq_ignore_ascii_case(&host) => Ok(()),
        _ => Err("Origin is not this server"),
    }
}

pub async fn serve(config: Config) -> Result<(), String> {
    let listen = config.listen;
    let db = connect(&config).await?;
    tracing::info!(config = ?config, backend = ?db.backend, "starting offerdeck");
    let state = state(db.clone(), config);
    spawn_housekeeping(state.clone());
    crate::server::services::batches::spawn_worker(state.clone());
    let recorder = state.recorder.clone();
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tracing::info!("listening on http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    // Requests have finished: write the decisions still queued before exiting.
    recorder.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// Hourly: drop expired sessions, expired `Idempotency-Key` records and old failed-login records,
/// and expire checkout sessions left open past their expiry.
fn spawn_housekeeping(state: AppState) {
    let (db, clock) = (state.db.clone(), state.clock.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = clock.now_ms();
            if let Err(e) = crate::server::db::platform::sessions::delete_expired(&db.pool, now).await {
                tracing::warn!("session clean-up failed: {e}");
            }
            match crate::server::db::worker::housekeeping::delete_expired(&db.pool, now).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired Idempotency-Key records removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!("idempotency clean-up failed: {e}"),
            }
            let cutoff = now - 24 * 3600 * 1000;
            if let Err(e) = crate::server::db::platform::users::delete_login_failures_before(&db.pool, cutoff).await {
                tracing::warn!("login-failure clean-up failed: {e}");
            }
            match crate::server::services::checkout::lifecycle::sweep_overdue(&state, 1000).await {
                Ok(n) if n > 0 => tracing::info!(expired = n, "checkout sessions past their expiry expired"),
                Ok(_) => {}
                Err(e) => tracing::warn!("checkout session sweep failed: {}", e.message),
            }
            match crate::server::services::signup::sweep_overdue(&state, 1000).await {
                Ok(n) if n > 0 => tracing::info!(expired = n, "pending sign-up carts past their seven days expired"),
                Ok(_) => {}
                Err(e) => tracing::warn!("sign-up cart sweep failed: {}", e.message),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
