//! Test harness: the real router over a fresh database per test — a SQLite file in a temporary
//! directory, or a fresh schema in the PostgreSQL of `TEST_POSTGRES_URL` — with typed callers
//! (`app.secret_key(&t, env)`, `app.merchant(&t)`, …) and the contract's assertions
//! (`assert_error`). `db_tests!` runs a test once per database.
#![allow(dead_code)]
pub mod receiver;
pub mod stripe_stub;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use offerdeck::model::{Environment, Role};
use offerdeck::server::auth::Actor;
use offerdeck::server::config::Config;
use offerdeck::server::db::{Db, Scoped};
use offerdeck::server::services::{tenants, users};
use offerdeck::server::{AppState, startup};
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub backend: &'static str,
    dir: Option<std::path::PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

pub struct Resp {
    /// `METHOD /path?query` of the request, for failure messages.
    pub request: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// `name=value` of the session cookie the response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("offerdeck_session="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
    /// The `id` of the JSON object answered.
    #[track_caller]
    pub fn id(&self) -> String {
        match self.json()["id"].as_str() {
            Some(id) => id.to_string(),
            None => panic!("{}: no id in the answer ({}): {}", self.request, self.status, self.body),
        }
    }
}

/// Asserts the contract's error body (API.md §1): the status, `"status":"error"`, the same
/// `statusCode`, the `code`, a message and a trace id (the `x-trace-id` header's). Returns the body.
#[track_caller]
pub fn assert_error(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!((r.status.as_u16(), error_code(r).as_deref()), (status, Some(code)), "{}: expected {status} {code}: {}", r.request, r.body);
    let j = r.json();
    assert_eq!((j["status"].as_str(), j["statusCode"].as_u64()), (Some("error"), Some(u64::from(status))), "the contract's error body: {j}");
    assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()), "an error has a message: {j}");
    let trace = j["traceId"].as_str().unwrap_or_default();
    assert!(!trace.is_empty(), "an error has a trace id: {j}");
    if let Some(header) = r.header("x-trace-id") {
        assert_eq!(trace, header, "the trace id of the body and of the header");
    }
    j
}

/// A server function's error (an `AppError` as JSON): the status, the `code` and a message.
#[track_caller]
pub fn assert_sfn_error(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!((r.status.as_u16(), error_code(r).as_deref()), (status, Some(code)), "{}: expected {status} {code}: {}", r.request, r.body);
    let j = r.json();
    assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()), "an error has a message: {j}");
    j
}

fn error_code(r: &Resp) -> Option<String> {
    serde_json::from_str::<Value>(&r.body).ok().and_then(|j| j["code"].as_str().map(str::to_string))
}

/// A request body for the typed clients: JSON text or a `serde_json::Value`; `()` sends none.
pub trait IntoBody {
    fn into_body(self) -> Option<String>;
}

impl IntoBody for () {
    fn into_body(self) -> Option<String> {
        None
    }
}

impl IntoBody for &str {
    fn into_body(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl IntoBody for String {
    fn into_body(self) -> Option<String> {
        Some(self)
    }
}

impl IntoBody for &String {
    fn into_body(self) -> Option<String> {
        Some(self.clone())
    }
}

impl IntoBody for Value {
    fn into_body(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl IntoBody for &Value {
    fn into_body(self) -> Option<String> {
        Some(self.to_string())
    }
}

/// `/api/v1` as one bearer key: `app.secret_key(&t, Environment::Preview).get("/api/v1/products")`.
#[derive(Clone, Copy)]
pub struct ApiClient<'a> {
    app: &'a TestApp,
    key: &'a str,
}

impl<'a> ApiClient<'a> {
    pub fn key(&self) -> &'a str {
        self.key
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.app.api("GET", path, self.key, None).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.app.api("DELETE", path, self.key, None).await
    }
    pub async fn post(&self, path: &str, body: impl IntoBody) -> Resp {
        self.send("POST", path, body, &[]).await
    }
    pub async fn put(&self, path: &str, body: impl IntoBody) -> Resp {
        self.send("PUT", path, body, &[]).await
    }
    pub async fn patch(&self, path: &str, body: impl IntoBody) -> Resp {
        self.send("PATCH", path, body, &[]).await
    }
    pub async fn send(&self, method: &str, path: &str, body: impl IntoBody, headers: &[(&str, &str)]) -> Resp {
        self.app.api_with(method, path, self.key, body.into_body().as_deref(), headers).await
    }
    /// A POST that must succeed (any 2xx); its JSON.
    pub async fn create(&self, path: &str, body: impl IntoBody) -> Value {
        let r = self.post(path, body).await;
        assert!(r.status.is_success(), "POST {path}: {} {}", r.status, r.body);
        r.json()
    }
}

/// A signed-in dashboard user: server functions and pages with the session cookie.
pub struct Session<'a> {
    app: &'a TestApp,
    pub cookie: String,
}

impl Session<'_> {
    pub async fn sfn(&self, endpoint: &str, form: &[(&str, &str)]) -> Resp {
        self.app.sfn(endpoint, form, Some(&self.cookie)).await
    }
    pub async fn form_post(&self, endpoint: &str, form: &[(&str, &str)], referer: &str) -> Resp {
        self.app.form_post(endpoint, form, Some(&self.cookie), referer).await
    }
    /// A page, as a browser asks for it.
    pub async fn page(&self, path: &str) -> Resp {
        self.app.get(path, Some(&self.cookie)).await
    }
    /// Switches the dashboard to `environment` (`preview` or `live`).
    pub async fn switch_to(&self, environment: Environment) -> &Self {
        let r = self.sfn("switch_environment", &[("environment", environment.as_str())]).await;
        assert_eq!(r.status, StatusCode::OK, "switch_environment: {}", r.body);
        self
    }
}

