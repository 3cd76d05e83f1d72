//! SQL for what the recorder writes in batches (decision events and the impressions of the
//! offers they presented) and for the offer statistics read from them.
use super::Scoped;
use crate::model::{EventStatus, EventType, IdentityKind};
use sqlx::{Any, Executor, Row};

/// One surface decision: its event row and one impression per presented offer.
#[derive(Debug, Clone)]
pub struct Decision {
    pub scope: Scoped,
    pub event_id: String,
    pub status: EventStatus,
    pub identity_kind: IdentityKind,
    pub identity: String,
    pub request: String,
    pub response: String,
    pub offer_ids: Vec<String>,
    /// The campaign of each presented offer (same order as `offer_ids`).
    pub campaigns: Vec<Option<String>>,
    pub at_ms: i64,
}

use super::{Backend, value_rows as placeholders_for};

/// Rows per multi-row statement, largest first. A few fixed sizes, so that the statement texts
/// are prepared once per connection and reused, and any batch takes few statements.
const SIZES: [usize; 4] = [64, 16, 4, 1];

/// Splits `rows` into chunks of the fixed sizes, largest first.
fn shapes<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        let n = SIZES.iter().copied().find(|&n| n <= rest.len())?;
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        Some(chunk)
    })
}

/// Writes decisions with multi-row INSERTs; the caller wraps it in one transaction.
pub async fn insert_decisions(conn: &mut sqlx::AnyConnection, backend: Backend, batch: &[Decision]) -> Result<(), sqlx::Error> {
    let placeholders = |rows, cols| placeholders_for(backend, rows, cols);
    for chunk in shapes(batch) {
        let sql = format!(
            "INSERT INTO events (id, tenant_id, environment, event_type, status, offer_id, identity_kind, identity, request, response, created_at) VALUES {}",
            placeholders(chunk.len(), 11)
        );
        let mut q = sqlx::query(&sql);
        for d in chunk {
            q = q
                .bind(d.event_id.clone())
                .bind(d.scope.tenant_id().to_string())
                .bind(d.scope.env().as_str())
                .bind(EventType::SurfaceDecision.as_str())
                .bind(d.status.as_str())
                .bind(d.offer_ids.first().cloned())
                .bind(d.identity_kind.as_str())
                .bind(d.identity.clone())
                .bind(d.request.clone())
                .bind(d.response.clone())
                .bind(d.at_ms);
        }
        q.execute(&mut *conn).await?;
    }
    let impressions: Vec<(&Decision, &String)> = batch.iter().flat_map(|d| d.offer_ids.iter().map(move |o| (d, o))).collect();
    for chunk in shapes(&impressions) {
        let sql = format!("INSERT INTO impressions (tenant_id, environment, offer_id, event_id, identity, created_at) VALUES {}", placeholders(chunk.len(), 6));
        let mut q = sqlx::query(&sql);
        for (d, offer_id) in chunk {
            q = q
                .bind(d.scope.tenant_id().to_string())
                .bind(d.scope.env().as_str())
                .bind((*offer_id).clone())
                .bind(d.event_id.clone())
                .bind(d.identity.clone())
                .bind(d.at_ms);
        }
        q.execute(&mut *conn).await?;
    }
    count(conn, batch).await
}

/// Adds the batch's impressions to the offers' and campaigns' counters, one scope at a time.
async fn count(conn: &mut sqlx::AnyConnection, batch: &[Decision]) -> Result<(), sqlx::Error> {
    use super::analytics::{self, Count, Metric};
    let mut by_scope: std::collections::BTreeMap<(&str, &str), (&Scoped, Vec<Count>)> = std::collections::BTreeMap::new();
    for d in batch {
        let entry = by_scope.entry((d.scope.tenant_id(), d.scope.env().as_str())).or_insert_with(|| (&d.scope, Vec::new()));
        for (i, offer_id) in d.offer_ids.iter().enumerate() {
            entry.1.push(Count::one(analytics::offer_subject(offer_id), Metric::Presented, d.at_ms));
            if let Some(Some(c)) = d.campaigns.get(i) {
                entry.1.push(Count::one(analytics::campaign_subject(c), Metric::Presented, d.at_ms));
            }
        }
    }
    for (scope, counts) in by_scope.into_values() {
        if !counts.is_empty() {
            analytics::add(conn, scope, &counts).await?;
        }
    }
    Ok(())
}

/// Impressions, successful redemptions and distinct redeeming identities of one offer in
/// `[from_ms, to_ms)`, exact: the whole 15-minute buckets inside the period from the offer's
/// counters (written with the impressions), the partial buckets at its two ends from the raw
/// impressions, and the redemptions from their own index — so a period of millions of
/// impressions reads a few thousand counter rows.
pub async fn offer_counts<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    offer_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<(i64, i64, i64), sqlx::Error> {
    use super::analytics::{BUCKET_MS, bucket_of, offer_subject};
    // Whole buckets: [first, last); when the period lies inside one bucket there are none and
    // the raw impressions cover all of it.
    let first = (bucket_of(from_ms - 1) + BUCKET_MS).min(to_ms);
    let last = bucket_of(to_ms).max(first);
    let row = super::scoped(
        scope,
        "SELECT \
           (SELECT COALESCE(CAST(SUM(n) AS BIGINT), 0) FROM analytics_counters WHERE tenant_id = $1 AND environment = $2 AND subject = $8 \
              AND bucket >= $6 AND bucket < $7 AND metric = 'presented' AND currency = ''), \
           (SELECT COUNT(*) FROM impressions WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND created_at >= $4 AND created_at < $6) \
           + (SELECT COUNT(*) FROM impressions WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND created_at >= $7 AND created_at < $5), \
           (SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND event_type = 'offer.redemption' AND status = 'succeeded' AND created_at >= $4 AND created_at < $5), \
           (SELECT COUNT(DISTINCT identity) FROM events WHERE tenant_id = $1 AND environment = $2 AND offer_id = $3 AND event_type = 'offer.redemption' AND status = 'succeeded' AND created_at >= $4 AND created_at < $5)",
    )
    .bind(offer_id)
    .bind(from_ms)
    .bind(to_ms)
    .bind(first)
    .bind(last)
    .bind(offer_subject(offer_id))
    .fetch_one(ex)
    .await?;
    let (counted, edges): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    Ok((counted + edges, row.try_get(2)?, row.try_get(3)?))
}

#[cfg(test)]
mod tests {
    use super::super::{Backend, value_rows};
    #[test]
    fn placeholders_number_every_row() {
        assert_eq!(value_rows(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
    #[test]
    fn two_statement_shapes_cover_every_row() {
        let rows: Vec<usize> = (0..151).collect();
        let sizes: Vec<usize> = super::shapes(&rows).map(<[usize]>::len).collect();
        assert_eq!(sizes, [64, 64, 16, 4, 1, 1, 1]);
        assert_eq!(super::shapes(&rows).flatten().copied().collect::<Vec<_>>(), rows);
    }
}
