//! Deliberately unscoped queries of background work that serves every tenant: the webhook
//! dispatcher's claims and attempts, finding the integration an incoming Stripe event names, and
//! housekeeping. Each learns the tenant from the row it claims or finds.
pub mod checkout;
pub mod housekeeping;
pub mod origins;
pub mod signup;
pub mod stripe_events;
pub mod webhooks;
