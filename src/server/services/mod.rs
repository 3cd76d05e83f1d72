//! All domain rules. The dashboard's server functions and the `/api/v1` handlers call these
//! functions and nothing below them: each checks the actor's permission, validates, and runs
//! its writes (with the audit entry) in one transaction. One file per area, named as in
//! `server_fns::` and `api::`; the dashboard's text forms are parsed here too (`*_form`), so
//! that no rule lives in a door.
pub mod analytics;
pub mod api_keys;
pub mod auth;
pub mod batches;
pub mod checkout;
pub mod coupons;
pub mod discounts;
pub mod events;
pub mod experiences;
pub mod forms;
pub mod idempotency;
pub mod integrations;
pub mod methods;
pub mod offers;
pub mod origins;
pub mod prices;
pub mod products;
pub mod rates;
pub mod records;
pub mod redemptions;
pub mod redirects;
pub mod schemas;
pub mod settings;
pub mod signup;
pub mod stripe_events;
pub mod surfaces;
pub mod tenants;
pub mod users;
pub mod versions;
pub mod webhooks;
