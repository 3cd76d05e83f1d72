//! Campaign analytics (the campaign page, the small charts of offers and coupons, and
//! `/api/v1/analytics`): series bucketed by local day or week in the tenant's time zone, the
//! funnel offers presented → redeemed → checkouts completed → coupons redeemed, revenue and
//! discount, top codes and comparisons. Everything is read from the rolled-up counters
//! (`db::analytics`), which the recording code keeps exact.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Bucket, CampaignPageData, CampaignReport, CampaignSummary, CodeCount, Funnel, Period, Revenue, SeriesPoint, SeriesReport};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::analytics::{self as adb, Cell, Metric};
use crate::server::db::{self, Scoped};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 400;
/// Days shown when no period is given.
pub const DEFAULT_DAYS: i64 = 30;

/// A period as asked: local dates (`2026-11-01`, inclusive) and the bucket; blanks take the
/// defaults (the last 30 days up to today, by day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub bucket: Option<String>,
}

/// A resolved period: bucket boundaries in UTC milliseconds (`bounds[i]` starts bucket `i`, the
/// last entry ends the period) and the local date each bucket starts on.
pub struct Resolved {
    pub period: Period,
    pub starts: Vec<String>,
    pub bounds: Vec<i64>,
}

fn date_field(e: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<Date> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    match v.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            e.add(field, "must be a date like 2026-11-30");
            None
        }
    }
}

fn start_ms(d: Date, tz: &TimeZone) -> AppResult<i64> {
    d.to_datetime(jiff::civil::Time::midnight())
        .to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::field("from", format!("is outside the supported dates: {e}")))
}

/// Resolves `q` in `time_zone` at `now_ms`.
pub fn resolve(q: &PeriodQuery, time_zone: &str, now_ms: i64) -> AppResult<Resolved> {
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let mut e = FieldErrors::new();
    let bucket = match q.bucket.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => Bucket::Day,
        Some(b) => Bucket::parse(b).unwrap_or_else(|| {
            e.add("bucket", "must be day or week");
            Bucket::Day
        }),
    };
    let today = jiff::Timestamp::from_millisecond(now_ms).map(|t| t.to_zoned(tz.clone()).date()).unwrap_or(Date::constant(2026, 1, 1));
    let to = date_field(&mut e, "to", q.to.as_deref());
    let from = date_field(&mut e, "from", q.from.as_deref());
    e.into_result()?;
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub((DEFAULT_DAYS - 1).days()).unwrap_or(to));
    let days = (to - from).get_days() as i64 + 1;
    if days < 1 {
        return Err(AppError::field("from", "must not be after to"));
    }
    if days > MAX_DAYS {
        return Err(AppError::field("from", format!("the period can cover at most {MAX_DAYS} days")));
    }
    let first = match bucket {
        Bucket::Day => from,
        Bucket::Week => from.checked_sub((from.weekday().to_monday_zero_offset() as i64).days()).unwrap_or(from),
    };
    let step = if bucket == Bucket::Week { 7 } else { 1 };
    let (mut starts, mut bounds) = (Vec::new(), Vec::new());
    let mut d = first;
    while d <= to {
        starts.push(d.to_string());
        bounds.push(start_ms(d, &tz)?);
        d = d.checked_add(step.days()).map_err(|_| AppError::field("to", "is outside the supported dates"))?;
    }
    bounds.push(start_ms(d, &tz)?);
    Ok(Resolved { period: Period { from: first.to_string(), to: to.to_string(), time_zone: time_zone.to_string(), bucket }, starts, bounds })
}

