//! Checkout sessions on the dashboard, through `services::checkout` like
//! `/api/v1/checkout-sessions`: the list (search by request id or email, status), one session's
//! page, and expiring an open session (merchants only; marketers read).
use crate::error::AppError;
use crate::model::{CheckoutSession, CheckoutSessionDetail, Page};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    server::services::checkout::{self, lifecycle},
    server_fns::ctx,
};

/// One page of 25 sessions, newest first.
#[server(prefix = "/sfn", endpoint = "checkout/page")]
pub async fn checkout_page(q: Option<String>, status: Option<String>, after: Option<String>) -> Result<Page<CheckoutSession>, AppError> {
    let params = checkout::ListParams { limit: Some(25), starting_after: after, request_id: None, status, search: q };
    ctx::run(|s, a| async move { checkout::list(&s, &a, params).await }).await
}

#[server(prefix = "/sfn", endpoint = "checkout/get")]
pub async fn load_checkout_session(id: String) -> Result<CheckoutSessionDetail, AppError> {
    ctx::run(|s, a| async move { checkout::detail(&s, &a, &id).await }).await
}

#[server(prefix = "/sfn", endpoint = "checkout/expire")]
pub async fn expire_checkout_session(id: String) -> Result<CheckoutSession, AppError> {
    ctx::run(|s, a| async move { lifecycle::expire(&s, &a, &id).await }).await
}
