//! SQL for coupons and their redemptions. The limits are enforced by the database: one
//! conditional `UPDATE … RETURNING` takes a use of the global limit, one conditional upsert a use
//! of the per-customer limit, and the `(coupon, subscription)` unique key makes a redemption
//! happen once — never a read followed by a write decided in Rust.
use super::{Scoped, env_of, like_pattern, ms_to_rfc3339};
use crate::model::{CampaignCount, Coupon, CouponRedemption, CouponRedemptionSource, CouponStatus, CouponType, duration_months};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, batch_id, code, coupon_type, amount, currency, repeat_months, max_redemptions, max_per_customer, starts_at, \
    expires_at, campaign, stripe_coupon_id, times_redeemed, reserved, status, environment, created_at, updated_at";

/// The status as the API reports it; `$N` is the clock.
fn status_sql(now: &str) -> String {
    format!(
        "CASE WHEN status = 'archived' THEN 'archived' \
         WHEN max_redemptions IS NOT NULL AND times_redeemed >= max_redemptions THEN 'exhausted' \
         WHEN expires_at IS NOT NULL AND expires_at <= {now} THEN 'expired' ELSE 'active' END"
    )
}

pub fn status_of(stored: &str, times: i64, max: Option<i64>, expires_at: Option<i64>, now: i64) -> CouponStatus {
    if stored == "archived" {
        CouponStatus::Archived
    } else if max.is_some_and(|m| times >= m) {
        CouponStatus::Exhausted
    } else if expires_at.is_some_and(|e| e <= now) {
        CouponStatus::Expired
    } else {
        CouponStatus::Active
    }
}

pub struct CouponRow {
    pub coupon: Coupon,
    /// The batch that made the code, if one did (its Stripe coupon is shared with the batch).
    pub batch_id: Option<String>,
    pub starts_at_ms: Option<i64>,
    pub expires_at_ms: Option<i64>,
}

fn coupon(r: &AnyRow, now: i64) -> Result<CouponRow, sqlx::Error> {
    let t = CouponType::parse(&r.try_get::<String, _>("coupon_type")?).unwrap_or(CouponType::Percentage);
    let amount: i64 = r.try_get("amount")?;
    let repeat: Option<i64> = r.try_get("repeat_months")?;
    let max: Option<i64> = r.try_get("max_redemptions")?;
    let times: i64 = r.try_get("times_redeemed")?;
    let starts: Option<i64> = r.try_get("starts_at")?;
    let expires: Option<i64> = r.try_get("expires_at")?;
    let status: String = r.try_get("status")?;
    Ok(CouponRow {
        coupon: Coupon {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            coupon_type: t,
            amount,
            currency: r.try_get("currency")?,
            repeat_months: repeat,
            duration_months: duration_months(t, amount, repeat),
            max_redemptions: max,
            max_redemptions_per_customer: r.try_get("max_per_customer")?,
            starts_at: starts.map(ms_to_rfc3339),
            expires_at: expires.map(ms_to_rfc3339),
            campaign: r.try_get("campaign")?,
            stripe_coupon_id: r.try_get("stripe_coupon_id")?,
            times_redeemed: times,
            reserved: r.try_get("reserved")?,
            status: status_of(&status, times, max, expires, now),
            environment: env_of(&r.try_get::<String, _>("environment")?),
            created_at: ms_to_rfc3339(r.try_get("created_at")?),
            updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
        },
        batch_id: r.try_get("batch_id")?,
        starts_at_ms: starts,
        expires_at_ms: expires,
    })
}

