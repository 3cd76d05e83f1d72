//! Events (surface decisions and offer redemptions) on the dashboard, through
//! `services::events` like `/api/v1/events`.
use crate::error::AppError;
use crate::model::{Event, EventsData};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::events, server_fns::ctx};

/// The events filter as the page sends it; every field may be blank. `from`/`to` are dates
/// (YYYY-MM-DD) in the tenant's time zone, and `to` includes its whole day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventsQuery {
    pub event_type: String,
    pub status: String,
    pub offer_id: String,
    pub identity: String,
    pub from: String,
    pub to: String,
    pub after: String,
}

/// Events, newest first, 50 a page.
#[server(prefix = "/sfn", endpoint = "events/list")]
pub async fn list_events(#[server(flatten)] query: EventsQuery) -> Result<EventsData, AppError> {
    ctx::run(|s, a| async move { events::dashboard_page(&s, &a, query).await }).await
}

#[server(prefix = "/sfn", endpoint = "events/get")]
pub async fn get_event(id: String) -> Result<Event, AppError> {
    ctx::run(|s, a| async move { events::get(&s, &a, &id).await }).await
}
