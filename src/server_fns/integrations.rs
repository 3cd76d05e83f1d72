//! Settings → Integrations → Stripe, through `services::integrations` like
//! `/api/v1/integrations/stripe`.
use crate::error::AppError;
use crate::model::{StripeAccount, StripeIntegration};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{model::StripeIntegrationInput, server::services::integrations, server_fns::ctx};

#[server(prefix = "/sfn", endpoint = "integrations/stripe")]
pub async fn get_stripe_integration() -> Result<Option<StripeIntegration>, AppError> {
    ctx::run(|s, a| async move { integrations::get(&s, &a).await }).await
}

/// An empty `webhook_secret` or `publishable_key` keeps the stored one.
#[server(prefix = "/sfn", endpoint = "integrations/stripe/save")]
pub async fn save_stripe_integration(
    secret_key: String,
    webhook_secret: String,
    #[server(default)] publishable_key: String,
) -> Result<StripeIntegration, AppError> {
    let input =
        StripeIntegrationInput { secret_key, webhook_secret: Some(webhook_secret), publishable_key: Some(publishable_key).filter(|k| !k.trim().is_empty()) };
    ctx::run(|s, a| async move { integrations::put(&s, &a, input).await }).await
}

#[server(prefix = "/sfn", endpoint = "integrations/stripe/remove")]
pub async fn remove_stripe_integration() -> Result<(), AppError> {
    ctx::run(|s, a| async move { integrations::delete(&s, &a).await }).await
}

#[server(prefix = "/sfn", endpoint = "integrations/stripe/test")]
pub async fn test_stripe_integration() -> Result<StripeAccount, AppError> {
    ctx::run(|s, a| async move { integrations::test_connection(&s, &a).await }).await
}