pub struct NewCoupon<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub coupon_type: CouponType,
    pub amount: i64,
    pub currency: Option<&'a str>,
    pub repeat_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub max_per_customer: Option<i64>,
    pub starts_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub campaign: Option<&'a str>,
    pub stripe_coupon_id: &'a str,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, c: NewCoupon<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO coupons (id, tenant_id, environment, code, coupon_type, amount, currency, repeat_months, max_redemptions, \
         max_per_customer, starts_at, expires_at, campaign, stripe_coupon_id, times_redeemed, status, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, 'active', $15, $15)";
    super::scoped(scope, sql)
        .bind(c.id)
        .bind(c.code)
        .bind(c.coupon_type.as_str())
        .bind(c.amount)
        .bind(c.currency.map(str::to_string))
        .bind(c.repeat_months)
        .bind(c.max_redemptions)
        .bind(c.max_per_customer)
        .bind(c.starts_at)
        .bind(c.expires_at)
        .bind(c.campaign.map(str::to_string))
        .bind(c.stripe_coupon_id)
        .bind(c.now)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn get_by_code<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, code: &str, now: i64) -> Result<Option<CouponRow>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM coupons WHERE tenant_id = $1 AND environment = $2 AND code = $3 AND status <> 'pending'"))
        .bind(code)
        .fetch_optional(ex)
        .await?
        .map(|r| coupon(&r, now))
        .transpose()
}

pub struct ListFilter<'a> {
    pub search: Option<&'a str>,
    pub status: Option<CouponStatus>,
    /// `Some("")` selects coupons without a campaign.
    pub campaign: Option<&'a str>,
    pub starting_after: Option<&'a str>,
    pub limit: i64,
}

/// Newest first; one page and whether more rows follow. Only the filters given are in the
/// statement, each one an index can serve (`campaign = $n`, `id < cursor`): a catch-all
/// `($n IS NULL OR …)` form defeats PostgreSQL's generic plans, which then read every coupon
/// of a large campaign to find one page.
pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, f: ListFilter<'_>, now: i64) -> Result<(Vec<Coupon>, bool), sqlx::Error> {
    enum Bind {
        Text(String),
        Int(i64),
    }
    let mut binds: Vec<Bind> = Vec::new();
    let mut next = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len() + 2)
    };
    let mut sql = format!("SELECT {COLS} FROM coupons WHERE tenant_id = $1 AND environment = $2 AND status <> 'pending'");
    if let Some(q) = f.search {
        let p = next(Bind::Text(like_pattern(q)));
        sql.push_str(&format!(" AND (LOWER(code) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(campaign, '')) LIKE {p} ESCAPE '\\')"));
    }
    if let Some(st) = f.status {
        let (p, at) = (next(Bind::Text(st.as_str().to_string())), next(Bind::Int(now)));
        sql.push_str(&format!(" AND {} = {p}", status_sql(&at)));
    }
    match f.campaign {
        Some("") => sql.push_str(" AND campaign IS NULL"),
        Some(c) => sql.push_str(&format!(" AND campaign = {}", next(Bind::Text(c.to_string())))),
        None => {}
    }
    if let Some(after) = f.starting_after {
        // A cursor that names no coupon of the scope compares with NULL: an empty page.
        let p = next(Bind::Text(after.to_string()));
        sql.push_str(&format!(" AND id < (SELECT k.id FROM coupons k WHERE k.tenant_id = $1 AND k.environment = $2 AND k.id = {p})"));
    }
    let limit = next(Bind::Int(f.limit + 1));
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    let mut q = super::scoped(scope, &sql);
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t),
            Bind::Int(i) => q.bind(i),
        };
    }
    let rows = q.fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(|r| coupon(r, now).map(|c| c.coupon)).collect::<Result<Vec<_>, _>>()?, f.limit))
}

/// Usable coupons and their redemptions per campaign (`campaign` NULL for coupons without one),
/// from the counts the schema's triggers keep (migrations 0021 and 0022): a row per campaign,
/// however many coupons.
const COUNTS: &str = "SELECT NULLIF(campaign, '') AS campaign, coupons, redemptions FROM coupon_campaign_counts \
     WHERE tenant_id = $1 AND environment = $2 AND coupons > 0";

