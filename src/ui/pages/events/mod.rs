//! Activity → Events (`server_fns::experiences` serves them): surface decisions and offer
//! redemptions, filtered by type, status, offer, identity and day (`list`); an event's page
//! shows the request, the workflow's logs and the response (`detail`).
mod detail;
mod list;

pub use detail::EventPage;
pub use list::EventsPage;

fn status_badge(status: &str) -> &'static str {
    match status {
        "succeeded" | "presented" => "badge badge-active",
        "failed" => "badge badge-error",
        _ => "badge",
    }
}