/// Sums counter cells into the period's buckets and totals.
pub fn fold(r: &Resolved, cells: &[Cell]) -> (Vec<SeriesPoint>, Funnel, Vec<Revenue>) {
    let mut series: Vec<SeriesPoint> = r.starts.iter().map(|s| SeriesPoint { start: s.clone(), ..Default::default() }).collect();
    let mut money: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let last = *r.bounds.last().unwrap_or(&0);
    for c in cells {
        if c.bucket < r.bounds[0] || c.bucket >= last {
            continue;
        }
        let i = r.bounds.partition_point(|b| *b <= c.bucket) - 1;
        let p = &mut series[i];
        match c.metric {
            Metric::Presented => p.presented += c.n,
            Metric::Redeemed => p.redeemed += c.n,
            Metric::Checkouts => p.checkouts += c.n,
            Metric::Signups => p.signups += c.n,
            Metric::Coupons => p.coupons += c.n,
        }
        if matches!(c.metric, Metric::Checkouts | Metric::Signups) && !c.currency.is_empty() {
            let m = money.entry(c.currency.clone()).or_default();
            m.0 += c.revenue;
            m.1 += c.discount;
        }
    }
    let mut f = Funnel::default();
    for p in &series {
        f.presented += p.presented;
        f.redeemed += p.redeemed;
        f.checkouts += p.checkouts;
        f.signups += p.signups;
        f.coupons += p.coupons;
    }
    f.completed = f.checkouts + f.signups;
    let revenue = money.into_iter().map(|(currency, (revenue, discount))| Revenue { currency, revenue, discount }).collect();
    (series, f, revenue)
}

async fn period(state: &AppState, scope: &Scoped, q: &PeriodQuery) -> AppResult<Resolved> {
    let tz = db::platform::tenants::time_zone(&state.db.pool, scope.tenant_id()).await?;
    resolve(q, &tz, state.clock.now_ms())
}

/// Runs of output buckets of one length (`first index, start, length, how many`): a DST change
/// makes a day of 23 or 25 hours, a run of its own; otherwise a period is one run.
pub fn runs(bounds: &[i64]) -> Vec<(usize, i64, i64, i64)> {
    let mut out: Vec<(usize, i64, i64, i64)> = Vec::new();
    for (i, w) in bounds.windows(2).enumerate() {
        let len = w[1] - w[0];
        match out.last_mut() {
            Some(run) if run.2 == len => run.3 += 1,
            _ => out.push((i, w[0], len, 1)),
        }
    }
    out
}

async fn series_of(state: &AppState, scope: &Scoped, subject: &str, r: &Resolved) -> AppResult<(Vec<SeriesPoint>, Funnel, Vec<Revenue>)> {
    let mut cells = Vec::new();
    for (first, start, len, count) in runs(&r.bounds) {
        for (k, mut c) in adb::sums(&state.db.pool, scope, subject, start, len, count).await? {
            // Each sum lands at the start of its output bucket.
            c.bucket = r.bounds[first + k as usize];
            cells.push(c);
        }
    }
    Ok(fold(r, &cells))
}

/// Trims a campaign tag as coupons and offers store it.
fn tag(campaign: &str) -> AppResult<String> {
    let c = campaign.trim();
    if c.is_empty() || c.chars().count() > crate::model::CAMPAIGN_MAX {
        return Err(AppError::not_found("campaign"));
    }
    Ok(c.to_string())
}

/// Campaign tags in use (coupons and offers), alphabetical (the dashboard's first 1,000).
pub async fn campaigns(state: &AppState, actor: &Actor) -> AppResult<Vec<CampaignSummary>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    summaries(state, scope, None, 1000).await
}

async fn summaries(state: &AppState, scope: &Scoped, after: Option<&str>, limit: i64) -> AppResult<Vec<CampaignSummary>> {
    let rows = adb::campaigns(&state.db.pool, scope, after, limit).await?;
    Ok(rows.into_iter().map(|(campaign, coupons, offers)| CampaignSummary { campaign, coupons, offers }).collect())
}

/// One page of [`campaigns`] (`/api/v1/analytics/campaigns`); the cursor is a campaign tag.
pub async fn page_campaigns(state: &AppState, actor: &Actor, after: Option<&str>, limit: Option<i64>) -> AppResult<crate::model::Page<CampaignSummary>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::records::page_limit(limit)?;
    let mut data = summaries(state, scope, super::records::cursor(after), limit + 1).await?;
    let has_more = data.len() as i64 > limit;
    data.truncate(limit as usize);
    Ok(crate::model::Page { data, has_more })
}

