//! The webhook dispatcher: one task per process that claims due deliveries from the outbox
//! (with a lease), signs them the Standard Webhooks way and POSTs them. A failure is retried
//! with exponential back-off (base × 2ⁿ, at most 4 h apart, with jitter) until 24 h after it was
//! queued. Delivery is at least once: a process killed mid-request leaves the row leased, and
//! once the lease runs out any node sends it again with the same `webhook-id`.
//!
//! Sharing: each claim round takes at most `tenant_batch` deliveries per tenant, round-robin
//! across tenants, and none for a tenant that already has `tenant_in_flight` deliveries leased,
//! so a tenant whose receiver hangs holds a few of the `concurrency` slots, not all of them.
//! Targets: see [`target`] — internal addresses are refused when saved and again, on the
//! resolved address, when sent to; redirects are not followed; at most
//! [`RESPONSE_EXCERPT_BYTES`] of an answer are read.
pub mod target;

use crate::model::WebhookDeliveryStatus;
use crate::server::clock::Clock;
use crate::server::db::{self, Db, new_id};
use crate::server::secrets;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Deliveries in flight at once on one node (`OFFERDECK_WEBHOOK_CONCURRENCY`).
    pub concurrency: usize,
    /// Deliveries claimed per tenant per round (`OFFERDECK_WEBHOOK_TENANT_BATCH`).
    pub tenant_batch: i64,
    /// Leased (in-flight) deliveries per tenant beyond which it gets no more until one finishes
    /// (`OFFERDECK_WEBHOOK_TENANT_IN_FLIGHT`).
    pub tenant_in_flight: i64,
    /// Loopback and private-network receivers allowed (`OFFERDECK_WEBHOOK_ALLOW_PRIVATE`).
    pub allow_private: bool,
    /// Endpoints per tenant and environment, deleted ones not counted (`OFFERDECK_WEBHOOK_MAX_ENDPOINTS`).
    pub max_endpoints: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retry_base: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            concurrency: 16,
            tenant_batch: 2,
            tenant_in_flight: 4,
            allow_private: false,
            max_endpoints: 20,
        }
    }
}

const MAX_GAP_MS: i64 = 4 * 3600 * 1000;
/// The most of an answer that is read (and kept in the delivery log); the rest is never read.
pub const RESPONSE_EXCERPT_BYTES: usize = 4096;
/// The most of an error kept in the delivery log.
const ERROR_MAX_CHARS: usize = 500;

/// Wakes the dispatcher (after a commit that queued deliveries).
#[derive(Clone, Default)]
pub struct Dispatcher {
    notify: Arc<Notify>,
    stopped: Arc<AtomicBool>,
}

impl Dispatcher {
    pub fn kick(&self) {
        self.notify.notify_one();
    }

