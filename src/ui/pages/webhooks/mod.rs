//! Settings → Webhooks (`server_fns::webhooks`): the endpoints with the create
//! form, the signing secret shown once (`list`); per endpoint, the delivery log with every
//! attempt, enable/disable, delete and a manual resend (`detail`).
mod detail;
mod list;

pub use detail::WebhookEndpointPage;
pub use list::WebhooksPage;
