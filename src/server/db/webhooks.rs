//! SQL for outgoing webhooks: endpoints, the persistent outbox (messages and one delivery per
//! message and endpoint) and the attempt log. Deliveries are claimed with a lease, so several
//! nodes on one PostgreSQL never send the same attempt twice and a node that dies mid-delivery
//! leaves the row to be picked up again when the lease runs out.
use super::record::one;
use super::row::{impl_record, stamped};
use super::{Backend, Db, Scoped, ms_to_rfc3339};
use crate::model::{WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint};
use sqlx::{Any, Executor, Row, any::AnyRow};

const ECOLS: &str = "id, url, description, event_types, status, environment, created_at, updated_at";

impl_record!(WebhookEndpoint, "webhook_endpoints", ECOLS, endpoint);

fn endpoint(r: &AnyRow) -> Result<WebhookEndpoint, sqlx::Error> {
    let types: String = r.try_get("event_types")?;
    stamped!(r => WebhookEndpoint { id, url, description, status;
        events: types.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect(), secret: None })
}

pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [String],
    pub secret_enc: &'a str,
    pub now: i64,
}

/// The write transaction in which an endpoint is counted and inserted ([`insert_endpoint`]):
/// concurrent creates for one tenant run one after the other. SQLite takes its write lock at
/// `BEGIN` ([`Db::begin_write`]); PostgreSQL also locks the tenant's row (`FOR NO KEY UPDATE`: other creates wait, the
/// foreign-key checks of unrelated inserts do not).
pub async fn begin_endpoint_write(db: &Db, tenant_id: &str) -> Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE").bind(tenant_id).fetch_optional(&mut *tx).await?;
    }
    Ok(tx)
}

/// Inserts the endpoint unless the scope already has `max` (deleted ones not counted) and
/// answers it; `None` then. Run it in [`begin_endpoint_write`]'s transaction for the count to hold.
pub async fn insert_endpoint<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    n: NewEndpoint<'_>,
    max: i64,
) -> Result<Option<WebhookEndpoint>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO webhook_endpoints (id, tenant_id, environment, url, description, event_types, secret_enc, status, created_at, updated_at) \
         SELECT $3, $1, $2, $4, $5, $6, $7, 'enabled', $8, $8 \
         WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = $1 AND environment = $2 AND status <> 'deleted') < $9 RETURNING {ECOLS}"
    );
    let q = super::scoped(scope, &sql).bind(n.id).bind(n.url).bind(n.description).bind(n.events.join(",")).bind(n.secret_enc).bind(n.now).bind(max);
    one(q, ex).await
}

/// Stores the endpoint's url, description, events and status and answers it; `None` when the
/// scope has no such row.
pub async fn update_endpoint<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    e: &WebhookEndpoint,
    now: i64,
) -> Result<Option<WebhookEndpoint>, sqlx::Error> {
    let sql = format!(
        "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, status = $6, updated_at = $7 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $8 RETURNING {ECOLS}"
    );
    one(super::scoped(scope, &sql).bind(&e.url).bind(&e.description).bind(e.events.join(",")).bind(&e.status).bind(now).bind(id), ex).await
}

/// The scope's endpoints, deleted ones left out: every one, or a page (a deleted endpoint still
/// works as a cursor).
pub const LIVE_ENDPOINTS: &str = "AND status <> 'deleted'";

pub async fn insert_message<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    event_type: &str,
    payload: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    super::scoped(scope, "INSERT INTO webhook_messages (id, tenant_id, environment, event_type, payload, created_at) VALUES ($3, $1, $2, $4, $5, $6)")
        .bind(id)
        .bind(event_type)
        .bind(payload)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// One pending delivery of `message_id` per enabled endpoint of the scope that subscribes to