    /// Claims nothing more (deliveries already claimed finish): for a graceful shutdown, and for
    /// tests that hand the outbox to another node.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.notify.notify_one();
    }

    pub fn start(db: Db, secret_key: [u8; 32], clock: Clock, settings: Settings) -> Dispatcher {
        let d = Dispatcher::default();
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A redirect is the receiver's answer, recorded as such: following it would let an
            // endpoint point the dispatcher anywhere.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the resolver's check.
            .no_proxy()
            .dns_resolver(Arc::new(target::GuardedResolver { allow_private: settings.allow_private }))
            .user_agent(concat!("offerdeck-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("HTTP client");
        tokio::spawn(run(db, secret_key, clock, settings, http, d.clone()));
        d
    }
}

async fn run(db: Db, key: [u8; 32], clock: Clock, s: Settings, http: reqwest::Client, me: Dispatcher) {
    let permits = Arc::new(Semaphore::new(s.concurrency.max(1)));
    let shares = db::worker::webhooks::Shares { per_round: s.tenant_batch.max(1), in_flight: s.tenant_in_flight.max(1) };
    loop {
        if me.stopped.load(Ordering::Acquire) {
            return;
        }
        let free = permits.available_permits() as i64;
        let mut claimed = 0;
        if free > 0 {
            let now = clock.now_ms();
            let due = db::worker::webhooks::any_due(&db.pool, now).await;
            let claim = match due {
                Ok(true) => db::worker::webhooks::claim_due(&db.pool, now, now + s.lease.as_millis() as i64, free, shares).await,
                Ok(false) => Ok(Vec::new()),
                Err(e) => Err(e),
            };
            match claim {
                Ok(batch) => {
                    claimed = batch.len();
                    for c in batch {
                        let Ok(permit) = permits.clone().acquire_owned().await else { return };
                        let (db, clock, http, s, me) = (db.clone(), clock.clone(), http.clone(), s.clone(), me.clone());
                        tokio::spawn(async move {
                            if let Err(e) = deliver(&db, &key, &clock, &http, &s, &c).await {
                                tracing::warn!(delivery = %c.id, "webhook delivery bookkeeping failed: {e}");
                            }
                            drop(permit);
                            // A slot (and the tenant's share) is free: claim again now.
                            me.kick();
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
            _ = me.notify.notified() => {}
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

/// The first [`RESPONSE_EXCERPT_BYTES`] of the answer; the connection is dropped there rather
/// than the rest read (an endpoint may answer with an endless body).
async fn read_excerpt(mut r: reqwest::Response) -> String {
    let mut buf: Vec<u8> = Vec::with_capacity(512);
    while buf.len() < RESPONSE_EXCERPT_BYTES {
        match r.chunk().await {
            Ok(Some(chunk)) => buf.extend_from_slice(&chunk[..chunk.len().min(RESPONSE_EXCERPT_BYTES - buf.len())]),
            _ => break,
        }
    }
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    let mut end = text.len().min(RESPONSE_EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

fn bounded(mut s: String, max_chars: usize) -> String {
    if let Some((i, _)) = s.char_indices().nth(max_chars) {
        s.truncate(i);
    }
    s
}

/// Delay before retry number `attempts` (1 = the first retry).
pub fn backoff_ms(base: Duration, attempts: i64) -> i64 {
    let exp = (attempts.clamp(1, 30) - 1) as u32;
    let d = (base.as_millis() as i64).saturating_mul(1i64 << exp.min(20)).min(MAX_GAP_MS);
    d + (rand::random::<u64>() % (d as u64 / 10 + 1)) as i64
}

/// One signed POST: the status code and the start of the body, or why no answer came.
async fn post(
    http: &reqwest::Client,
    s: &Settings,
    url: &str,
    message_id: &str,
    started_at: i64,
    signature: String,
    payload: String,
) -> (Option<i64>, Option<String>, Option<String>) {
    let res = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", message_id)
        .header("webhook-timestamp", (started_at / 1000).to_string())
        .header("webhook-signature", signature)
        .body(payload)
        .send()
        .await;
    match res {
        Ok(r) => {
            let code = r.status().as_u16() as i64;
            let excerpt = read_excerpt(r).await;
            (Some(code), None, (!excerpt.is_empty()).then_some(excerpt))
        }
        Err(e) => {
            let what = if let Some(refused) = target::refused_in(&e) {
                refused.to_string()
            } else if e.is_timeout() {
                format!("timed out after {} s", s.timeout.as_secs_f32())
            } else if e.is_connect() {
                "connection failed".into()
            } else {
                "request failed".into()
            };
            (None, Some(what), None)
        }
    }
}

async fn deliver(db: &Db, key: &[u8; 32], clock: &Clock, http: &reqwest::Client, s: &Settings, c: &db::worker::webhooks::Claimed) -> Result<(), sqlx::Error> {
    let pool = &db.pool;
    // Without an enabled endpoint there is nothing to send: the delivery fails for good.
    let Some((payload, url, secret_enc, endpoint_status)) = db::worker::webhooks::sending(pool, c).await? else {
        return db::worker::webhooks::finish_attempt(
            pool,
            &c.id,
            WebhookDeliveryStatus::Failed,
            None,
            Some("the endpoint no longer exists"),
            0,
            clock.now_ms(),
        )
        .await;
    };
    if endpoint_status != "enabled" {
        let why = format!("the endpoint is {endpoint_status}");
        return db::worker::webhooks::finish_attempt(pool, &c.id, WebhookDeliveryStatus::Failed, None, Some(&why), 0, clock.now_ms()).await;
    }
    let secret = secrets::decrypt(key, &crate::server::services::webhooks::secret_context(&c.tenant_id, &c.environment, &c.endpoint_id), &secret_enc);
    let started_at = clock.now_ms();
    let started = Instant::now();
    let signature = secret.and_then(|sec| sign(&sec, &c.message_id, started_at / 1000, &payload));
    let (status_code, error, excerpt) = match (target::check_delivery(&url, s.allow_private), signature) {
        (Err(refused), _) => (None, Some(refused), None),
        (Ok(()), None) => (None, Some("the signing secret does not decrypt (was OFFERDECK_SECRET_KEY changed?)".to_string()), None),
        (Ok(()), Some(signature)) => post(http, s, &url, &c.message_id, started_at, signature, payload).await,
    };
    let error = error.map(|e| bounded(e, ERROR_MAX_CHARS));
    let duration_ms = started.elapsed().as_millis() as i64;
    let now = clock.now_ms();
    let record = db::worker::webhooks::AttemptRecord {
        id: &new_id("wha"),
        delivery_id: &c.id,
        at: started_at,
        status_code,
        error: error.as_deref(),
        duration_ms,
        response_excerpt: excerpt.as_deref(),
    };
    let ok = status_code.is_some_and(|s| (200..300).contains(&s));
    let error = if ok { None } else { error.clone().or_else(|| status_code.map(|s| format!("the endpoint answered HTTP {s}"))) };
    let next = now + backoff_ms(s.retry_base, c.attempts);
    let (status, next_at) = if ok {
        tracing::info!(delivery = %c.id, message = %c.message_id, "webhook delivered");
        (WebhookDeliveryStatus::Delivered, now)
    } else if next > c.give_up_at {
        tracing::warn!(delivery = %c.id, "webhook delivery failed for 24 hours; giving up");
        (WebhookDeliveryStatus::Failed, now)
    } else {
        tracing::info!(delivery = %c.id, attempt = c.attempts, "webhook delivery failed; will retry");
        (WebhookDeliveryStatus::Pending, next)
    };
    // The attempt and the delivery's new state together: the log never runs ahead of the row.
    let mut tx = db.begin_write().await?;
    db::worker::webhooks::insert_attempt(&mut *tx, record).await?;
    db::worker::webhooks::finish_attempt(&mut *tx, &c.id, status, status_code, error.as_deref(), next_at, now).await?;
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
