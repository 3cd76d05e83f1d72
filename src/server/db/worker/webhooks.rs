//! The webhook dispatcher's queries: claiming due deliveries across every tenant (round-robin,
//! with per-tenant shares), reading what to send, and recording attempts. Unscoped on purpose:
//! the claim is what tells the dispatcher whose delivery it is.
use crate::model::WebhookDeliveryStatus;
use sqlx::{Any, Executor, Row};

/// A delivery claimed for one attempt, with what sending it needs.
pub struct Claimed {
    pub id: String,
    pub message_id: String,
    pub endpoint_id: String,
    pub tenant_id: String,
    pub environment: String,
    pub attempts: i64,
    pub give_up_at: i64,
}

/// How the claim shares the dispatcher among tenants.
#[derive(Debug, Clone, Copy)]
pub struct Shares {
    /// Deliveries per tenant in one claim.
    pub per_round: i64,
    /// Leased deliveries per tenant (on every node) beyond which it gets none.
    pub in_flight: i64,
}

/// Claims up to `limit` due deliveries for `lease_until`, round-robin across tenants: each
/// tenant's due deliveries are numbered oldest first and taken by that number, at most
/// `per_round` of them and none past the tenant's `in_flight` share (deliveries leased now, on
/// any node, count). The outer conditions are evaluated again on the locked row (PostgreSQL) or
/// under the write lock (SQLite), so a row another node claimed first is skipped; two nodes
/// claiming at the same moment may each fill a tenant's share.
pub async fn claim_due<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    now: i64,
    lease_until: i64,
    limit: i64,
    shares: Shares,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let sql = "UPDATE webhook_deliveries SET locked_until = $1, attempts = attempts + 1, updated_at = $2 \
         WHERE id IN (SELECT id FROM ( \
                          SELECT d.id, d.next_attempt_at, COALESCE(busy.n, 0) AS busy, \
                                 ROW_NUMBER() OVER (PARTITION BY d.tenant_id ORDER BY d.next_attempt_at, d.id) AS turn \
                          FROM webhook_deliveries d \
                          LEFT JOIN (SELECT tenant_id, COUNT(*) AS n FROM webhook_deliveries \
                                     WHERE status = 'pending' AND locked_until > $2 GROUP BY tenant_id) busy ON busy.tenant_id = d.tenant_id \
                          WHERE d.status = 'pending' AND d.next_attempt_at <= $2 AND d.locked_until <= $2) due \
                      WHERE turn <= $4 AND turn + busy <= $5 \
                      ORDER BY turn, next_attempt_at, id LIMIT $3) \
         AND status = 'pending' AND locked_until <= $2 \
         RETURNING id, message_id, endpoint_id, tenant_id, environment, attempts, give_up_at";
    let rows = sqlx::query(sql).bind(lease_until).bind(now).bind(limit).bind(shares.per_round).bind(shares.in_flight).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                message_id: r.try_get("message_id")?,
                endpoint_id: r.try_get("endpoint_id")?,
                tenant_id: r.try_get("tenant_id")?,
                environment: r.try_get("environment")?,
                attempts: r.try_get("attempts")?,
                give_up_at: r.try_get("give_up_at")?,
            })
        })
        .collect()
}

/// True when a delivery is due: the idle poll is this read, so an idle node never takes
/// SQLite's write lock.
pub async fn any_due<'c, E: Executor<'c, Database = Any>>(ex: E, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND locked_until <= $1 LIMIT 1")
        .bind(now)
        .fetch_optional(ex)
        .await?;
    Ok(r.is_some())
}

/// Payload, URL and encrypted secret for a claimed delivery.
pub async fn sending<'c, E: Executor<'c, Database = Any>>(ex: E, c: &Claimed) -> Result<Option<(String, String, String, String)>, sqlx::Error> {
    let sql = "SELECT m.payload, e.url, e.secret_enc, e.status FROM webhook_messages m JOIN webhook_endpoints e ON e.id = $2 \
         WHERE m.id = $1 AND e.tenant_id = $3 AND e.environment = $4";
    let row = sqlx::query(sql).bind(&c.message_id).bind(&c.endpoint_id).bind(&c.tenant_id).bind(&c.environment).fetch_optional(ex).await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).transpose()
}

pub struct AttemptRecord<'a> {
    pub id: &'a str,
    pub delivery_id: &'a str,
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub response_excerpt: Option<&'a str>,
}

pub async fn insert_attempt<'c, E: Executor<'c, Database = Any>>(ex: E, a: AttemptRecord<'_>) -> Result<(), sqlx::Error> {
    let sql =
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, error, duration_ms, response_excerpt) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    sqlx::query(sql)
        .bind(a.id)
        .bind(a.delivery_id)
        .bind(a.at)
        .bind(a.status_code)
        .bind(a.error.map(str::to_string))
        .bind(a.duration_ms)
        .bind(a.response_excerpt.map(str::to_string))
        .execute(ex)
        .await
        .map(|_| ())
}

/// Records the outcome of an attempt. `next_attempt_at` `None` with `status` `pending` is not
/// allowed: pending rows always carry their next time.
pub async fn finish_attempt<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &str,
    status: WebhookDeliveryStatus,
    status_code: Option<i64>,
    error: Option<&str>,
    next_attempt_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE webhook_deliveries SET status = $1, last_status_code = $2, last_error = $3, next_attempt_at = $4, locked_until = 0, \
         delivered_at = CASE WHEN $1 = 'delivered' THEN $5 ELSE delivered_at END, updated_at = $5 WHERE id = $6";
    sqlx::query(sql)
        .bind(status.as_str())
        .bind(status_code)
        .bind(error.map(str::to_string))
        .bind(next_attempt_at)
        .bind(now)
        .bind(id)
        .execute(ex)
        .await
        .map(|_| ())
}
