//! Configuration from environment variables; every variable and its default is listed in the
//! README. Secrets read here are never logged (the `Debug` impl masks them).
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub cookie_secure: bool,
    pub session_idle_minutes: i64,
    /// 32 bytes: keys the API-key hash and encrypts stored secrets.
    pub secret_key: [u8; 32],
    pub log_json: bool,
    pub site_root: String,
    /// `STRIPE_API_BASE`, default `https://api.stripe.com`.
    pub stripe_api_base: String,
    pub workflow_limits: crate::server::workflow::Limits,
    pub webhooks: crate::server::webhooks_out::Settings,
    /// Coupon checks per client address per minute (`POST /api/v1/coupons/validate`); 0 = no limit.
    pub coupon_validate_per_minute: u32,
    /// How long a coupon check may answer from this process's copy of the code's row
    /// (`OFFERDECK_COUPON_CHECK_CACHE_MS`, 0 = read the database every time).
    pub coupon_check_cache_ms: i64,
    /// Where the client's address comes from (`OFFERDECK_CLIENT_IP_HEADER`, `OFFERDECK_TRUSTED_PROXIES`).
    pub client_ip: crate::server::client_ip::ClientIpConfig,
    /// Publishable-key surface decisions per client address, tenant and environment per minute; 0 = no limit.
    pub decisions_per_minute: u32,
    /// A dashboard session ends this long after sign-in, however active (`OFFERDECK_SESSION_MAX_HOURS`).
    pub session_max_hours: i64,
    /// Code generation of coupon batches (`OFFERDECK_BATCH_CHUNK`, `OFFERDECK_BATCH_PAUSE_MS`,
    /// `OFFERDECK_BATCH_LEASE_SECS`).
    pub batches: BatchSettings,
}

/// How coupon batches are generated: codes per transaction, a pause between chunks (so that a
/// 100,000-code batch shares the database with everyone else's requests) and how long a node
/// holds a batch without progress before another node (or the restarted one) takes it over.
#[derive(Debug, Clone, Copy)]
pub struct BatchSettings {
    pub chunk: usize,
    pub pause_ms: u64,
    pub lease_ms: i64,
    /// Start generating as soon as a batch is created (off in tests, which drive the worker).
    pub background: bool,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings { chunk: 500, pause_ms: 10, lease_ms: 30_000, background: true }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &mask_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("cookie_secure", &self.cookie_secure)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("secret_key", &"<hidden>")
            .field("log_json", &self.log_json)
            .field("site_root", &self.site_root)
            .field("stripe_api_base", &self.stripe_api_base)
            .field("workflow_limits", &self.workflow_limits)
            .field("webhooks", &self.webhooks)
            .field("coupon_validate_per_minute", &self.coupon_validate_per_minute)
            .field("coupon_check_cache_ms", &self.coupon_check_cache_ms)
            .field("client_ip", &self.client_ip)
            .field("decisions_per_minute", &self.decisions_per_minute)
            .field("session_max_hours", &self.session_max_hours)
            .field("batches", &self.batches)
            .finish()
    }
}

