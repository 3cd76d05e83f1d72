//! SQL for events and for offer redemptions (claimed per token nonce before the workflow runs).
use super::{Scoped, ms_to_rfc3339};
use crate::model::{Event, EventStatus, EventType, IdentityKind};
use sqlx::{Any, Executor, Row};

pub struct NewEvent<'a> {
    pub id: &'a str,
    pub event_type: EventType,
    pub status: EventStatus,
    pub offer_id: Option<&'a str>,
    pub method_id: Option<&'a str>,
    pub workflow_version: Option<i64>,
    pub identity_kind: Option<IdentityKind>,
    pub identity: Option<&'a str>,
    pub duration_ms: Option<i64>,
    pub request: Option<String>,
    pub response: Option<String>,
    pub logs: Option<String>,
}

pub async fn insert_event<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, e: NewEvent<'_>, now: i64) -> Result<(), sqlx::Error> {
    super::scoped(scope, "INSERT INTO events (id, tenant_id, environment, event_type, status, offer_id, method_id, workflow_version, identity_kind, identity, duration_ms, request, response, logs, created_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",)
    .bind(e.id)
    .bind(e.event_type.as_str())
    .bind(e.status.as_str())
    .bind(e.offer_id)
    .bind(e.method_id)
    .bind(e.workflow_version)
    .bind(e.identity_kind.map(IdentityKind::as_str))
    .bind(e.identity)
    .bind(e.duration_ms)
    .bind(e.request)
    .bind(e.response)
    .bind(e.logs)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

/// `(event_type, status, offer_id)` of a scope's events, oldest first.
pub async fn list_events<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<(String, String, String, Option<String>)>, sqlx::Error> {
    super::scoped(scope, "SELECT id, event_type, status, offer_id FROM events WHERE tenant_id = $1 AND environment = $2 ORDER BY created_at, id")
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

pub enum Claim {
    /// This request runs the workflow.
    Claimed,
    /// A redemption of this token already succeeded: its event id, HTTP status and body.
    Done { event_id: String, http_status: i64, response: String },
    /// Another request is redeeming this token right now.
    Running,
}

pub async fn claim(pool: &sqlx::AnyPool, scope: &Scoped, nonce: &str, offer_id: &str, now: i64) -> Result<Claim, sqlx::Error> {
    let sql = "INSERT INTO offer_redemptions (token_nonce, tenant_id, environment, offer_id, state, created_at) \
         VALUES ($3, $1, $2, $4, 'running', $5) ON CONFLICT DO NOTHING";
    let inserted = super::scoped(scope, sql).bind(nonce).bind(offer_id).bind(now).execute(pool).await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Claimed);
    }
    let sql = "SELECT state, event_id, http_status, response FROM offer_redemptions WHERE token_nonce = $3 AND tenant_id = $1 AND environment = $2";
    let row = super::scoped(scope, sql).bind(nonce).fetch_optional(pool).await?;
    Ok(match row {
        Some(r) if r.try_get::<String, _>(0)? == "succeeded" => Claim::Done {
            event_id: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            http_status: r.try_get::<Option<i64>, _>(2)?.unwrap_or(200),
            response: r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
        },
        _ => Claim::Running,
    })
}

pub async fn succeed<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    nonce: &str,
    event_id: &str,
    http_status: i64,
    response: &str,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE offer_redemptions SET state = 'succeeded', event_id = $3, http_status = $4, response = $5 \
         WHERE token_nonce = $6 AND tenant_id = $1 AND environment = $2";
    super::scoped(scope, sql).bind(event_id).bind(http_status).bind(response).bind(nonce).execute(ex).await.map(|_| ())
}

/// A redemption that did not succeed leaves the token redeemable (e.g. sign up first, then redeem).
pub async fn release<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, nonce: &str) -> Result<(), sqlx::Error> {
    super::scoped(scope, "DELETE FROM offer_redemptions WHERE token_nonce = $3 AND tenant_id = $1 AND environment = $2 AND state = 'running'")
        .bind(nonce)
        .execute(ex)
        .await
        .map(|_| ())
}

