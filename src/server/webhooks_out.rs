//! The webhook dispatcher: one task per process that claims due deliveries from the outbox
//! (with a lease), signs them the Standard Webhooks way and POSTs them. A failure is retried
//! with exponential back-off (base × 2ⁿ, at most 4 h apart, with jitter) until 24 h after it was
//! queued. Delivery is at least once: a process killed mid-request leaves the row leased, and
//! once the lease runs out any node sends it again with the same `webhook-id`.
use crate::server::clock::Clock;
use crate::server::db::{Db, new_id, webhooks as wdb};
use crate::server::secrets;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

#[derive(Debug, Clone)]
pub struct Settings {
    /// First retry delay; doubled per attempt.
    pub retry_base: Duration,
    /// Per-request time limit.
    pub timeout: Duration,
    /// How long a claimed delivery stays reserved for the node sending it (> timeout).
    pub lease: Duration,
    /// How often the outbox is polled for work queued by other nodes or coming due.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { retry_base: Duration::from_secs(30), timeout: Duration::from_secs(10), lease: Duration::from_secs(60), poll: Duration::from_secs(1) }
    }
}

const MAX_GAP_MS: i64 = 4 * 3600 * 1000;
const CONCURRENCY: usize = 16;

/// Wakes the dispatcher (after a commit that queued deliveries).
#[derive(Clone, Default)]
pub struct Dispatcher {
    notify: Arc<Notify>,
}

impl Dispatcher {
    pub fn kick(&self) {
        self.notify.notify_one();
    }

    pub fn start(db: Db, secret_key: [u8; 32], clock: Clock, settings: Settings) -> Dispatcher {
        let d = Dispatcher::default();
        let notify = d.notify.clone();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("offerdeck-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client");
        tokio::spawn(run(db, secret_key, clock, settings, http, notify));
        d
    }
}

async fn run(db: Db, key: [u8; 32], clock: Clock, s: Settings, http: reqwest::Client, notify: Arc<Notify>) {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        let free = permits.available_permits() as i64;
        let mut claimed = 0;
        if free > 0 {
            let now = clock.now_ms();
            let due = wdb::any_due(&db.pool, now).await;
            let claim = match due {
                Ok(true) => wdb::claim_due(&db.pool, now, now + s.lease.as_millis() as i64, free).await,
                Ok(false) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
            match claim {
                Ok(batch) => {
                    claimed = batch.len();
                    for c in batch {
                        let Ok(permit) = permits.clone().acquire_owned().await else { return };
                        let (db, clock, http, s) = (db.clone(), clock.clone(), http.clone(), s.clone());
                        tokio::spawn(async move {
                            if let Err(e) = deliver(&db, &key, &clock, &http, &s, &c).await {
                                tracing::warn!(delivery = %c.id, "webhook delivery bookkeeping failed: {e}");
                            }
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::warn!("webhook outbox poll failed: {e}"),
            }
        }
        if claimed > 0 && claimed as i64 == free {
            continue;
        }
        tokio::select! {
            _ = notify.notified() => {}
            _ = tokio::time::sleep(s.poll) => {}
        }
    }
}

/// `v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>` where the key is the base64
/// part of `whsec_…` (Standard Webhooks).
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", b64.encode(mac.finalize().into_bytes())))
}

/// Delay before retry number `attempts` (1 = the first retry).
pub fn backoff_ms(base: Duration, attempts: i64) -> i64 {
    let exp = (attempts.clamp(1, 30) - 1) as u32;
    let d = (base.as_millis() as i64).saturating_mul(1i64 << exp.min(20)).min(MAX_GAP_MS);
    d + (rand::random::<u64>() % (d as u64 / 10 + 1)) as i64
}

async fn deliver(db: &Db, key: &[u8; 32], clock: &Clock, http: &reqwest::Client, s: &Settings, c: &wdb::Claimed) -> Result<(), sqlx::Error> {
    let pool = &db.pool;
    let Some((payload, url, secret_enc, endpoint_status)) = wdb::sending(pool, c).await? else {
        return wdb::finish_attempt(pool, &c.id, "failed", None, Some("the endpoint no longer exists"), 0, clock.now_ms()).await;
    };
    if endpoint_status != "enabled" {
        return wdb::finish_attempt(pool, &c.id, "failed", None, Some(&format!("the endpoint is {endpoint_status}")), 0, clock.now_ms()).await;
    }
    let secret = secrets::decrypt(key, &crate::server::services::webhooks::secret_context(&c.tenant_id, &c.environment, &c.endpoint_id), &secret_enc);
    let started_at = clock.now_ms();
    let started = Instant::now();
    let (status_code, error, excerpt) = match secret.and_then(|sec| sign(&sec, &c.message_id, started_at / 1000, &payload)) {
        None => (None, Some("the signing secret does not decrypt (was OFFERDECK_SECRET_KEY changed?)".to_string()), None),
        Some(signature) => {
            let res = http
                .post(&url)
                .header("content-type", "application/json")
                .header("webhook-id", &c.message_id)
                .header("webhook-timestamp", (started_at / 1000).to_string())
                .header("webhook-signature", signature)
                .body(payload)
                .send()
                .await;
            match res {
                Ok(r) => {
                    let code = r.status().as_u16() as i64;
                    let text = r.text().await.unwrap_or_default();
                    let excerpt: String = text.chars().take(500).collect();
                    (Some(code), None, (!excerpt.is_empty()).then_some(excerpt))
                }
                Err(e) => {
                    let what = if e.is_timeout() { format!("timed out after {} s", s.timeout.as_secs_f32()) } else if e.is_connect() { "connection failed".into() } else { "request failed".into() };
                    (None, Some(what), None)
                }
            }
        }
    };
    let duration_ms = started.elapsed().as_millis() as i64;
    let now = clock.now_ms();
    let record = wdb::AttemptRecord { id: &new_id("wha"), delivery_id: &c.id, at: started_at, status_code, error: error.as_deref(), duration_ms, response_excerpt: excerpt.as_deref() };
    let ok = status_code.is_some_and(|s| (200..300).contains(&s));
    let error = if ok { None } else { error.clone().or_else(|| status_code.map(|s| format!("the endpoint answered HTTP {s}"))) };
    let next = now + backoff_ms(s.retry_base, c.attempts);
    let (status, next_at) = if ok {
        tracing::info!(delivery = %c.id, message = %c.message_id, "webhook delivered");
        ("delivered", now)
    } else if next > c.give_up_at {
        tracing::warn!(delivery = %c.id, "webhook delivery failed for 24 hours; giving up");
        ("failed", now)
    } else {
        tracing::info!(delivery = %c.id, attempt = c.attempts, "webhook delivery failed; will retry");
        ("pending", next)
    };
    // The attempt and the delivery's new state together: the log never runs ahead of the row.
    let mut tx = pool.begin().await?;
    wdb::insert_attempt(&mut *tx, record).await?;
    wdb::finish_attempt(&mut *tx, &c.id, status, status_code, error.as_deref(), next_at, now).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_signature() {
        // The example of the Standard Webhooks specification.
        let sig = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(30);
        let first = backoff_ms(base, 1);
        assert!((30_000..=33_000).contains(&first));
        let third = backoff_ms(base, 3);
        assert!((120_000..=132_000).contains(&third));
        assert!(backoff_ms(base, 25) <= MAX_GAP_MS + MAX_GAP_MS / 10);
    }
}