/// Hides a password in a database URL.
pub fn mask_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/offerdeck.db";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let listen = var("OFFERDECK_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".into()).parse().map_err(|e| format!("OFFERDECK_LISTEN: {e}"))?;
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let public_url = var("OFFERDECK_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        let cookie_secure = match var("OFFERDECK_COOKIE_SECURE").as_deref() {
            None | Some("auto") => public_url.starts_with("https://"),
            Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => return Err(format!("OFFERDECK_COOKIE_SECURE: expected auto, true or false, got {other}")),
        };
        let session_idle_minutes = var("OFFERDECK_SESSION_IDLE_MINUTES")
            .map(|v| v.parse::<i64>().map_err(|e| format!("OFFERDECK_SESSION_IDLE_MINUTES: {e}")))
            .transpose()?
            .unwrap_or(480);
        let secret_key = match var("OFFERDECK_SECRET_KEY") {
            Some(hex_key) => parse_key(&hex_key)?,
            None => load_or_create_key_file(&PathBuf::from(var("OFFERDECK_SECRET_KEY_FILE").unwrap_or_else(|| "data/secret.key".into())))?,
        };
        let log_json = matches!(var("OFFERDECK_LOG_FORMAT").as_deref(), Some("json"));
        let site_root = var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "site".into());
        let stripe_api_base = var("STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com".into());
        let num = |name: &str, default: u64| -> Result<u64, String> {
            var(name).map(|v| v.parse::<u64>().map_err(|e| format!("{name}: {e}"))).transpose().map(|v| v.unwrap_or(default))
        };
        let workflow_limits = crate::server::workflow::Limits {
            memory_bytes: (num("OFFERDECK_WORKFLOW_MEMORY_MB", 32)? as usize) << 20,
            cpu: std::time::Duration::from_millis(num("OFFERDECK_WORKFLOW_CPU_MS", 100)?),
            wall: std::time::Duration::from_millis(num("OFFERDECK_WORKFLOW_WALL_MS", 10_000)?),
            max_concurrent: num("OFFERDECK_WORKFLOW_CONCURRENCY", 16)?.max(1) as usize,
            // A tenant's share is at most the whole.
            tenant_concurrent: (num("OFFERDECK_WORKFLOW_TENANT_CONCURRENCY", 4)?.max(1) as usize)
                .min(num("OFFERDECK_WORKFLOW_CONCURRENCY", 16)?.max(1) as usize),
            queue_wait: std::time::Duration::from_millis(num("OFFERDECK_WORKFLOW_QUEUE_MS", 2_000)?),
        };
        let webhooks = crate::server::webhooks_out::Settings {
            retry_base: std::time::Duration::from_millis(num("OFFERDECK_WEBHOOK_RETRY_BASE_MS", 30_000)?.max(1)),
            timeout: std::time::Duration::from_secs(num("OFFERDECK_WEBHOOK_TIMEOUT_SECONDS", 10)?.max(1)),
            lease: std::time::Duration::from_secs(num("OFFERDECK_WEBHOOK_LEASE_SECONDS", 60)?),
            poll: std::time::Duration::from_millis(num("OFFERDECK_WEBHOOK_POLL_MS", 1_000)?.max(10)),
            concurrency: num("OFFERDECK_WEBHOOK_CONCURRENCY", 16)?.clamp(1, 1024) as usize,
            tenant_batch: num("OFFERDECK_WEBHOOK_TENANT_BATCH", 2)?.clamp(1, 1024) as i64,
            tenant_in_flight: num("OFFERDECK_WEBHOOK_TENANT_IN_FLIGHT", 4)?.clamp(1, 1024) as i64,
            allow_private: match var("OFFERDECK_WEBHOOK_ALLOW_PRIVATE").as_deref() {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(other) => return Err(format!("OFFERDECK_WEBHOOK_ALLOW_PRIVATE: expected true or false, got {other}")),
            },
            max_endpoints: num("OFFERDECK_WEBHOOK_MAX_ENDPOINTS", 20)?.clamp(1, 10_000) as i64,
        };
        if webhooks.lease <= webhooks.timeout {
            return Err(
                "OFFERDECK_WEBHOOK_LEASE_SECONDS must be longer than OFFERDECK_WEBHOOK_TIMEOUT_SECONDS (a delivery still in flight must not be sent twice)"
                    .into(),
            );
        }
        let coupon_validate_per_minute = num("OFFERDECK_COUPON_VALIDATE_PER_MINUTE", 60)?.min(u32::MAX as u64) as u32;
        let coupon_check_cache_ms = num("OFFERDECK_COUPON_CHECK_CACHE_MS", 1000)?.min(60_000) as i64;
        let client_ip = crate::server::client_ip::ClientIpConfig {
            header: var("OFFERDECK_CLIENT_IP_HEADER").map(|h| h.trim().to_lowercase()),
            trusted_proxies: (num("OFFERDECK_TRUSTED_PROXIES", 1)? as usize).clamp(1, 16),
        };
        let decisions_per_minute = num("OFFERDECK_DECISIONS_PER_MINUTE", 600)?.min(u32::MAX as u64) as u32;
        let session_max_hours = num("OFFERDECK_SESSION_MAX_HOURS", 168)?.clamp(1, 24 * 365) as i64;
        let batches = BatchSettings {
            chunk: num("OFFERDECK_BATCH_CHUNK", 500)?.clamp(1, 5000) as usize,
            pause_ms: num("OFFERDECK_BATCH_PAUSE_MS", 10)?.min(60_000),
            lease_ms: num("OFFERDECK_BATCH_LEASE_SECS", 30)?.clamp(1, 3600) as i64 * 1000,
            background: true,
        };
        Ok(Config {
            listen,
            database_url,
            public_url,
            cookie_secure,
            session_idle_minutes,
            secret_key,
            log_json,
            site_root,
            stripe_api_base,
            workflow_limits,
            webhooks,
            coupon_validate_per_minute,
            coupon_check_cache_ms,
            client_ip,
            decisions_per_minute,
            session_max_hours,
            batches,
        })
    }

    /// A configuration for tests: fixed key, no files touched.
    pub fn for_tests(database_url: &str) -> Self {
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: database_url.into(),
            public_url: "http://127.0.0.1".into(),
            cookie_secure: false,
            session_idle_minutes: 60,
            secret_key: [7u8; 32],
            log_json: false,
            site_root: "site".into(),
            stripe_api_base: "http://127.0.0.1:9".into(),
            workflow_limits: crate::server::workflow::Limits::default(),
            // The tests' receivers listen on 127.0.0.1; the SSRF tests turn this off again.
            webhooks: crate::server::webhooks_out::Settings {
                timeout: std::time::Duration::from_secs(5),
                lease: std::time::Duration::from_secs(10),
                poll: std::time::Duration::from_millis(200),
                allow_private: true,
                ..Default::default()
            },
            coupon_validate_per_minute: 60,
            // Exact checks unless a test turns the copy on (it then moves the clock past it).
            coupon_check_cache_ms: 0,
            client_ip: crate::server::client_ip::ClientIpConfig { header: None, trusted_proxies: 1 },
            decisions_per_minute: 600,
            session_max_hours: 168,
            batches: BatchSettings { chunk: 500, pause_ms: 0, lease_ms: 30_000, background: false },
        }
    }
}

fn parse_key(hex_key: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| "OFFERDECK_SECRET_KEY must be 64 hex characters".to_string())?;
    bytes.try_into().map_err(|_| "OFFERDECK_SECRET_KEY must be 64 hex characters (32 bytes)".to_string())
}

/// Zero set-up: the first start writes a random key next to the SQLite file (mode 0600).
/// Several nodes on one PostgreSQL must share `OFFERDECK_SECRET_KEY` instead.
fn load_or_create_key_file(path: &PathBuf) -> Result<[u8; 32], String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return parse_key(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let key: [u8; 32] = rand::random();
    write_private(path, &hex::encode(key)).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn masks_password_in_url() {
        assert_eq!(mask_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(mask_url("sqlite://data/offerdeck.db"), "sqlite://data/offerdeck.db");
    }
    #[test]
    fn key_must_be_32_bytes() {
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        assert!(parse_key("abcd").is_err());
        assert!(parse_key(&"zz".repeat(32)).is_err());
    }
}