fn event(r: &sqlx::any::AnyRow) -> Result<Event, sqlx::Error> {
    let json = |c: &str| -> Result<serde_json::Value, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(c)?.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(serde_json::Value::Null))
    };
    Ok(Event {
        id: r.try_get("id")?,
        event_type: EventType::parse(&r.try_get::<String, _>("event_type")?).unwrap_or(EventType::OfferRedemption),
        status: EventStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(EventStatus::Failed),
        offer_id: r.try_get("offer_id")?,
        method_id: r.try_get("method_id")?,
        workflow_version: r.try_get("workflow_version")?,
        identity_kind: r.try_get::<Option<String>, _>("identity_kind")?.as_deref().and_then(IdentityKind::parse),
        identity: r.try_get("identity")?,
        duration_ms: r.try_get("duration_ms")?,
        request: json("request")?,
        response: json("response")?,
        logs: serde_json::from_value(json("logs")?).unwrap_or_default(),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    })
}

const EVENT_COLS: &str =
    "id, event_type, status, offer_id, method_id, workflow_version, identity_kind, identity, duration_ms, request, response, logs, created_at";

pub struct EventFilter<'a> {
    pub event_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub offer_id: Option<&'a str>,
    /// The identifier as given (user identifier or anonymous id).
    pub identity: Option<&'a str>,
    /// `[from_ms, to_ms)`
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub starting_after: Option<&'a str>,
    pub limit: i64,
}

/// Newest first (time, then id). Only the filters that are set reach the SQL, and the cursor's
/// time is a bound of the range, so a page of a million events is one short index range (its
/// time index, or an offer's, or the redemptions' partial index) whatever the page's depth.
pub async fn page(conn: &mut sqlx::AnyConnection, scope: &Scoped, f: EventFilter<'_>) -> Result<(Vec<Event>, bool), sqlx::Error> {
    enum Arg<'a> {
        Text(&'a str),
        Int(i64),
    }
    /// ` AND {column} = $n` for a filter that is set (`$1`, `$2` are the scope).
    fn text<'a>(cond: &mut String, args: &mut Vec<Arg<'a>>, column: &str, v: Option<&'a str>) {
        if let Some(v) = v {
            cond.push_str(&format!(" AND {column} = ${}", args.len() + 3));
            args.push(Arg::Text(v));
        }
    }
    let mut cond = String::from("tenant_id = $1 AND environment = $2");
    let mut args: Vec<Arg> = Vec::new();
    if let Some(after) = f.starting_after {
        let sql = "SELECT created_at FROM events WHERE tenant_id = $1 AND environment = $2 AND id = $3";
        let Some(at) = super::scoped(scope, sql).bind(after).fetch_optional(&mut *conn).await? else {
            return Ok((Vec::new(), false));
        };
        let at: i64 = at.try_get(0)?;
        let n = args.len() + 3;
        cond.push_str(&format!(" AND created_at <= ${n} AND (created_at < ${n} OR id < ${})", n + 1));
        args.push(Arg::Int(at));
        args.push(Arg::Text(after));
    }
    match f.event_type {
        // A literal for the one rare type, so that its partial index applies.
        Some(t) if t == EventType::OfferRedemption.as_str() => cond.push_str(" AND event_type = 'offer.redemption'"),
        t => text(&mut cond, &mut args, "event_type", t),
    }
    text(&mut cond, &mut args, "status", f.status);
    text(&mut cond, &mut args, "offer_id", f.offer_id);
    text(&mut cond, &mut args, "identity", f.identity);
    for (v, op) in [(f.from_ms, ">="), (f.to_ms, "<")] {
        if let Some(v) = v {
            cond.push_str(&format!(" AND created_at {op} ${}", args.len() + 3));
            args.push(Arg::Int(v));
        }
    }
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE {cond} ORDER BY created_at DESC, id DESC LIMIT ${}", args.len() + 3);
    let mut q = super::scoped(scope, &sql);
    for a in args {
        q = match a {
            Arg::Text(t) => q.bind(t),
            Arg::Int(i) => q.bind(i),
        };
    }
    let rows = q.bind(f.limit + 1).fetch_all(&mut *conn).await?;
    Ok(super::split_page(rows.iter().map(event).collect::<Result<Vec<_>, _>>()?, f.limit))
}

pub async fn get_event<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<Event>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {EVENT_COLS} FROM events WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| event(&r))
        .transpose()
}