/// A request extension that keeps `send` from adding a Host header (to test requests without one).
#[derive(Clone, Copy)]
pub struct NoHost;

impl TestApp {
    pub async fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("offerdeck-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/test.db", dir.display());
        let db = Db::connect(&url, None).await.expect("sqlite connect");
        db.migrate().await.expect("migrate");
        Self::build(db, &url, "sqlite", Some(dir))
    }

    /// `None` when `TEST_POSTGRES_URL` is not set (a panic when PostgreSQL is expected, see
    /// [`postgres_url`]).
    pub async fn postgres() -> Option<Self> {
        let url = postgres_url()?;
        let admin = Db::connect(&url, None).await.expect("postgres connect");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        // Schemas of earlier runs that were not cleaned up (a killed run) are dropped after an hour.
        let old: Vec<String> = {
            use sqlx::Row;
            sqlx::query("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'odt\\_%'")
                .fetch_all(&admin.pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect()
        };
        for s in old {
            let ts = s.split('_').nth(1).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
            if ts + 3600 < now {
                let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE")).execute(&admin.pool).await;
            }
        }
        let schema = format!("odt_{now}_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(&admin.pool).await.unwrap();
        admin.pool.close().await;
        let db = Db::connect(&url, Some(schema.clone())).await.expect("postgres connect");
        db.migrate().await.expect("migrate");
        let mut app = Self::build(db, &url, "postgres", None);
        app.dir = None;
        Some(app)
    }

    fn build(db: Db, url: &str, backend: &'static str, dir: Option<std::path::PathBuf>) -> Self {
        let state = startup::state(db, Config::for_tests(url));
        let router = startup::router(state.clone());
        TestApp { state, router, backend, dir }
    }

    /// Another node on the same database: its own state (configuration snapshots, key cache,
    /// PostgreSQL listener) and router, as a second offerdeck process would have.
    pub fn second_node(&self) -> TestApp {
        let state = startup::state(self.state.db.clone(), (*self.state.config).clone());
        let router = startup::router(state.clone());
        TestApp { state, router, backend: self.backend, dir: None }
    }

    /// The same database served by a node with another configuration.
    pub fn reconfigured(&self, f: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = (*self.state.config).clone();
        f(&mut config);
        let state = startup::state(self.state.db.clone(), config);
        let router = startup::router(state.clone());
        TestApp { state, router, backend: self.backend, dir: None }
    }

    /// Points the app's Stripe client at `base` (a local stub), with retries but no back-off wait.
    pub fn with_stripe(mut self, base: &str) -> Self {
        self.router = Router::new();
        let swapped = self.state.set_stripe(offerdeck::server::stripe::StripeClient::with_policy(base, 2, std::time::Duration::ZERO));
        assert!(swapped, "with_stripe: the state is already shared");
        self.router = startup::router(self.state.clone());
        self
    }

    pub async fn send(&self, mut req: Request<Body>) -> Resp {
        let what = format!("{} {}", req.method(), req.uri());
        // Every HTTP/1.1 client sends Host; the dashboard refuses state changes without one.
        if !req.headers().contains_key("host") && req.extensions().get::<NoHost>().is_none() {
            req.headers_mut().insert("host", axum::http::HeaderValue::from_static("127.0.0.1"));
        }
        // A request that never finishes fails the test with its name instead of hanging the run.
        let res = tokio::time::timeout(std::time::Duration::from_secs(20), self.router.clone().oneshot(req))
            .await
            .unwrap_or_else(|_| panic!("{what} did not finish within 20 s"))
            .expect("router");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 16 << 20).await.unwrap();
        Resp { request: what, status, headers, body: String::from_utf8_lossy(&bytes).to_string() }
    }

    /// A JSON API call with a bearer key.
    pub async fn api(&self, method: &str, path: &str, key: &str, body: Option<&str>) -> Resp {
        self.api_with(method, path, key, body, &[]).await
    }

    pub async fn api_with(&self, method: &str, path: &str, key: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Resp {
        let mut b = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {key}"));
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body.unwrap_or("").to_string())).unwrap()).await
    }

    /// A server-function call the way the hydrated dashboard makes it (fetch, form-encoded).
    pub async fn sfn(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Resp {
        self.sfn_with(endpoint, form, cookie, "application/json").await
    }

    /// A server-function call the way a browser without JavaScript posts a form.
    pub async fn form_post(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>, referer: &str) -> Resp {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut b = Request::builder()
            .method("POST")
            .uri(format!("/sfn/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", referer);
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    async fn sfn_with(&self, endpoint: &str, form: &[(&str, &str)], cookie: Option<&str>, accept: &str) -> Resp {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut b = Request::builder()
            .method("POST")
            .uri(format!("/sfn/{endpoint}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", accept);
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut b = Request::builder().uri(path).header("accept", "text/html");
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// Any bearer key.
    pub fn client<'a>(&'a self, key: &'a str) -> ApiClient<'a> {
        ApiClient { app: self, key }
    }

    /// The tenant's secret key of `env`.
    pub fn secret_key<'a>(&'a self, t: &'a tenants::Bootstrap, env: Environment) -> ApiClient<'a> {
        let keys = if env == Environment::Live { &t.keys.live } else { &t.keys.preview };
        self.client(&keys.secret)
    }

    /// The tenant's publishable key of `env`.
    pub fn publishable_key<'a>(&'a self, t: &'a tenants::Bootstrap, env: Environment) -> ApiClient<'a> {
        let keys = if env == Environment::Live { &t.keys.live } else { &t.keys.preview };
        self.client(&keys.publishable)
    }

    /// The tenant's owner (a merchant), signed in.
    pub async fn merchant(&self, t: &tenants::Bootstrap) -> Session<'_> {
        let password = t.owner_password.as_deref().expect("the owner's password (a tenant made by app.tenant)");
        self.session(&t.owner_email, password).await
    }

    /// A new marketer of the tenant, signed in.
    pub async fn marketer(&self, t: &tenants::Bootstrap) -> Session<'_> {
        let email = format!("marketer.{}@{}.test", &uuid::Uuid::new_v4().simple().to_string()[..8], t.tenant_id.replace('_', "-"));
        self.member(&email, &t.tenant_id, Role::Marketer).await;
        self.session(&email, "password-123").await
    }

    /// Signs in through the login server function.
    pub async fn session(&self, email: &str, password: &str) -> Session<'_> {
        Session { app: self, cookie: self.login(email, password).await }
    }

    /// Signs in through the login server function and returns the session cookie.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self.sfn("login", &[("email", email), ("password", password)], None).await;
        assert_eq!(r.status, StatusCode::OK, "login failed: {}", r.body);
        r.session_cookie().expect("login sets a session cookie")
    }

    pub async fn admin(&self, email: &str, password: &str) {
        users::create_admin(&self.state, email, password.into()).await.unwrap();
    }

    /// A tenant with a merchant owner and keys, through the same function as the CLI.
    pub async fn tenant(&self, name: &str, owner: &str) -> tenants::Bootstrap {
        tenants::bootstrap(&self.state, name, owner).await.unwrap()
    }

    /// A user with a role in a tenant (and the password "password-123").
    pub async fn member(&self, email: &str, tenant_id: &str, role: Role) {
        users::create(
            &self.state,
            &Actor::cli(),
            users::NewUser {
                email: email.into(),
                password: "password-123".into(),
                is_admin: false,
                tenant_id: Some(tenant_id.into()),
                role: Some(role.as_str().into()),
            },
        )
        .await
        .unwrap();
    }

    pub fn scope(&self, tenant_id: &str, env: Environment) -> Scoped {
        offerdeck::server::auth::Actor::operator_in(tenant_id, env).authorize(offerdeck::server::auth::Permission::TenantRead).unwrap().clone()
    }

    pub async fn product_count(&self, tenant_id: &str, env: Environment) -> i64 {
        offerdeck::server::db::products::count(&self.state.db.pool, &self.scope(tenant_id, env)).await.unwrap()
    }
}

