//! SQL for discount rules and the discount applications of checkout sessions.
use super::Scoped;
use super::record::one;
use super::row::{self, impl_record, stamped};
use crate::model::{DiscountRule, DiscountRuleType};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, name, rule_type, currency, tiers, min_completed_checkouts, percent_off, amount_off, code, compiled_js, source_map, priority, \
    valid_from, valid_until, active, environment, created_at, updated_at";

impl_record!(DiscountRule, "discount_rules", COLS, rule);

fn rule(r: &AnyRow) -> Result<DiscountRule, sqlx::Error> {
    let t: String = r.try_get("rule_type")?;
    stamped!(r => DiscountRule { id, name, currency, min_completed_checkouts, percent_off, amount_off, code, priority;
        rule_type: DiscountRuleType::parse(&t).unwrap_or(DiscountRuleType::CartValue),
        tiers: row::json(r, "tiers")?,
        valid_from: row::time_opt(r, "valid_from")?,
        valid_until: row::time_opt(r, "valid_until")?,
        active: r.try_get::<i64, _>("active")? != 0 })
}

/// A rule's stored fields.
pub struct RuleRow<'a> {
    pub name: &'a str,
    pub rule_type: DiscountRuleType,
    pub currency: Option<&'a str>,
    pub tiers: &'a str,
    pub min_completed_checkouts: Option<i64>,
    pub percent_off: Option<i64>,
    pub amount_off: Option<i64>,
    pub code: Option<&'a str>,
    pub compiled_js: Option<&'a str>,
    pub source_map: Option<&'a str>,
    pub priority: i64,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub active: bool,
}

fn bind_row<'q>(q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>, r: &RuleRow<'q>) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    q.bind(r.name)
        .bind(r.rule_type.as_str())
        .bind(r.currency.map(str::to_string))
        .bind(r.tiers)
        .bind(r.min_completed_checkouts)
        .bind(r.percent_off)
        .bind(r.amount_off)
        .bind(r.code.map(str::to_string))
        .bind(r.compiled_js.map(str::to_string))
        .bind(r.source_map.map(str::to_string))
        .bind(r.priority)
        .bind(r.valid_from)
        .bind(r.valid_until)
        .bind(i64::from(r.active))
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, r: &RuleRow<'_>, now: i64) -> Result<DiscountRule, sqlx::Error> {
    let sql = format!(
        "INSERT INTO discount_rules (id, tenant_id, environment, name, rule_type, currency, tiers, min_completed_checkouts, percent_off, amount_off, code, \
         compiled_js, source_map, priority, valid_from, valid_until, active, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING {COLS}"
    );
    one(bind_row(super::scoped(scope, &sql).bind(id), r).bind(now), ex).await?.ok_or(sqlx::Error::RowNotFound)
}

pub async fn update<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    r: &RuleRow<'_>,
    now: i64,
) -> Result<Option<DiscountRule>, sqlx::Error> {
    let sql = format!(
        "UPDATE discount_rules SET name = $4, rule_type = $5, currency = $6, tiers = $7, min_completed_checkouts = $8, percent_off = $9, amount_off = $10, \
         code = $11, compiled_js = $12, source_map = $13, priority = $14, valid_from = $15, valid_until = $16, active = $17, updated_at = $18 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $3 RETURNING {COLS}"
    );
    one(bind_row(super::scoped(scope, &sql).bind(id), r).bind(now), ex).await
}

/// A workflow rule's compiled script.
pub async fn compiled<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    let sql = "SELECT compiled_js, source_map FROM discount_rules WHERE tenant_id = $1 AND environment = $2 AND id = $3 AND compiled_js IS NOT NULL";
    let Some(r) = super::scoped(scope, sql).bind(id).fetch_optional(ex).await? else { return Ok(None) };
    Ok(Some((r.try_get("compiled_js")?, r.try_get("source_map")?)))
}

pub async fn count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM discount_rules WHERE tenant_id = $1 AND environment = $2").fetch_one(ex).await?.try_get(0)
}

/// One discount applied to (or removed from) a session.
pub struct Application<'a> {
    pub session_id: &'a str,
    pub source: &'a str,
    pub rule_id: Option<&'a str>,
    pub code: Option<&'a str>,
    pub amount_before: i64,
    pub amount_after: i64,
}

pub async fn record_application<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, a: Application<'_>, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO discount_applications (id, checkout_session_id, tenant_id, environment, source, rule_id, code, amount_before, amount_after, created_at) \
         SELECT $3, s.id, s.tenant_id, s.environment, $5, $6, $7, $8, $9, $10 FROM checkout_sessions s WHERE s.tenant_id = $1 AND s.environment = $2 AND s.id = $4";
    super::scoped(scope, sql)
        .bind(super::new_id("dap"))
        .bind(a.session_id)
        .bind(a.source)
        .bind(a.rule_id.map(str::to_string))
        .bind(a.code.map(str::to_string))
        .bind(a.amount_before)
        .bind(a.amount_after)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// A session's applications, oldest first: (source, rule id, code, before, after, time).
pub async fn applications<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    session_id: &str,
) -> Result<Vec<crate::model::DiscountApplication>, sqlx::Error> {
    let sql = "SELECT source, rule_id, code, amount_before, amount_after, created_at FROM discount_applications \
         WHERE tenant_id = $1 AND environment = $2 AND checkout_session_id = $3 ORDER BY created_at, id LIMIT 500";
    let rows = super::scoped(scope, sql).bind(session_id).fetch_all(ex).await?;
    rows.iter()
        .map(|r| {
            Ok(crate::model::DiscountApplication {
                source: r.try_get("source")?,
                rule_id: r.try_get("rule_id")?,
                code: r.try_get("code")?,
                amount_before: r.try_get("amount_before")?,
                amount_after: r.try_get("amount_after")?,
                created_at: row::time(r, "created_at")?,
            })
        })
        .collect()
}