/// One campaign over a period; 404 when no coupon or offer carries the tag.
pub async fn campaign(state: &AppState, actor: &Actor, campaign: &str, q: &PeriodQuery) -> AppResult<CampaignReport> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let name = tag(campaign)?;
    let (coupons, offers) = adb::tagged(&state.db.pool, scope, &name).await?;
    if coupons == 0 && offers == 0 {
        return Err(AppError::not_found("campaign"));
    }
    let r = period(state, scope, q).await?;
    // The series and the top codes are independent reads: on two connections at once.
    let subject = adb::campaign_subject(&name);
    let top = async { Ok::<_, AppError>(adb::top_codes(&state.db.pool, scope, &name, 10).await?) };
    let ((series, funnel, revenue), top) = tokio::try_join!(series_of(state, scope, &subject, &r), top)?;
    let top_codes = top.into_iter().map(|(code, redemptions)| CodeCount { code, redemptions }).collect();
    Ok(CampaignReport { campaign: name, period: r.period, series, funnel, revenue, top_codes, coupons, offers })
}

/// An offer's presentations and redemptions over a period.
pub async fn offer(state: &AppState, actor: &Actor, offer_id: &str, q: &PeriodQuery) -> AppResult<SeriesReport> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let mut conn = state.db.pool.acquire().await?;
    db::offers::get(&mut conn, scope, offer_id).await?.ok_or_else(|| AppError::not_found("offer"))?;
    drop(conn);
    let r = period(state, scope, q).await?;
    let (series, funnel, _) = series_of(state, scope, &adb::offer_subject(offer_id), &r).await?;
    Ok(SeriesReport { period: r.period, series, funnel })
}

/// Every coupon redemption of the environment over a period.
pub async fn coupons(state: &AppState, actor: &Actor, q: &PeriodQuery) -> AppResult<SeriesReport> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let r = period(state, scope, q).await?;
    let (series, funnel, _) = series_of(state, scope, adb::ALL_COUPONS, &r).await?;
    Ok(SeriesReport { period: r.period, series, funnel })
}

/// What the campaign page compares with: another campaign over the same period, or the same
/// campaign over another period.
#[derive(Debug, Clone, Default)]
pub struct Compare {
    pub campaign: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The campaign page.
pub async fn page(state: &AppState, actor: &Actor, name: &str, q: &PeriodQuery, cmp: &Compare) -> AppResult<CampaignPageData> {
    // The report, the campaign list (the compare menu) and the campaign's batches are
    // independent reads: on separate connections at once.
    let tagged = tag(name)?;
    let (report, campaigns, batches) =
        tokio::try_join!(campaign(state, actor, name, q), campaigns(state, actor), super::batches::of_campaign(state, actor, &tagged))?;
    let other = cmp.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let other_period = cmp.from.as_deref().is_some_and(|f| !f.trim().is_empty());
    let compare = if let Some(c) = other {
        Some(campaign(state, actor, c, q).await?)
    } else if other_period {
        let q2 = PeriodQuery { from: cmp.from.clone(), to: cmp.to.clone(), bucket: q.bucket.clone() };
        Some(campaign(state, actor, name, &q2).await.map_err(|e| rename_period_fields(e, "compareFrom", "compareTo"))?)
    } else {
        None
    };
    let campaigns = campaigns.into_iter().map(|c| c.campaign).collect();
    Ok(CampaignPageData { report, compare, campaigns, batches })
}

fn rename_period_fields(mut e: AppError, from: &str, to: &str) -> AppError {
    if let Some(m) = e.fields.remove("from") {
        e.fields.insert(from.into(), m);
    }
    if let Some(m) = e.fields.remove("to") {
        e.fields.insert(to.into(), m);
    }
    e
}

/// A series as CSV (the download below each chart), amounts per currency after it.
pub fn series_csv(series: &[SeriesPoint], revenue: &[Revenue]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["start", "presented", "redeemed", "checkouts", "signups", "coupons"]);
    let mut total = SeriesPoint { start: "total".into(), ..Default::default() };
    for p in series {
        let row = [p.start.clone(), p.presented.to_string(), p.redeemed.to_string(), p.checkouts.to_string(), p.signups.to_string(), p.coupons.to_string()];
        let _ = w.write_record(&row);
        total.presented += p.presented;
        total.redeemed += p.redeemed;
        total.checkouts += p.checkouts;
        total.signups += p.signups;
        total.coupons += p.coupons;
    }
    let t = &total;
    let _ = w.write_record([
        t.start.clone(),
        t.presented.to_string(),
        t.redeemed.to_string(),
        t.checkouts.to_string(),
        t.signups.to_string(),
        t.coupons.to_string(),
    ]);
    let mut out = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    if !revenue.is_empty() {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["currency", "revenue", "discount"]);
        for r in revenue {
            let _ = w.write_record([r.currency.clone(), r.revenue.to_string(), r.discount.to_string()]);
        }
        out.push('\n');
        out.push_str(&String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: &str, to: &str, bucket: &str) -> PeriodQuery {
        PeriodQuery { from: Some(from.into()), to: Some(to.into()), bucket: Some(bucket.into()) }
    }