/// Set by `scripts/test` whenever it runs the tests with `TEST_POSTGRES_URL`: a PostgreSQL variant
/// that cannot run then fails instead of passing without having run.
pub const EXPECT_POSTGRES: &str = "OFFERDECK_EXPECT_POSTGRES";

/// The note a PostgreSQL variant leaves when it does not run; `scripts/test` counts it.
pub const NOT_RUN_NOTE: &str = "PostgreSQL variant not run";

/// `TEST_POSTGRES_URL`, or `None` after writing the skip note. Panics when the URL is missing
/// although `OFFERDECK_EXPECT_POSTGRES=1`.
pub fn postgres_url() -> Option<String> {
    if let Some(url) = std::env::var("TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
        return Some(url);
    }
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    if std::env::var(EXPECT_POSTGRES).is_ok_and(|v| v == "1") {
        panic!("{test}: {EXPECT_POSTGRES}=1 but TEST_POSTGRES_URL is not set: refusing to count an unrun PostgreSQL variant as passed");
    }
    // Straight to the process's stderr, past the test harness's capture: the note must reach
    // the log of a passing run too.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: {test}: TEST_POSTGRES_URL is not set: {NOT_RUN_NOTE}");
    None
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL, as
/// `<area>::sqlite::<name>` and `<area>::postgres::<name>`.
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::TestApp::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = $crate::helpers::TestApp::postgres().await else { return };
                    super::$name(app).await
                }
            )*
        }
    };
}
