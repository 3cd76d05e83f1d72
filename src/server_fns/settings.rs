//! The tenant's settings on the dashboard's home page (time zone, offer-token lifetime),
//! through `services::settings`.
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{server::services::settings, server_fns::ctx};

/// An IANA name such as `Europe/London`: dates on the dashboard are typed and shown in it.
#[server(prefix = "/sfn", endpoint = "tenant/time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { settings::set_time_zone(&s, &a, &time_zone).await }).await
}

/// How long offer tokens stay redeemable, in whole minutes (1 to 10080).
#[server(prefix = "/sfn", endpoint = "tenant/token_ttl")]
pub async fn set_token_ttl(minutes: String) -> Result<(), AppError> {
    ctx::run(|s, a| async move { settings::set_token_ttl(&s, &a, &minutes).await }).await
}

/// The bill group defaults of sign-up carts; a checkbox sends `on` when ticked, nothing when not.
#[server(prefix = "/sfn", endpoint = "tenant/signup_defaults")]
pub async fn set_signup_defaults(auto_email_invoice: Option<String>, collect_automatically: Option<String>, days_until_due: String) -> Result<(), AppError> {
    let (email, collect) = (auto_email_invoice.is_some(), collect_automatically.is_some());
    ctx::run(|s, a| async move { settings::set_signup_defaults(&s, &a, email, collect, &days_until_due).await }).await
}