    #[test]
    fn days_follow_the_zone_across_a_dst_change() {
        // New York moved from EDT (UTC-4) to EST (UTC-5) on 2026-11-01: that day has 25 hours.
        let r = resolve(&q("2026-10-31", "2026-11-02", "day"), "America/New_York", 0).unwrap();
        assert_eq!(r.starts, ["2026-10-31", "2026-11-01", "2026-11-02"]);
        let hours: Vec<i64> = r.bounds.windows(2).map(|w| (w[1] - w[0]) / 3_600_000).collect();
        assert_eq!(hours, [24, 25, 24]);
        assert_eq!(db::ms_to_rfc3339(r.bounds[1]), "2026-11-01T04:00:00Z");
        assert_eq!(db::ms_to_rfc3339(r.bounds[2]), "2026-11-02T05:00:00Z");
    }

    #[test]
    fn weeks_start_on_monday_and_cells_land_in_their_bucket() {
        let r = resolve(&q("2026-11-04", "2026-11-20", "week"), "Asia/Kolkata", 0).unwrap();
        assert_eq!(r.period.from, "2026-11-02");
        assert_eq!(r.starts, ["2026-11-02", "2026-11-09", "2026-11-16"]);
        // 23:45 local on Sunday 8 November is 18:15 UTC: the first week, not the second.
        let late = r.bounds[1] - adb::BUCKET_MS;
        let cells = vec![
            Cell { metric: Metric::Coupons, currency: String::new(), bucket: late, n: 2, revenue: 0, discount: 0 },
            Cell { metric: Metric::Coupons, currency: String::new(), bucket: r.bounds[1], n: 3, revenue: 0, discount: 0 },
            Cell { metric: Metric::Checkouts, currency: "usd".into(), bucket: r.bounds[2], n: 1, revenue: 900, discount: 100 },
        ];
        let (series, funnel, revenue) = fold(&r, &cells);
        assert_eq!(series.iter().map(|p| p.coupons).collect::<Vec<_>>(), [2, 3, 0]);
        assert_eq!(funnel.completed, 1);
        assert_eq!(revenue, [Revenue { currency: "usd".into(), revenue: 900, discount: 100 }]);
    }

    #[test]
    fn a_dst_day_is_a_run_of_its_own() {
        let r = resolve(&q("2026-10-30", "2026-11-03", "day"), "America/New_York", 0).unwrap();
        let runs: Vec<(usize, i64, i64)> = runs(&r.bounds).into_iter().map(|(i, _, len, n)| (i, len / 3_600_000, n)).collect();
        assert_eq!(runs, [(0, 24, 2), (2, 25, 1), (3, 24, 2)]);
        assert_eq!(super::runs(&resolve(&q("2026-12-01", "2026-12-30", "week"), "UTC", 0).unwrap().bounds).len(), 1);
    }

    #[test]
    fn bad_periods_are_field_errors() {
        let e = resolve(&q("2026-11-05", "2026-11-01", "day"), "UTC", 0).err().unwrap();
        assert!(e.fields.contains_key("from"));
        assert!(resolve(&q("yesterday", "", "day"), "UTC", 0).err().unwrap().fields.contains_key("from"));
        assert!(resolve(&q("", "", "month"), "UTC", 0).err().unwrap().fields.contains_key("bucket"));
        assert!(resolve(&q("2024-01-01", "2026-01-01", "day"), "UTC", 0).is_err());
        let d = resolve(&PeriodQuery::default(), "UTC", db::rfc3339_to_ms("2026-12-02T10:00:00Z").unwrap()).unwrap();
        assert_eq!((d.period.from.as_str(), d.period.to.as_str(), d.starts.len()), ("2026-11-03", "2026-12-02", 30));
    }
}
