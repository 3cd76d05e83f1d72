//! The current tenant's settings, set by its merchants: the time zone dates are typed and shown
//! in on the dashboard, and how long offer tokens stay redeemable.
use crate::error::{AppError, AppResult};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, audit};

/// The tenant's time zone (IANA name): dates on the dashboard are typed and shown in it.
pub async fn time_zone(state: &AppState, actor: &Actor) -> AppResult<String> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(db::platform::tenants::time_zone(&state.db.pool, scope.tenant_id()).await?)
}

pub async fn set_time_zone(state: &AppState, actor: &Actor, tz: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let tz = tz.trim();
    if !crate::server::tz::is_valid(tz) {
        return Err(AppError::field("time_zone", "must be an IANA time zone such as Europe/London or UTC"));
    }
    let mut tx = state.db.begin_write().await?;
    db::platform::tenants::set_time_zone(&mut *tx, scope.tenant_id(), tz, state.clock.now_ms()).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "tenant.time_zone_set", "tenant", scope.tenant_id()).details(tz), state.clock.now_ms())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// How long offer tokens stay redeemable (1 minute to 7 days); the next decision uses it.
pub async fn set_token_ttl(state: &AppState, actor: &Actor, minutes: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let minutes: i64 = match minutes.trim().parse() {
        Ok(m) if (1..=10_080).contains(&m) => m,
        _ => return Err(AppError::field("minutes", "must be a whole number of minutes from 1 to 10080 (7 days)")),
    };
    let mut tx = state.db.begin_write().await?;
    db::platform::tenants::set_token_ttl(&mut *tx, scope.tenant_id(), minutes * 60, state.clock.now_ms()).await?;
    audit::record(
        &mut *tx,
        audit::Entry::of(scope, &actor.label(), "tenant.offer_token_ttl_set", "tenant", scope.tenant_id()).details(format!("{minutes} min")),
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    state.snapshots.tenant_changed(&state.db, scope.tenant_id()).await;
    Ok(())
}

/// The bill group of a sign-up cart whose request leaves it out (API.md §12): whether invoices
/// are emailed, whether Stripe charges the payment method (else it sends the invoice), and the
/// days an invoice is due in (1 to 365).
pub async fn set_signup_defaults(state: &AppState, actor: &Actor, auto_email_invoice: bool, collect_automatically: bool, days: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let days_until_due: i64 = match days.trim().parse() {
        Ok(d) if (1..=365).contains(&d) => d,
        _ => return Err(AppError::field("days_until_due", "must be a whole number of days from 1 to 365")),
    };
    let d = db::platform::tenants::SignupDefaults { auto_email_invoice, collect_automatically, days_until_due };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    db::platform::tenants::set_signup_defaults(&mut *tx, scope.tenant_id(), d, now).await?;
    let details = format!("email invoices {auto_email_invoice}, collect automatically {collect_automatically}, due in {days_until_due} days");
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "tenant.signup_defaults_set", "tenant", scope.tenant_id()).details(details), now).await?;
    tx.commit().await?;
    Ok(())
}
