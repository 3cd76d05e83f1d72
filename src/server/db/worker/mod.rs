//! Deliberately unscoped queries of background work that serves every tenant: the webhook
//! dispatcher's claims and attempts, finding the integration an incoming Stripe event names, and
//! housekeeping. Each learns the tenant from the row it claims or finds.
pub mod batches;
pub mod checkout;
pub mod housekeeping;
pub mod origins;
pub mod signup;
pub mod stripe_events;
pub mod webhooks;

/// `(scope, id)` of rows with `id`, `tenant_id` and `environment` (what the sweeps find).
pub fn scoped_ids(rows: &[sqlx::any::AnyRow]) -> Result<Vec<(super::Scoped, String)>, sqlx::Error> {
    use sqlx::Row;
    rows.iter()
        .map(|r| {
            let scope =
                super::Scoped::trusted(r.try_get::<String, _>("tenant_id")?, super::env_of(&r.try_get::<String, _>("environment")?), super::Trust::StoredRow);
            Ok((scope, r.try_get("id")?))
        })
        .collect()
}
