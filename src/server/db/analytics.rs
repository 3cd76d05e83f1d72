//! SQL of the rolled-up counters behind campaign pages and charts (`analytics_counters`): the
//! code that records an event adds to its counters in the same transaction, so the counts are
//! exact under any concurrency, and a page reads at most one row per 15 minutes of its period
//! per metric instead of every event.
use super::Scoped;
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::BTreeMap;

/// Width of a bucket. Every time zone's offset from UTC is a multiple of 15 minutes, so a
/// local day or week is an exact union of buckets in any zone, across any DST change.
pub const BUCKET_MS: i64 = 900_000;

pub fn bucket_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(BUCKET_MS)
}

/// What is counted: shown offers, successful offer redemptions, completed checkout sessions,
/// finalized sign-up carts and coupon redemptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    Presented,
    Redeemed,
    Checkouts,
    Signups,
    Coupons,
}

impl Metric {
    pub const ALL: [Metric; 5] = [Metric::Presented, Metric::Redeemed, Metric::Checkouts, Metric::Signups, Metric::Coupons];
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Presented => "presented",
            Metric::Redeemed => "redeemed",
            Metric::Checkouts => "checkouts",
            Metric::Signups => "signups",
            Metric::Coupons => "coupons",
        }
    }
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The subject a counter belongs to.
pub fn campaign_subject(name: &str) -> String {
    format!("campaign:{name}")
}
pub fn offer_subject(id: &str) -> String {
    format!("offer:{id}")
}
/// Every coupon redemption of the scope (the Coupons list's chart).
pub const ALL_COUPONS: &str = "coupons";

/// One event's (or several events') addition to a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub subject: String,
    pub metric: Metric,
    pub currency: String,
    pub at_ms: i64,
    pub n: i64,
    pub revenue: i64,
    pub discount: i64,
}

impl Count {
    pub fn one(subject: String, metric: Metric, at_ms: i64) -> Count {
        Count { subject, metric, currency: String::new(), at_ms, n: 1, revenue: 0, discount: 0 }
    }
    pub fn money(subject: String, metric: Metric, at_ms: i64, currency: &str, revenue: i64, discount: i64) -> Count {
        Count { subject, metric, currency: currency.to_ascii_lowercase(), at_ms, n: 1, revenue, discount }
    }
}

type Key = (String, &'static str, i64, String);

/// Adds `counts` to their counters (one upsert per distinct counter, in key order so that two
/// transactions touching the same counters lock them in the same order and cannot deadlock).
/// Call it inside the transaction that records the events.
pub async fn add(conn: &mut AnyConnection, scope: &Scoped, counts: &[Count]) -> Result<(), sqlx::Error> {
    let mut merged: BTreeMap<Key, (i64, i64, i64)> = BTreeMap::new();
    for c in counts {
        let e = merged.entry((c.subject.clone(), c.metric.as_str(), bucket_of(c.at_ms), c.currency.clone())).or_default();
        e.0 += c.n;
        e.1 += c.revenue;
        e.2 += c.discount;
    }
    let sql = "INSERT INTO analytics_counters (tenant_id, environment, subject, metric, bucket, currency, n, revenue, discount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, environment, subject, bucket, metric, currency) DO UPDATE SET \
         n = analytics_counters.n + excluded.n, revenue = analytics_counters.revenue + excluded.revenue, discount = analytics_counters.discount + excluded.discount";
    for ((subject, metric, bucket, currency), (n, revenue, discount)) in merged {
        super::scoped(scope, sql).bind(subject).bind(metric).bind(bucket).bind(currency).bind(n).bind(revenue).bind(discount).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The campaign a coupon belongs to, if any.
pub async fn coupon_campaign<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, coupon_id: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT campaign FROM coupons WHERE tenant_id = $1 AND environment = $2 AND id = $3";
    Ok(super::scoped(scope, sql).bind(coupon_id).fetch_optional(ex).await?.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()))
}

/// The campaign an offer belongs to, if any.
pub async fn offer_campaign<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, offer_id: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = "SELECT campaign FROM offers WHERE tenant_id = $1 AND environment = $2 AND id = $3";
    Ok(super::scoped(scope, sql).bind(offer_id).fetch_optional(ex).await?.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()))
}

/// Counts a completed checkout session (its amounts) under its coupon's campaign.
pub async fn checkout_completed(conn: &mut AnyConnection, scope: &Scoped, session_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "SELECT c.campaign, s.currency, s.amount_total, s.amount_discount FROM checkout_sessions s JOIN coupons c ON c.id = s.coupon_id \
         WHERE s.tenant_id = $1 AND s.environment = $2 AND s.id = $3 AND c.campaign IS NOT NULL";
    completed(conn, scope, sql, session_id, Metric::Checkouts, now).await
}

/// Counts a finalized sign-up cart (its amounts) under its coupon's campaign.
pub async fn cart_finalized(conn: &mut AnyConnection, scope: &Scoped, cart_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = "SELECT c.campaign, s.currency, s.amount, s.amount_discount FROM signup_carts s JOIN coupons c ON c.id = s.coupon_id \
         WHERE s.tenant_id = $1 AND s.environment = $2 AND s.id = $3 AND c.campaign IS NOT NULL";
    completed(conn, scope, sql, cart_id, Metric::Signups, now).await
}

