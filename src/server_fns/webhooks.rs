//! Settings → Webhooks on the dashboard (endpoints and their delivery log), through
//! `services::webhooks` like `/api/v1/webhook-endpoints`.
use crate::error::AppError;
use crate::model::{WebhookDelivery, WebhookEndpoint, WebhookEndpointDetail, WebhooksData};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    server::services::{auth, webhooks},
    server_fns::ctx,
};

/// The endpoints, and the signing secrets created since the last view (shown once).
#[server(prefix = "/sfn", endpoint = "webhooks/page")]
pub async fn webhooks_page() -> Result<WebhooksData, AppError> {
    let rid = ctx::request_id();
    ctx::run_with_session(|s, session, a| async move {
        let endpoints = webhooks::list_endpoints(&s, &a).await?;
        let new_secrets = auth::take_secrets(&s, &session, auth::SecretFlash::WebhookSecrets, &rid).await?;
        Ok(WebhooksData { endpoints, new_secrets })
    })
    .await
}

/// The signing secret is kept in the session for the next page view, where it is shown once.
#[server(prefix = "/sfn", endpoint = "webhooks/create")]
pub async fn create_webhook_endpoint(url: String, events: Option<Vec<String>>, #[server(default)] description: String) -> Result<(), AppError> {
    ctx::run_with_session(|s, session, a| async move {
        let ep = webhooks::create_from_form(&s, &a, url, events, description).await?;
        auth::push_secret(&s, &session, auth::SecretFlash::WebhookSecrets, ep.secret.as_deref().unwrap_or_default()).await
    })
    .await
}

#[server(prefix = "/sfn", endpoint = "webhooks/endpoint")]
pub async fn load_webhook_endpoint(id: String) -> Result<WebhookEndpointDetail, AppError> {
    ctx::run(|s, a| async move { webhooks::endpoint_detail(&s, &a, &id, 50).await }).await
}

/// `status` is `enabled` or `disabled`.
#[server(prefix = "/sfn", endpoint = "webhooks/status")]
pub async fn set_webhook_status(id: String, status: String) -> Result<WebhookEndpoint, AppError> {
    ctx::run(|s, a| async move { webhooks::set_status(&s, &a, &id, status).await }).await
}

#[server(prefix = "/sfn", endpoint = "webhooks/delete")]
pub async fn delete_webhook_endpoint(id: String) -> Result<(), AppError> {
    ctx::redirect_on_ok(ctx::run(|s, a| async move { webhooks::delete_endpoint(&s, &a, &id).await }).await, |_| "/settings/webhooks".into())
}

#[server(prefix = "/sfn", endpoint = "webhooks/resend")]
pub async fn resend_webhook(id: String) -> Result<WebhookDelivery, AppError> {
    ctx::run(|s, a| async move { webhooks::resend(&s, &a, &id).await }).await
}
