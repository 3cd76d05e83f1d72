//! `/api/v1/events`: what surface decisions presented and how offer redemptions ended, newest
//! first and filtered.
use super::{ApiActor, ApiQuery, ApiResult, ErrorBody};
use crate::model::{Event, Page};
use crate::server::AppState;
use crate::server::services::events;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/events", get(list_events)).route("/events/{id}", get(read_event))
}

list_query! {
    pub struct EventQuery {
        cursor: "The `id` of the last event of the previous page (newest first). An id that names no event of this environment gives an empty page.",
        /// `surface.decision` or `offer.redemption`
        #[serde(rename = "type")]
        #[param(rename = "type", schema_with = super::event_type_filter)]
        pub event_type: Option<String>,
        /// `presented`, `empty`, `succeeded`, `declined` or `failed`
        #[param(schema_with = super::event_status_filter)]
        pub status: Option<String>,
        pub offer_id: Option<String>,
        /// The user identifier or anonymous id the event was for.
        pub identity: Option<String>,
        /// RFC 3339: events at or after this instant.
        #[param(format = DateTime)]
        pub from: Option<String>,
        /// RFC 3339: events before this instant.
        #[param(format = DateTime)]
        pub to: Option<String>,
    }
}

/// Decisions and redemptions, newest first.
#[utoipa::path(get, path = "/api/v1/events", operation_id = "listEvents", tag = "offer-redemptions", params(EventQuery), security(("bearer" = [])),
    responses((status = 200, body = Page<Event>), (status = 400, body = ErrorBody, description = "`validation_failed`: `limit` outside 1–100, `from`/`to` not RFC 3339, or an unknown query parameter")))]
pub async fn list_events(State(state): State<AppState>, ApiActor(actor): ApiActor, ApiQuery(q): ApiQuery<EventQuery>) -> ApiResult<Json<Page<Event>>> {
    let f = events::Filter {
        event_type: q.event_type.as_deref(),
        status: q.status.as_deref(),
        offer_id: q.offer_id.as_deref(),
        identity: q.identity.as_deref().filter(|s| !s.is_empty()),
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        starting_after: q.starting_after.as_deref(),
        limit: q.limit,
    };
    let p = events::list(&state, &actor, f).await?;
    Ok(Json(p))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", operation_id = "getEvent", tag = "offer-redemptions", params(("id" = String, Path, description = "`evt_…`")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = ErrorBody)))]
pub async fn read_event(State(state): State<AppState>, ApiActor(actor): ApiActor, Path(id): Path<String>) -> ApiResult<Json<Event>> {
    Ok(Json(events::get(&state, &actor, &id).await?))
}
