//! Coupon batches found without a scope: the generator claims the oldest batch that is queued,
//! or running with its holder's lease run out (a stopped or restarted node). Unscoped on
//! purpose; the answer carries the scope read from the row.
use crate::server::db::Scoped;
use sqlx::{Any, Executor};

/// Takes the oldest due batch for the caller until `until`: its scope and id. The conditional
/// `UPDATE` decides between two nodes asking at once (the loser matches no row).
pub async fn claim_due<'c, E: Executor<'c, Database = Any>>(ex: E, now: i64, until: i64) -> Result<Option<(Scoped, String)>, sqlx::Error> {
    let sql = "UPDATE coupon_batches SET status = 'running', claimed_until = $1, updated_at = $2 \
         WHERE id = (SELECT id FROM coupon_batches WHERE status IN ('queued', 'running') AND claimed_until < $2 ORDER BY created_at, id LIMIT 1) \
         AND status IN ('queued', 'running') AND claimed_until < $2 RETURNING id, tenant_id, environment";
    let rows = sqlx::query(sql).bind(until).bind(now).fetch_all(ex).await?;
    Ok(super::scoped_ids(&rows)?.into_iter().next())
}
