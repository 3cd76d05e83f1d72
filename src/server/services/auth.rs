//! Dashboard sign-in: password check with throttling, session renewal, and turning a session
//! into an `Actor` on every request (a deactivated user or suspended tenant loses access at once).
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::{Environment, SessionInfo, UserStatus};
use crate::server::auth::{Actor, password};
use crate::server::db::{self, Scoped, Trust, audit};
use crate::server::{AppState, internal};
use tower_sessions::Session;

const UID: &str = "uid";
const TID: &str = "tid";
const ENV: &str = "env";
const FLASH_API_KEYS: &str = "new_api_keys";
const FLASH_WEBHOOK_SECRETS: &str = "new_webhook_secrets";
const FLASH_REDIRECT_SECRETS: &str = "new_redirect_signing_secrets";
const SEEN: &str = "seen";
/// When the session signed in (unix ms): for the absolute lifetime and for password resets.
const SIGNED_IN: &str = "signed_in";
/// A signed-in request refreshes the session's idle expiry when the last refresh is older than this.
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// Sign-in attempts allowed per window: for one email from one address (a success clears it),
/// from one address whatever the email (a success gives its attempt back), and for one email
/// from everywhere (so many addresses cannot guess one password quickly, while one address
/// alone can never lock its owner out: the owner's own address keeps its allowance).
pub const MAX_FAILURES: i64 = 5;
pub const MAX_ATTEMPTS_PER_ADDRESS: i64 = 50;
pub const MAX_ATTEMPTS_PER_EMAIL: i64 = 100;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const BAD_CREDENTIALS: &str = "Incorrect email or password.";
pub const THROTTLED: &str = "Too many failed sign-in attempts for this email. Wait 15 minutes and try again.";
pub const THROTTLED_ADDRESS: &str = "Too many sign-in attempts from your network. Wait 15 minutes and try again.";

