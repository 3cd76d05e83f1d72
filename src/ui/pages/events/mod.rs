//! Activity → Events (`server_fns::events`): surface decisions and offer
//! redemptions, filtered by type, status, offer, identity and day (`list`); an event's page
//! shows the request, the workflow's logs and the response (`detail`).
mod detail;
mod list;

pub use detail::EventPage;
pub use list::EventsPage;

fn status_badge(status: crate::model::EventStatus) -> &'static str {
    match status {
        crate::model::EventStatus::Succeeded | crate::model::EventStatus::Presented => "badge badge-active",
        crate::model::EventStatus::Failed => "badge badge-error",
        crate::model::EventStatus::Empty | crate::model::EventStatus::Declined => "badge",
    }
}