/// Coupons and redemptions per campaign, most redeemed first.
pub async fn campaign_counts<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<CampaignCount>, sqlx::Error> {
    let sql = format!("{COUNTS} ORDER BY redemptions DESC, campaign");
    let rows = super::scoped(scope, &sql).fetch_all(ex).await?;
    rows.iter()
        .map(|r| Ok(CampaignCount { campaign: r.try_get("campaign")?, coupons: r.try_get("coupons")?, redemptions: r.try_get("redemptions")? }))
        .collect()
}

/// One page of [`campaign_counts`]: most redeemed first, then by tag, coupons without a campaign
/// last. The cursor is the `campaign` of the previous page's last entry (that entry is never
/// the untagged one while more follow); a tag with no coupons matches nothing.
pub async fn page_campaign_counts<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<CampaignCount>, bool), sqlx::Error> {
    let sql = format!(
        "WITH c AS ({COUNTS}) \
         SELECT c.campaign, c.coupons, c.redemptions FROM c \
         WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM c k WHERE k.campaign = $3 AND \
           (c.campaign IS NULL OR c.redemptions < k.redemptions OR (c.redemptions = k.redemptions AND c.campaign > k.campaign))) \
         ORDER BY CASE WHEN c.campaign IS NULL THEN 1 ELSE 0 END, c.redemptions DESC, c.campaign LIMIT $4"
    );
    let rows = super::scoped(scope, &sql).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    let items = rows
        .iter()
        .map(|r| Ok(CampaignCount { campaign: r.try_get("campaign")?, coupons: r.try_get("coupons")?, redemptions: r.try_get("redemptions")? }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(super::split_page(items, limit))
}

pub async fn archive<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE coupons SET status = 'archived', updated_at = $3 WHERE tenant_id = $1 AND environment = $2 AND id = $4 AND status <> 'archived'";
    let r = super::scoped(scope, sql).bind(now).bind(id).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

/// Takes one use of the global limit if the coupon is redeemable now; the database decides
/// (the row is locked and the condition re-checked under concurrency). Returns the coupon as
/// updated, or `None` when it is unknown, archived, not yet valid, expired or used up.
pub async fn take_use<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, code: &str, now: i64) -> Result<Option<CouponRow>, sqlx::Error> {
    use_if_redeemable(ex, scope, code, now, "times_redeemed = times_redeemed + 1").await
}

/// The one conditional update behind [`take_use`] and [`reserve`]: `set` happens only while the
/// coupon is redeemable now and its redeemed plus held uses stay under the limit.
async fn use_if_redeemable<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    code: &str,
    now: i64,
    set: &str,
) -> Result<Option<CouponRow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "UPDATE coupons SET {set}, updated_at = $1 \
         WHERE tenant_id = $2 AND environment = $3 AND code = $4 AND status = 'active' \
         AND (starts_at IS NULL OR starts_at <= $1) AND (expires_at IS NULL OR expires_at > $1) \
         AND (max_redemptions IS NULL OR times_redeemed + reserved < max_redemptions) \
         RETURNING {COLS}"
    ))
    .bind(now)
    .bind(scope.tenant_id())
    .bind(scope.env().as_str())
    .bind(code)
    .fetch_optional(ex)
    .await?;
    row.map(|r| coupon(&r, now)).transpose()
}

/// Takes one use of the per-customer limit; `false` when the customer has used it up.
/// Counts one use of the coupon by `customer_id` unless they have `max` already: `false` then.
/// Reached only through the scoped coupon (a coupon of another scope counts nothing: `false`).
pub async fn take_customer_use<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    coupon_id: &str,
    customer_id: &str,
    max: i64,
) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO coupon_customer_uses (coupon_id, customer_id, uses) SELECT c.id, $4, 1 FROM coupons c \
         WHERE c.tenant_id = $1 AND c.environment = $2 AND c.id = $3 \
         ON CONFLICT (coupon_id, customer_id) DO UPDATE SET uses = coupon_customer_uses.uses + 1 WHERE coupon_customer_uses.uses < $5";
    let r = super::scoped(scope, sql).bind(coupon_id).bind(customer_id).bind(max).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub struct NewRedemption<'a> {
    pub id: &'a str,
    pub coupon_id: &'a str,
    pub subscription_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub source: CouponRedemptionSource,
    pub stripe_event_id: Option<&'a str>,
    pub now: i64,
}