async fn completed(conn: &mut AnyConnection, scope: &Scoped, sql: &str, id: &str, metric: Metric, now: i64) -> Result<(), sqlx::Error> {
    let Some(r) = super::scoped(scope, sql).bind(id).fetch_optional(&mut *conn).await? else { return Ok(()) };
    let (campaign, currency, total, discount): (String, String, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    add(conn, scope, &[Count::money(campaign_subject(&campaign), metric, now, &currency, total, discount)]).await
}

/// Counts a successful offer redemption under the offer and its campaign.
pub async fn offer_redeemed(conn: &mut AnyConnection, scope: &Scoped, offer_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut counts = vec![Count::one(offer_subject(offer_id), Metric::Redeemed, now)];
    if let Some(c) = offer_campaign(&mut *conn, scope, offer_id).await? {
        counts.push(Count::one(campaign_subject(&c), Metric::Redeemed, now));
    }
    add(conn, scope, &counts).await
}

/// One counter row read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub metric: Metric,
    pub currency: String,
    pub bucket: i64,
    pub n: i64,
    pub revenue: i64,
    pub discount: i64,
}

/// Sums of the counters of `subject` per output bucket, for `count` buckets of `len` ms each
/// from `start`: one row per (bucket index from 0, metric, currency). The database adds the
/// 15-minute cells up, so a period of millions of events transfers a few hundred rows.
pub async fn sums<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    subject: &str,
    start: i64,
    len: i64,
    count: i64,
) -> Result<Vec<(i64, Cell)>, sqlx::Error> {
    let sql = "SELECT (bucket - $4) / $5 AS k, metric, currency, CAST(SUM(n) AS BIGINT), CAST(SUM(revenue) AS BIGINT), CAST(SUM(discount) AS BIGINT) \
         FROM analytics_counters WHERE tenant_id = $1 AND environment = $2 AND subject = $3 AND bucket >= $4 AND bucket < $6 \
         GROUP BY (bucket - $4) / $5, metric, currency";
    let rows = super::scoped(scope, sql).bind(subject).bind(start).bind(len).bind(start + len * count).fetch_all(ex).await?;
    rows.iter()
        .filter_map(|r| {
            let metric = Metric::parse(&r.try_get::<String, _>(1).ok()?)?;
            let k: i64 = r.try_get(0).ok()?;
            Some(Ok((
                k,
                Cell {
                    metric,
                    currency: r.try_get(2).ok()?,
                    bucket: start + k * len,
                    n: r.try_get(3).ok()?,
                    revenue: r.try_get(4).ok()?,
                    discount: r.try_get(5).ok()?,
                },
            )))
        })
        .collect()
}

/// Campaign names of the scope (from coupons and offers), with how many coupons and offers
/// each has, alphabetical, at most `limit` after the campaign `after` (a name that no coupon or
/// offer carries gives nothing).
pub async fn campaigns<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let sql = "WITH c AS (SELECT campaign, CAST(SUM(coupons) AS BIGINT) AS coupons, CAST(SUM(offers) AS BIGINT) AS offers FROM ( \
           SELECT campaign, coupons, 0 AS offers FROM coupon_campaign_counts WHERE tenant_id = $1 AND environment = $2 AND campaign <> '' AND coupons > 0 \
           UNION ALL SELECT campaign, 0 AS coupons, COUNT(*) AS offers FROM offers WHERE tenant_id = $1 AND environment = $2 AND campaign IS NOT NULL GROUP BY campaign \
         ) AS t GROUP BY campaign) \
         SELECT campaign, coupons, offers FROM c WHERE $3 IS NULL OR (campaign > $3 AND EXISTS (SELECT 1 FROM c k WHERE k.campaign = $3)) \
         ORDER BY campaign LIMIT $4";
    let rows = super::scoped(scope, sql).bind(after.map(str::to_string)).bind(limit).fetch_all(ex).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
}

/// How many (usable) coupons and offers carry the campaign tag.
pub async fn tagged<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, campaign: &str) -> Result<(i64, i64), sqlx::Error> {
    let sql = "SELECT (SELECT COALESCE(MAX(coupons), 0) FROM coupon_campaign_counts WHERE tenant_id = $1 AND environment = $2 AND campaign = $3), \
         (SELECT COUNT(*) FROM offers WHERE tenant_id = $1 AND environment = $2 AND campaign = $3)";
    let r = super::scoped(scope, sql).bind(campaign).fetch_one(ex).await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// The campaign's most redeemed codes, with their redemption counts.
pub async fn top_codes<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, campaign: &str, limit: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let sql = "SELECT code, times_redeemed FROM coupons WHERE tenant_id = $1 AND environment = $2 AND campaign = $3 AND times_redeemed > 0 \
         ORDER BY times_redeemed DESC, code LIMIT $4";
    let rows = super::scoped(scope, sql).bind(campaign).bind(limit).fetch_all(ex).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn buckets_are_quarter_hours_from_the_epoch() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(BUCKET_MS - 1), 0);
        assert_eq!(bucket_of(BUCKET_MS), BUCKET_MS);
        assert_eq!(bucket_of(-1), -BUCKET_MS);
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
    }
}
