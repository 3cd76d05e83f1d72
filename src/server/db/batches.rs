//! SQL of coupon batches and the codes they make. A generating batch inserts its codes as
//! `pending` coupons (unique in the scope by the coupons table's own key) chunk by chunk, each
//! chunk with the batch's progress in one transaction; completing flips them all to `active`
//! at once, failing deletes them, so a batch is never seen half-made.
use super::{Backend, Scoped, env_of, ms_to_rfc3339, value_rows};
use crate::model::{BatchKind, BatchRules, BatchStatus, CouponBatch};
use sqlx::{Any, AnyConnection, Executor, Row, any::AnyRow};

const COLS: &str = "id, kind, campaign, template, requested, generated, rules, status, error, stripe_coupon_id, created_by, \
    environment, created_at, updated_at, completed_at";

fn batch(r: &AnyRow) -> Result<CouponBatch, sqlx::Error> {
    let rules: BatchRules = serde_json::from_str(&r.try_get::<String, _>("rules")?).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(CouponBatch {
        id: r.try_get("id")?,
        kind: BatchKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(BatchKind::Generate),
        campaign: r.try_get("campaign")?,
        template: r.try_get("template")?,
        requested: r.try_get("requested")?,
        generated: r.try_get("generated")?,
        status: BatchStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(BatchStatus::Failed),
        error: r.try_get("error")?,
        rules,
        stripe_coupon_id: r.try_get("stripe_coupon_id")?,
        created_by: r.try_get("created_by")?,
        completed_at: r.try_get::<Option<i64>, _>("completed_at")?.map(ms_to_rfc3339),
        environment: env_of(&r.try_get::<String, _>("environment")?),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
        updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
    })
}

pub struct NewBatch<'a> {
    pub id: &'a str,
    pub kind: BatchKind,
    pub campaign: &'a str,
    pub template: Option<&'a str>,
    pub requested: i64,
    pub rules: &'a str,
    pub status: BatchStatus,
    pub stripe_coupon_id: &'a str,
    pub created_by: &'a str,
    /// An import is complete when stored: its codes and the instant.
    pub completed: Option<(i64, i64)>,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, b: &NewBatch<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO coupon_batches (id, tenant_id, environment, kind, campaign, template, requested, generated, rules, status, stripe_coupon_id, \
         created_by, created_at, updated_at, completed_at) VALUES ($3, $1, $2, $4, $5, $6, $7, $13, $8, $9, $10, $11, $12, $12, $14)";
    super::scoped(scope, sql)
        .bind(b.id)
        .bind(b.kind.as_str())
        .bind(b.campaign)
        .bind(b.template.map(str::to_string))
        .bind(b.requested)
        .bind(b.rules)
        .bind(b.status.as_str())
        .bind(b.stripe_coupon_id)
        .bind(b.created_by)
        .bind(b.now)
        .bind(b.completed.map(|c| c.0).unwrap_or(0))
        .bind(b.completed.map(|c| c.1))
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<CouponBatch>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM coupon_batches WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| batch(&r))
        .transpose()
}

/// Batches of the scope, newest first; only those of `campaign` when given.
pub async fn list<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    campaign: Option<&str>,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<CouponBatch>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM coupon_batches WHERE tenant_id = $1 AND environment = $2 AND ($3 IS NULL OR campaign = $3) AND {after} \
         ORDER BY id DESC LIMIT $5",
        after = super::after_cursor("coupon_batches", "coupon_batches", 4, super::Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql).bind(campaign.map(str::to_string)).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(batch).collect::<Result<Vec<_>, _>>()?, limit))
}

/// Whether the scope has a batch being generated.
pub async fn in_progress<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<bool, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM coupon_batches WHERE tenant_id = $1 AND environment = $2 AND status IN ('queued', 'running')";
    Ok(super::scoped(scope, sql).fetch_one(ex).await?.try_get::<i64, _>(0)? > 0)
}

/// Holds the batch for the caller until `until` and records its progress; `false` when it is
/// no longer running (completed or failed meanwhile).
pub async fn progress<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, generated: i64, until: i64, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE coupon_batches SET status = 'running', generated = $3, claimed_until = $4, updated_at = $5 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $6 AND status IN ('queued', 'running')";
    Ok(super::scoped(scope, sql).bind(generated).bind(until).bind(now).bind(id).execute(ex).await?.rows_affected() == 1)
}

/// Codes the batch has made so far.
pub async fn made<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<i64, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM coupons WHERE tenant_id = $1 AND environment = $2 AND batch_id = $3";
    super::scoped(scope, sql).bind(id).fetch_one(ex).await?.try_get(0)
}

/// The shared columns of a batch's codes.
pub struct CodeRules<'a> {
    pub batch_id: &'a str,
    pub coupon_type: &'a str,
    pub amount: i64,
    pub currency: Option<&'a str>,
    pub repeat_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub max_per_customer: Option<i64>,
    pub starts_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub campaign: &'a str,
    pub stripe_coupon_id: &'a str,
    /// `pending` (generated, until the batch completes) or `active` (imported).
    pub status: &'a str,
    pub now: i64,
}