/// `false` when this (coupon, subscription) was already redeemed. A first redemption also adds
/// to the counters of its campaign and of all coupons (same transaction).
pub async fn insert_redemption(conn: &mut sqlx::AnyConnection, scope: &Scoped, n: NewRedemption<'_>) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO coupon_redemptions (id, coupon_id, tenant_id, environment, subscription_id, customer_id, source, stripe_event_id, created_at) \
         VALUES ($3, $4, $1, $2, $5, $6, $7, $8, $9) ON CONFLICT (coupon_id, subscription_id) DO NOTHING";
    let r = super::scoped(scope, sql)
        .bind(n.id)
        .bind(n.coupon_id)
        .bind(n.subscription_id)
        .bind(n.customer_id.map(str::to_string))
        .bind(n.source.as_str())
        .bind(n.stripe_event_id.map(str::to_string))
        .bind(n.now)
        .execute(&mut *conn)
        .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    use super::analytics::{self, ALL_COUPONS, Count, Metric};
    let mut counts = vec![Count::one(ALL_COUPONS.to_string(), Metric::Coupons, n.now)];
    if let Some(c) = analytics::coupon_campaign(&mut *conn, scope, n.coupon_id).await? {
        counts.push(Count::one(analytics::campaign_subject(&c), Metric::Coupons, n.now));
    }
    analytics::add(conn, scope, &counts).await?;
    Ok(true)
}

const RCOLS: &str = "r.id, r.coupon_id, c.code, r.subscription_id, r.customer_id, r.source, r.stripe_event_id, r.created_at";

fn redemption(r: &AnyRow) -> Result<CouponRedemption, sqlx::Error> {
    Ok(CouponRedemption {
        id: r.try_get("id")?,
        coupon_id: r.try_get("coupon_id")?,
        code: r.try_get("code")?,
        subscription_id: r.try_get("subscription_id")?,
        customer_id: r.try_get("customer_id")?,
        source: CouponRedemptionSource::parse(&r.try_get::<String, _>("source")?).unwrap_or(CouponRedemptionSource::Api),
        stripe_event_id: r.try_get("stripe_event_id")?,
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    })
}

/// The redemption of `code` by `subscription_id`, if any.
pub async fn redemption_of<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    code: &str,
    subscription_id: &str,
) -> Result<Option<CouponRedemption>, sqlx::Error> {
    let sql = format!(
        "SELECT {RCOLS} FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id \
         WHERE c.tenant_id = $1 AND c.environment = $2 AND c.code = $3 AND r.subscription_id = $4"
    );
    super::scoped(scope, &sql).bind(code).bind(subscription_id).fetch_optional(ex).await?.map(|r| redemption(&r)).transpose()
}

/// One page of a coupon's redemptions, newest first (`created_at`, then id), and whether more
/// follow; the cursor must be a redemption of the same coupon.
pub async fn page_redemptions<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    coupon_id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<CouponRedemption>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {RCOLS} FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id \
         WHERE r.tenant_id = $1 AND r.environment = $2 AND r.coupon_id = $3 AND {after} ORDER BY r.created_at DESC, r.id DESC LIMIT $5",
        after = super::after_cursor("coupon_redemptions", "r", 4, super::Keyset::CreatedAt, "AND k.coupon_id = $3")
    );
    let rows = super::scoped(scope, &sql).bind(coupon_id).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    Ok(super::split_page(rows.iter().map(redemption).collect::<Result<Vec<_>, _>>()?, limit))
}