/// `event_type`, in one statement. A delivery's id is the message's and the endpoint's
/// (`whd_<message>_<endpoint>`): time-ordered, and unique like the pair.
pub async fn insert_deliveries<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    message_id: &str,
    event_type: &str,
    now: i64,
    give_up_at: i64,
) -> Result<u64, sqlx::Error> {
    let prefix = format!("whd_{}_", message_id.trim_start_matches("evt_"));
    let r = super::scoped(scope, "INSERT INTO webhook_deliveries (id, message_id, endpoint_id, tenant_id, environment, status, attempts, next_attempt_at, locked_until, give_up_at, created_at, updated_at) \
         SELECT $3 || id, $4, id, tenant_id, environment, 'pending', 0, $5, 0, $6, $5, $5 FROM webhook_endpoints \
         WHERE tenant_id = $1 AND environment = $2 AND status = 'enabled' AND (',' || event_types || ',') LIKE $7",)
    .bind(prefix)
    .bind(message_id)
    .bind(now)
    .bind(give_up_at)
    .bind(format!("%,{event_type},%"))
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

/// Puts a delivery back in the queue now, with a fresh 24-hour window (manual resend).
pub async fn requeue<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64, give_up_at: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, give_up_at = $4, locked_until = 0, updated_at = $3 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $5 AND locked_until <= $3";
    let r = super::scoped(scope, sql).bind(now).bind(give_up_at).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

const DCOLS: &str = "d.id, d.message_id, m.event_type, d.endpoint_id, d.status, d.attempts, d.last_status_code, d.last_error, \
    d.next_attempt_at, d.delivered_at, d.created_at";

fn delivery(r: &AnyRow) -> Result<WebhookDelivery, sqlx::Error> {
    let status = WebhookDeliveryStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(WebhookDeliveryStatus::Failed);
    let next: i64 = r.try_get("next_attempt_at")?;
    Ok(WebhookDelivery {
        id: r.try_get("id")?,
        event_id: r.try_get("message_id")?,
        event_type: r.try_get("event_type")?,
        endpoint_id: r.try_get("endpoint_id")?,
        next_attempt_at: (status == WebhookDeliveryStatus::Pending).then(|| ms_to_rfc3339(next)),
        status,
        attempts: r.try_get("attempts")?,
        last_status_code: r.try_get("last_status_code")?,
        last_error: r.try_get("last_error")?,
        delivered_at: r.try_get::<Option<i64>, _>("delivered_at")?.map(ms_to_rfc3339),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    })
}

/// One page of an endpoint's deliveries, newest first (`created_at`, then id), and whether more
/// follow; the cursor must be a delivery of the same endpoint.
pub async fn page_deliveries<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    endpoint_id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<WebhookDelivery>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {DCOLS} FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id \
         WHERE d.tenant_id = $1 AND d.environment = $2 AND d.endpoint_id = $3 AND {after} ORDER BY d.created_at DESC, d.id DESC LIMIT $5",
        after = super::after_cursor("webhook_deliveries", "d", 4, super::Keyset::CreatedAt, "AND k.endpoint_id = $3")
    );
    let rows = super::scoped(scope, &sql).bind(endpoint_id).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(delivery).collect::<Result<Vec<_>, _>>()?, limit))
}

pub async fn get_delivery<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<WebhookDelivery>, sqlx::Error> {
    let sql = format!(
        "SELECT {DCOLS} FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id \
         WHERE d.tenant_id = $1 AND d.environment = $2 AND d.id = $3"
    );
    super::scoped(scope, &sql).bind(id).fetch_optional(ex).await?.map(|r| delivery(&r)).transpose()
}

/// The attempts of the given deliveries (delivery id, attempt), oldest first: one page of the
/// delivery log's details in one query.
pub async fn attempts_of<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    delivery_ids: &[String],
) -> Result<Vec<(String, WebhookAttempt)>, sqlx::Error> {
    if delivery_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = (0..delivery_ids.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT a.delivery_id, a.attempted_at, a.status_code, a.error, a.duration_ms, a.response_excerpt \
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id \
         WHERE d.tenant_id = $1 AND d.environment = $2 AND d.id IN ({list}) ORDER BY a.attempted_at, a.id"
    );
    let mut q = super::scoped(scope, &sql);
    for id in delivery_ids {
        q = q.bind(id);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            let attempt = WebhookAttempt {
                attempted_at: ms_to_rfc3339(r.try_get("attempted_at")?),
                status_code: r.try_get("status_code")?,
                error: r.try_get("error")?,
                duration_ms: r.try_get("duration_ms")?,
                response_excerpt: r.try_get("response_excerpt")?,
            };
            Ok((r.try_get("delivery_id")?, attempt))
        })
        .collect()
}

/// Messages of one type in the scope (tests count `coupon.redeemed`).
pub async fn message_count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, event_type: &str) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM webhook_messages WHERE tenant_id = $1 AND environment = $2 AND event_type = $3")
        .bind(event_type)
        .fetch_one(ex)
        .await?
        .try_get(0)
}
