//! SQL for offers and their ordered prices, within one tenant and environment.
use super::Scoped;
use super::row::{self, stamped};
use crate::model::{Audience, Offer, ProductStatus};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, name, method_id, presentation, instructions, valid_from, valid_until, audience, campaign, status, environment, created_at, updated_at";

fn offer(r: &AnyRow) -> Result<Offer, sqlx::Error> {
    let instructions = serde_json::from_str(&r.try_get::<String, _>("instructions")?).unwrap_or(serde_json::json!({}));
    let audience = Audience::parse(&r.try_get::<String, _>("audience")?).unwrap_or_default();
    stamped!(r => Offer { id, name;
        redemption_method_id: r.try_get("method_id")?, price_ids: Vec::new(), presentation: row::json(r, "presentation")?, instructions: instructions,
        valid_from: row::time_opt(r, "valid_from")?, valid_until: row::time_opt(r, "valid_until")?, audience: audience, campaign: r.try_get("campaign")?, status: row::status(r)? })
}

pub struct OfferRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub method_id: &'a str,
    pub presentation: &'a str,
    pub instructions: &'a str,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub audience: Audience,
    pub campaign: Option<&'a str>,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, o: &OfferRow<'_>) -> Result<(), sqlx::Error> {
    super::scoped(scope, "INSERT INTO offers (id, tenant_id, environment, name, method_id, presentation, instructions, valid_from, valid_until, audience, campaign, status, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $12, 'active', $11, $11)",)
    .bind(o.id)
    .bind(o.name)
    .bind(o.method_id)
    .bind(o.presentation)
    .bind(o.instructions)
    .bind(o.valid_from)
    .bind(o.valid_until)
    .bind(o.audience.as_str())
    .bind(o.now)
    .bind(o.campaign.map(str::to_string))
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn update<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, o: &OfferRow<'_>) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE offers SET name = $3, method_id = $4, presentation = $5, instructions = $6, valid_from = $7, valid_until = $8, audience = $9, updated_at = $10, campaign = $12 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $11";
    let r = super::scoped(scope, sql)
        .bind(o.name)
        .bind(o.method_id)
        .bind(o.presentation)
        .bind(o.instructions)
        .bind(o.valid_from)
        .bind(o.valid_until)
        .bind(o.audience.as_str())
        .bind(o.now)
        .bind(o.id)
        .bind(o.campaign.map(str::to_string))
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces the offer's prices, keeping their order. The offer must already be in `scope`.
/// Replaces the offer's prices, in order. Reached only through the scoped offer: each
/// statement names the offer (and each price) within the tenant and environment, so an offer or
/// price of another scope changes nothing and fails with `RowNotFound`.
pub async fn set_prices(tx: &mut sqlx::Transaction<'_, Any>, scope: &Scoped, offer_id: &str, price_ids: &[String]) -> Result<(), sqlx::Error> {
    let sql = "DELETE FROM offer_prices WHERE offer_id = $3 AND EXISTS (SELECT 1 FROM offers o WHERE o.tenant_id = $1 AND o.environment = $2 AND o.id = $3)";
    super::scoped(scope, sql).bind(offer_id).execute(&mut **tx).await?;
    for (i, p) in price_ids.iter().enumerate() {
        let sql = "INSERT INTO offer_prices (offer_id, price_id, position) SELECT o.id, p.id, $5 FROM offers o JOIN prices p \
             ON p.tenant_id = o.tenant_id AND p.environment = o.environment AND p.id = $4 WHERE o.tenant_id = $1 AND o.environment = $2 AND o.id = $3";
        let r = super::scoped(scope, sql).bind(offer_id).bind(p).bind(i as i64).execute(&mut **tx).await?;
        if r.rows_affected() != 1 {
            return Err(sqlx::Error::RowNotFound);
        }
    }
    Ok(())
}

async fn price_ids<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, offer_id: &str) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT op.price_id FROM offer_prices op JOIN offers o ON o.id = op.offer_id \
         WHERE o.tenant_id = $1 AND o.environment = $2 AND op.offer_id = $3 ORDER BY op.position";
    super::scoped(scope, sql).bind(offer_id).fetch_all(ex).await?.iter().map(|r| r.try_get(0)).collect()
}

/// One offer with its prices; `conn` is a pool connection or a transaction (`&mut *tx`).
pub async fn get(conn: &mut sqlx::AnyConnection, scope: &Scoped, id: &str) -> Result<Option<Offer>, sqlx::Error> {
    let Some(row) = super::scoped(scope, &format!("SELECT {COLS} FROM offers WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut o = offer(&row)?;
    o.price_ids = price_ids(&mut *conn, scope, id).await?;
    Ok(Some(o))
}

pub async fn list(conn: &mut sqlx::AnyConnection, scope: &Scoped, starting_after: Option<&str>, limit: i64) -> Result<(Vec<Offer>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM offers WHERE tenant_id = $1 AND environment = $2 AND {after} ORDER BY id DESC LIMIT $4",
        after = super::after_cursor("offers", "offers", 3, super::Keyset::Id, "")
    );
    let rows = super::scoped(scope, &sql).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(&mut *conn).await?;
    let (mut items, more) = super::split_page(rows.iter().map(offer).collect::<Result<Vec<_>, _>>()?, limit);
    // The prices of the whole page in one query, by the page's ids on both sides of the join
    // (index lookups; an id list on one side let PostgreSQL hash-join every offer of the scope).
    let mut prices: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    if !items.is_empty() {
        let ids = (3..items.len() + 3).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT op.offer_id, op.price_id FROM offer_prices op JOIN offers o ON o.id = op.offer_id \
             WHERE o.tenant_id = $1 AND o.environment = $2 AND o.id IN ({ids}) AND op.offer_id IN ({ids}) ORDER BY op.offer_id, op.position"
        );
        let mut q = super::scoped(scope, &sql);
        for o in &items {
            q = q.bind(o.id.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            prices.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
    }
    for o in &mut items {
        o.price_ids = prices.remove(&o.id).unwrap_or_default();
    }
    Ok((items, more))
}

/// Archives or restores the offer; `false` when the scope has no such row.
pub async fn set_status<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, status: ProductStatus, now: i64) -> Result<bool, sqlx::Error> {
    let r = super::scoped(scope, "UPDATE offers SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5")
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Every offer of a scope without its prices (the surface-decision snapshot).
pub async fn all<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<Offer>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM offers WHERE tenant_id = $1 AND environment = $2")).fetch_all(ex).await?.iter().map(offer).collect()
}