const ROWS: usize = 50;

/// Inserts `codes` (each with a fresh id) with `r`'s rules; a code the scope already has is
/// skipped. Returns how many were inserted.
pub async fn insert_codes(conn: &mut AnyConnection, backend: Backend, scope: &Scoped, r: &CodeRules<'_>, codes: &[String]) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in codes.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO coupons (id, tenant_id, environment, code, coupon_type, amount, currency, repeat_months, max_redemptions, max_per_customer, \
             starts_at, expires_at, campaign, stripe_coupon_id, times_redeemed, status, batch_id, created_at, updated_at) VALUES {} \
             ON CONFLICT (tenant_id, environment, code) DO NOTHING",
            value_rows(backend, chunk.len(), 19)
        );
        let mut q = sqlx::query(&sql);
        for code in chunk {
            q = q
                .bind(super::new_id("cpn"))
                .bind(scope.tenant_id().to_string())
                .bind(scope.env().as_str())
                .bind(code.clone())
                .bind(r.coupon_type)
                .bind(r.amount)
                .bind(r.currency.map(str::to_string))
                .bind(r.repeat_months)
                .bind(r.max_redemptions)
                .bind(r.max_per_customer)
                .bind(r.starts_at)
                .bind(r.expires_at)
                .bind(r.campaign)
                .bind(r.stripe_coupon_id)
                .bind(0i64)
                .bind(r.status)
                .bind(r.batch_id)
                .bind(r.now)
                .bind(r.now);
        }
        inserted += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// Which of `codes` the scope already has (any status).
pub async fn existing_codes(conn: &mut AnyConnection, scope: &Scoped, codes: &[String]) -> Result<Vec<String>, sqlx::Error> {
    let mut found = Vec::new();
    for chunk in codes.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!("SELECT code FROM coupons WHERE tenant_id = $1 AND environment = $2 AND code IN ({})", list.join(", "));
        let mut q = super::scoped(scope, &sql);
        for c in chunk {
            q = q.bind(c.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            found.push(r.try_get(0)?);
        }
    }
    Ok(found)
}

/// Every code of the batch turns usable and the batch is completed; `false` when it was not
/// running any more.
pub async fn complete(conn: &mut AnyConnection, scope: &Scoped, id: &str, generated: i64, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE coupon_batches SET status = 'completed', generated = $3, claimed_until = 0, completed_at = $4, updated_at = $4 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $5 AND status IN ('queued', 'running')";
    if super::scoped(scope, sql).bind(generated).bind(now).bind(id).execute(&mut *conn).await?.rows_affected() != 1 {
        return Ok(false);
    }
    let sql = "UPDATE coupons SET status = 'active', updated_at = $3 WHERE tenant_id = $1 AND environment = $2 AND batch_id = $4 AND status = 'pending'";
    super::scoped(scope, sql).bind(now).bind(id).execute(&mut *conn).await?;
    Ok(true)
}

/// The batch failed: its pending codes are removed and `error` says why.
pub async fn fail(conn: &mut AnyConnection, scope: &Scoped, id: &str, error: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM coupons WHERE tenant_id = $1 AND environment = $2 AND batch_id = $3 AND status = 'pending'";
    super::scoped(scope, sql).bind(id).execute(&mut *conn).await?;
    let sql = "UPDATE coupon_batches SET status = 'failed', error = $3, generated = 0, claimed_until = 0, updated_at = $4 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $5";
    super::scoped(scope, sql).bind(error).bind(now).bind(id).execute(&mut *conn).await.map(|_| ())
}

/// One exported code: code, status as stored, times redeemed, redemptions recorded.
pub struct ExportRow {
    pub code: String,
    pub status: String,
    pub times_redeemed: i64,
    pub reserved: i64,
    pub expires_at: Option<i64>,
    pub max_redemptions: Option<i64>,
}

/// The batch's codes after `after` (by code), at most `limit`.
pub async fn codes_page<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, after: &str, limit: i64) -> Result<Vec<ExportRow>, sqlx::Error> {
    let sql = "SELECT code, status, times_redeemed, reserved, expires_at, max_redemptions FROM coupons \
         WHERE tenant_id = $1 AND environment = $2 AND batch_id = $3 AND code > $4 ORDER BY code LIMIT $5";
    let rows = super::scoped(scope, sql).bind(id).bind(after).bind(limit).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(ExportRow {
                code: r.try_get(0)?,
                status: r.try_get(1)?,
                times_redeemed: r.try_get(2)?,
                reserved: r.try_get(3)?,
                expires_at: r.try_get(4)?,
                max_redemptions: r.try_get(5)?,
            })
        })
        .collect()
}
