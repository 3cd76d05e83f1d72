//! The coupons' dashboard views: the list page and one coupon's page, times in the tenant's zone.
use super::{ListParams, campaigns, get, list};
use crate::error::AppResult;
use crate::model::{CouponDetail, CouponsData, DayCount};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, coupons as cdb};
use crate::server::services::settings;

/// The coupon page: newest redemptions and a per-day count over the last 30 days in the
/// tenant's time zone.
pub async fn detail(state: &AppState, actor: &Actor, code: &str) -> AppResult<CouponDetail> {
    let coupon = get(state, actor, code).await?;
    let scope = actor.authorize(Permission::TenantRead)?;
    let redemptions = cdb::page_redemptions(&state.db.pool, scope, &coupon.id, None, 200).await?.0;
    let time_zone = db::platform::tenants::time_zone(&state.db.pool, scope.tenant_id()).await?;
    let now = state.clock.now_ms();
    let times = cdb::redemption_times(&state.db.pool, scope, &coupon.id, now - 30 * 86_400_000).await?;
    let per_day = per_day(&times, &time_zone);
    let local = |v: &Option<String>| v.as_deref().map(|s| crate::server::tz::rfc3339_to_local(s, &time_zone).replace('T', " ")).unwrap_or_default();
    let (starts_local, expires_local) = (local(&coupon.starts_at), local(&coupon.expires_at));
    Ok(CouponDetail { coupon, redemptions, per_day, time_zone, starts_local, expires_local })
}

/// The coupons list of the dashboard: one page, the campaign tags, the time zone and each
/// expiry in it.
pub async fn dashboard_page(state: &AppState, actor: &Actor, p: ListParams) -> AppResult<CouponsData> {
    let page = list(state, actor, p).await?;
    let (coupons, has_more) = (page.data, page.has_more);
    let campaigns = campaigns(state, actor).await?;
    let time_zone = settings::time_zone(state, actor).await?;
    let expiry_local = coupons
        .iter()
        .filter_map(|c| c.expires_at.as_deref().map(|e| (c.id.clone(), crate::server::tz::rfc3339_to_local(e, &time_zone).replace('T', " "))))
        .collect();
    Ok(CouponsData { coupons, has_more, campaigns, time_zone, expiry_local })
}

/// Counts per local calendar day, oldest first (days without redemptions left out).
pub fn per_day(times_ms: &[i64], tz: &str) -> Vec<DayCount> {
    let mut out: Vec<DayCount> = Vec::new();
    for &t in times_ms {
        let day = crate::server::tz::ms_to_local(t, tz).get(..10).unwrap_or("").to_string();
        match out.last_mut() {
            Some(last) if last.day == day => last.count += 1,
            _ => out.push(DayCount { day, count: 1 }),
        }
    }
    out
}