/// Redemption instants of one coupon since `from` (for the per-day count).
pub async fn redemption_times<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, coupon_id: &str, from: i64) -> Result<Vec<i64>, sqlx::Error> {
    let sql = "SELECT created_at FROM coupon_redemptions WHERE tenant_id = $1 AND environment = $2 AND coupon_id = $3 AND created_at >= $4 ORDER BY created_at";
    let rows = super::scoped(scope, sql).bind(coupon_id).bind(from).fetch_all(ex).await?;
    rows.iter().map(|r| r.try_get::<i64, _>(0)).collect()
}

/// Counted rows of the coupon's redemptions table (tests compare it with `times_redeemed`).
pub async fn redemption_count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, coupon_id: &str) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM coupon_redemptions WHERE tenant_id = $1 AND environment = $2 AND coupon_id = $3")
        .bind(coupon_id)
        .fetch_one(ex)
        .await?
        .try_get(0)
}

/// Records a Stripe event id once; `false` when it was already recorded.
pub async fn record_stripe_event<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    integration_id: &str,
    event_id: &str,
    event_type: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO stripe_events (integration_id, event_id, tenant_id, environment, event_type, outcome, received_at) \
         VALUES ($3, $4, $1, $2, $5, 'received', $6) ON CONFLICT (integration_id, event_id) DO NOTHING";
    let r = super::scoped(scope, sql).bind(integration_id).bind(event_id).bind(event_type).bind(now).execute(ex).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_stripe_event_outcome<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    integration_id: &str,
    event_id: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE stripe_events SET outcome = $1 WHERE integration_id = $2 AND event_id = $3")
        .bind(outcome)
        .bind(integration_id)
        .bind(event_id)
        .execute(ex)
        .await
        .map(|_| ())
}

pub async fn stripe_event_count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<i64, sqlx::Error> {
    super::scoped(scope, "SELECT COUNT(*) FROM stripe_events WHERE tenant_id = $1 AND environment = $2").fetch_one(ex).await?.try_get(0)
}

/// Holds one use of the coupon for an open checkout session if it is redeemable now and the
/// redeemed plus held uses stay under the limit (the database decides, as in [`take_use`]).
pub async fn reserve<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, code: &str, now: i64) -> Result<Option<CouponRow>, sqlx::Error> {
    use_if_redeemable(ex, scope, code, now, "reserved = reserved + 1").await
}

/// Ends a held use: `redeemed` turns it into a redemption (counted), otherwise it is released.
pub async fn end_reservation<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, coupon_id: &str, redeemed: bool, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE coupons SET reserved = reserved - 1, times_redeemed = times_redeemed + $3, updated_at = $4 \
         WHERE tenant_id = $1 AND environment = $2 AND id = $5 AND reserved > 0";
    super::scoped(scope, sql).bind(i64::from(redeemed)).bind(now).bind(coupon_id).execute(ex).await.map(|_| ())
}

/// Gives back one use of the per-customer limit (a released reservation).
pub async fn give_back_customer_use<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, coupon_id: &str, customer_id: &str) -> Result<(), sqlx::Error> {
    let sql = "UPDATE coupon_customer_uses SET uses = uses - 1 WHERE coupon_id = $4 AND customer_id = $3 AND uses > 0 \
         AND EXISTS (SELECT 1 FROM coupons c WHERE c.tenant_id = $1 AND c.environment = $2 AND c.id = $4)";
    super::scoped(scope, sql).bind(customer_id).bind(coupon_id).execute(ex).await.map(|_| ())
}

/// The coupon `id` of the scope.
pub async fn get_by_id<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, now: i64) -> Result<Option<CouponRow>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM coupons WHERE tenant_id = $1 AND environment = $2 AND id = $3 AND status <> 'pending'"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| coupon(&r, now))
        .transpose()
}