fn sess_err(e: tower_sessions::session::Error) -> AppError {
    internal("session store", e)
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Signs in. `client` is the caller's limiter key (`server::client_ip`).
pub async fn login(state: &AppState, session: &Session, client: &str, email: &str, password_text: &str) -> AppResult<()> {
    let email = normalize_email(email);
    if email.is_empty() || password_text.is_empty() {
        let mut e = crate::error::FieldErrors::new();
        if email.is_empty() {
            e.add("email", "is required");
        }
        if password_text.is_empty() {
            e.add("password", "is required");
        }
        e.into_result()?;
    }
    let pool = &state.db.pool;
    // Every attempt is counted before the password is looked at, each counter in one atomic
    // statement: concurrent guesses cannot all slip in under the limit.
    let now = state.clock.now_ms();
    let (pair_key, addr_key, email_key) = (format!("pair:{email}|{client}"), format!("addr:{client}"), format!("email:{email}"));
    let wait = (FAILURE_WINDOW_MS / 1000) as u64;
    if db::platform::users::count_login_attempt(pool, &addr_key, now, FAILURE_WINDOW_MS).await? > MAX_ATTEMPTS_PER_ADDRESS {
        return Err(AppError::retry_after(THROTTLED_ADDRESS, wait));
    }
    let pair = db::platform::users::count_login_attempt(pool, &pair_key, now, FAILURE_WINDOW_MS).await?;
    let all = db::platform::users::count_login_attempt(pool, &email_key, now, FAILURE_WINDOW_MS).await?;
    if pair > MAX_FAILURES || all > MAX_ATTEMPTS_PER_EMAIL {
        return Err(AppError::retry_after(THROTTLED, wait));
    }
    let user = db::platform::users::by_email(pool, &email).await?.filter(|u| u.status == UserStatus::Active);
    let ok = password::verify(password_text.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(AppError::new(ErrorCode::Unauthenticated, BAD_CREDENTIALS));
    };
    let tenants = db::platform::users::active_memberships(pool, &user.id).await?;
    if !user.is_admin && tenants.is_empty() && db::platform::users::count_memberships(pool, &user.id).await? > 0 {
        return Err(AppError::new(ErrorCode::Forbidden, "Your organisation's access is suspended. Contact your offerdeck administrator."));
    }
    db::platform::users::clear_login_attempts(pool, &pair_key).await?;
    db::platform::users::refund_login_attempt(pool, &addr_key).await?;
    // A new session id at every sign-in: an id planted before login is worthless after it.
    session.cycle_id().await.map_err(sess_err)?;
    session.insert(UID, &user.id).await.map_err(sess_err)?;
    session.insert(SIGNED_IN, state.clock.now_ms()).await.map_err(sess_err)?;
    match tenants.first() {
        Some(t) => session.insert(TID, &t.id).await.map_err(sess_err)?,
        None => {
            session.remove::<String>(TID).await.map_err(sess_err)?;
        }
    }
    session.insert(ENV, Environment::Preview.as_str()).await.map_err(sess_err)?;
    audit::record(
        pool,
        audit::Entry { scope: None, actor: &format!("user:{}", user.id), action: "user.login", object_type: "user", object_id: &user.id, details: None },
        state.clock.now_ms(),
    )
    .await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(())
}

/// Keeps the current session valid after its own user's password changed (with a new id).
pub async fn renew_after_password_change(state: &AppState, session: &Session) -> AppResult<()> {
    session.cycle_id().await.map_err(sess_err)?;
    session.insert(SIGNED_IN, state.clock.now_ms()).await.map_err(sess_err)
}

pub async fn logout(session: &Session) -> AppResult<()> {
    session.flush().await.map_err(sess_err)
}

/// The signed-in user as an actor, or `unauthenticated`.
pub async fn actor(state: &AppState, session: &Session) -> AppResult<Actor> {
    resolve(state, session).await?.map(|(a, _)| a).ok_or_else(AppError::unauthenticated)
}

pub async fn session_info(state: &AppState, session: &Session) -> AppResult<Option<SessionInfo>> {
    let Some((actor, mut info)) = resolve(state, session).await? else {
        return Ok(None);
    };
    if let Ok(scope) = actor.authorize(crate::server::auth::Permission::TenantRead) {
        info.live_version = crate::server::services::versions::live_version(state, scope).await?;
    }
    Ok(Some(info))
}

async fn resolve(state: &AppState, session: &Session) -> AppResult<Option<(Actor, SessionInfo)>> {
    let Some(uid) = session.get::<String>(UID).await.map_err(sess_err)? else {
        return Ok(None);
    };
    let pool = &state.db.pool;
    let now = state.clock.now_ms();
    // A session ends when the user is deactivated, when their password was reset after it
    // signed in, and `OFFERDECK_SESSION_MAX_HOURS` after sign-in however active it is.
    let signed_in = session.get::<i64>(SIGNED_IN).await.map_err(sess_err)?.unwrap_or(0);
    let max_age = state.config.session_max_hours * 3600 * 1000;
    let user = db::platform::users::by_id(pool, &uid).await?.filter(|u| u.status == UserStatus::Active);
    let Some(user) = user.filter(|u| signed_in >= u.sessions_valid_after && now - signed_in < max_age) else {
        session.flush().await.map_err(sess_err)?;
        return Ok(None);
    };
    if session.get::<i64>(SEEN).await.map_err(sess_err)?.is_none_or(|seen| now - seen > TOUCH_EVERY_MS) {
        session.insert(SEEN, now).await.map_err(sess_err)?;
    }
    let tenants = db::platform::users::active_memberships(pool, &user.id).await?;
    let wanted = session.get::<String>(TID).await.map_err(sess_err)?;
    let current = wanted.and_then(|id| tenants.iter().find(|t| t.id == id).cloned()).or_else(|| tenants.first().cloned());
    let env = session.get::<String>(ENV).await.map_err(sess_err)?.and_then(|e| Environment::parse(&e)).unwrap_or_default();
    // The membership was just read for this user: the one place a user's scope is made.
    let membership = current.as_ref().map(|t| (Scoped::trusted(t.id.clone(), env, Trust::StoredRow), t.role));
    let actor = Actor::user(user.id.clone(), user.email.clone(), user.is_admin, membership);
    crate::server::telemetry::record_on_request("tenant", current.as_ref().map(|t| t.id.as_str()).unwrap_or("-"));
    let info =
        SessionInfo { user_id: user.id, email: user.email, is_admin: user.is_admin, tenants, current_tenant: current, environment: env, live_version: None };
    Ok(Some((actor, info)))
}

pub async fn switch_environment(state: &AppState, session: &Session, env: &str) -> AppResult<()> {
    actor(state, session).await?;
    let env = Environment::parse(env).ok_or_else(|| AppError::field("environment", "must be preview or live"))?;
    session.insert(ENV, env.as_str()).await.map_err(sess_err)
}

pub async fn switch_tenant(state: &AppState, session: &Session, tenant_id: &str) -> AppResult<()> {
    let actor = actor(state, session).await?;
    let uid = actor.user_id().unwrap_or_default();
    let tenants = db::platform::users::active_memberships(&state.db.pool, uid).await?;
    if !tenants.iter().any(|t| t.id == tenant_id) {
        return Err(AppError::not_found("tenant"));
    }
    session.insert(TID, tenant_id).await.map_err(sess_err)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Flash {
    value: serde_json::Value,
    /// The request that first showed it; any later request finds it gone.
    shown_in: Option<String>,
}

/// Keeps a value for exactly one page view, with and without JavaScript (a form post without
/// JavaScript is answered by a redirect, which loses the server function's return value).
pub async fn set_flash<T: serde::Serialize>(session: &Session, name: &str, value: &T) -> AppResult<()> {
    let value = serde_json::to_value(value).map_err(|e| internal("flash", e))?;
    session.insert(&format!("flash:{name}"), Flash { value, shown_in: None }).await.map_err(sess_err)
}

/// The flashed value, for every read within the first request that asks for it (a page render
/// may read its data more than once) and never after that request.
pub async fn take_flash<T: serde::de::DeserializeOwned>(session: &Session, name: &str, request_id: &str) -> AppResult<Option<T>> {
    if request_id.is_empty() {
        // Without a request identity a read could not be told from a later one: show nothing
        // rather than risk showing the value twice.
        return Ok(None);
    }
    let key = format!("flash:{name}");
    let Some(flash) = session.get::<Flash>(&key).await.map_err(sess_err)? else {
        return Ok(None);
    };
    let out = match flash.shown_in.as_deref() {
        None => {
            let v = flash.value.clone();
            session.insert(&key, Flash { value: flash.value, shown_in: Some(request_id.to_string()) }).await.map_err(sess_err)?;
            Some(v)
        }
        Some(r) if r == request_id => Some(flash.value),
        Some(_) => {
            session.remove::<Flash>(&key).await.map_err(sess_err)?;
            None
        }
    };
    Ok(out.and_then(|v| serde_json::from_value(v).ok()))
}

/// Which secrets a page shows once: new API keys, new webhook signing secrets, new redirect
/// signing secrets.
#[derive(Debug, Clone, Copy)]
pub enum SecretFlash {
    ApiKeys,
    WebhookSecrets,
    RedirectSecrets,
}

impl SecretFlash {
    fn name(self) -> &'static str {
        match self {
            SecretFlash::ApiKeys => FLASH_API_KEYS,
            SecretFlash::WebhookSecrets => FLASH_WEBHOOK_SECRETS,
            SecretFlash::RedirectSecrets => FLASH_REDIRECT_SECRETS,
        }
    }
}

/// Keeps a just-created secret for exactly one page view. The session row holds it encrypted
/// (XChaCha20-Poly1305 under `OFFERDECK_SECRET_KEY`, bound to the flash's name), never in
/// plaintext; secrets created one after the other before the page is seen are all kept.
pub async fn push_secret(state: &AppState, session: &Session, which: SecretFlash, secret: &str) -> AppResult<()> {
    let key = format!("flash:{}", which.name());
    let mut list: Vec<String> = match session.get::<Flash>(&key).await.map_err(sess_err)? {
        // Not shown yet: the new one joins the others.
        Some(Flash { value, shown_in: None }) => open_secrets(state, which, &value),
        _ => Vec::new(),
    };
    list.push(secret.to_string());
    list.truncate(20);
    let sealed =
        crate::server::secrets::encrypt(&state.config.secret_key, &format!("flash:{}", which.name()), &serde_json::to_string(&list).unwrap_or_default());
    set_flash(session, which.name(), &sealed).await
}

/// The secrets kept for this page view (see [`take_flash`]), newest last.
pub async fn take_secrets(state: &AppState, session: &Session, which: SecretFlash, request_id: &str) -> AppResult<Vec<String>> {
    let sealed: Option<serde_json::Value> = take_flash(session, which.name(), request_id).await?;
    Ok(sealed.map(|v| open_secrets(state, which, &v)).unwrap_or_default())
}

fn open_secrets(state: &AppState, which: SecretFlash, sealed: &serde_json::Value) -> Vec<String> {
    sealed
        .as_str()
        .and_then(|s| crate::server::secrets::decrypt(&state.config.secret_key, &format!("flash:{}", which.name()), s))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

pub async fn admin_exists(state: &AppState) -> AppResult<bool> {
    Ok(db::platform::users::admin_exists(&state.db.pool).await?)
}
