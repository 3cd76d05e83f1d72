//! Events: what surface decisions presented and how offer redemptions ended, newest first and
//! filtered, for `/api/v1/events` (RFC 3339 bounds) and the dashboard (dates in the tenant's
//! time zone, [`dashboard_page`]). Recording them belongs to `surfaces` and `redemptions`.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Event, EventsData, Page};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::clock::instant_param;
use crate::server::db::redemptions as edb;
use crate::server::services::forms::non_blank;
use crate::server::services::records::{cursor, page_limit};
use crate::server::services::{offers, settings};
use crate::server_fns::events::EventsQuery;

/// Which events to list; an absent field does not filter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    /// `surface.decision` or `offer.redemption`
    pub event_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub offer_id: Option<&'a str>,
    /// The user identifier or anonymous id the event was for.
    pub identity: Option<&'a str>,
    /// RFC 3339: events at or after this instant.
    pub from: Option<&'a str>,
    /// RFC 3339: events before this instant.
    pub to: Option<&'a str>,
    /// The id of the last event of the previous page; blank is the first page.
    pub starting_after: Option<&'a str>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
}

/// Events in `[from, to)`, newest first (`/api/v1/events`).
pub async fn list(state: &AppState, actor: &Actor, f: Filter<'_>) -> AppResult<Page<Event>> {
    let limit = page_limit(f.limit)?;
    let from_ms = instant_param("from", f.from)?;
    let to_ms = instant_param("to", f.to)?;
    between(state, actor, f, from_ms, to_ms, limit).await
}

/// [`list`] with the bounds as unix milliseconds (`f.from`/`f.to` are not read).
async fn between(state: &AppState, actor: &Actor, f: Filter<'_>, from_ms: Option<i64>, to_ms: Option<i64>, limit: i64) -> AppResult<Page<Event>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let f = edb::EventFilter {
        event_type: f.event_type,
        status: f.status,
        offer_id: f.offer_id,
        identity: f.identity,
        from_ms,
        to_ms,
        starting_after: cursor(f.starting_after),
        limit,
    };
    let mut conn = state.db.pool.acquire().await?;
    let (data, has_more) = edb::page(&mut conn, scope, f).await?;
    Ok(Page { data, has_more })
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Event> {
    let scope = actor.authorize(Permission::TenantRead)?;
    edb::get_event(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("event"))
}

/// The start of a local calendar day (`2026-11-25`) in `tz`, plus `plus_days` days; blank is
/// `None`, anything else a field error.
fn local_day(e: &mut FieldErrors, field: &str, text: &str, tz: &str, plus_days: i64) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match crate::server::tz::local_to_ms(&format!("{text}T00:00"), tz) {
        Ok(ms) => Some(ms + plus_days * 86_400_000),
        Err(_) => {
            e.add(field, "must be a date such as 2026-11-25");
            None
        }
    }
}

/// The dashboard's events page: 50 events, the filter as typed (blank fields do not filter;
/// `from`/`to` are dates in the tenant's time zone and `to` includes its whole day), the offers
/// for the offer filter, and the time zone the dates are in.
pub async fn dashboard_page(state: &AppState, actor: &Actor, q: EventsQuery) -> AppResult<EventsData> {
    let time_zone = settings::time_zone(state, actor).await?;
    let mut e = FieldErrors::new();
    let from_ms = local_day(&mut e, "from", &q.from, &time_zone, 0);
    let to_ms = local_day(&mut e, "to", &q.to, &time_zone, 1);
    e.into_result()?;
    let (t, st, o, i, a) = (non_blank(&q.event_type), non_blank(&q.status), non_blank(&q.offer_id), non_blank(&q.identity), non_blank(&q.after));
    let f = Filter {
        event_type: t.as_deref(),
        status: st.as_deref(),
        offer_id: o.as_deref(),
        identity: i.as_deref(),
        starting_after: a.as_deref(),
        ..Default::default()
    };
    let page = between(state, actor, f, from_ms, to_ms, 50).await?;
    let offers = offers::list(state, actor, None, Some(100)).await?.data.into_iter().map(|o| (o.id, o.name)).collect();
    Ok(EventsData { events: page.data, has_more: page.has_more, offers, time_zone })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_local_and_to_includes_its_day() {
        let mut e = FieldErrors::new();
        let from = local_day(&mut e, "from", "2026-07-01", "Europe/London", 0);
        let to = local_day(&mut e, "to", " 2026-07-01 ", "Europe/London", 1);
        assert_eq!(from.map(crate::server::clock::ms_to_rfc3339).as_deref(), Some("2026-06-30T23:00:00Z"));
        assert_eq!(to.map(crate::server::clock::ms_to_rfc3339).as_deref(), Some("2026-07-01T23:00:00Z"));
        assert_eq!(local_day(&mut e, "to", "", "UTC", 1), None);
        assert!(e.is_empty());
        assert_eq!(local_day(&mut e, "from", "25/11/2026", "UTC", 0), None);
        assert!(e.get("from").is_some());
    }
}
