//! Settings → Integrations → Stripe.
use crate::error::AppError;
use crate::model::{StripeAccount, StripeIntegration};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "integrations/stripe")]
pub async fn get_stripe_integration() -> Result<Option<StripeIntegration>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::integrations::get(&state, &actor).await)
}

/// An empty `webhook_secret` keeps the stored one.
#[server(prefix = "/sfn", endpoint = "integrations/stripe/save")]
pub async fn save_stripe_integration(secret_key: String, webhook_secret: String) -> Result<StripeIntegration, AppError> {
    use crate::model::StripeIntegrationInput;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let input = StripeIntegrationInput { secret_key, webhook_secret: Some(webhook_secret) };
    ctx::finish(crate::server::services::integrations::put(&state, &actor, input).await)
}

#[server(prefix = "/sfn", endpoint = "integrations/stripe/remove")]
pub async fn remove_stripe_integration() -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::integrations::delete(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "integrations/stripe/test")]
pub async fn test_stripe_integration() -> Result<StripeAccount, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::integrations::test_connection(&state, &actor).await)
}
