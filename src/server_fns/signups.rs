//! Sign-up carts on the dashboard, through `services::signup` like `/api/selfService/signup`:
//! the list with the funnel of a period, and one cart's page. Merchants and marketers read;
//! carts change only through the API.
use crate::error::AppError;
use crate::model::{SignUpCartDetail, SignUpsData};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{server::services::signup::pages, server_fns::ctx};

/// One page of 25 carts, newest first, and the funnel of the last `days` (1, 7, 30 or 90).
#[server(prefix = "/sfn", endpoint = "signups/page")]
pub async fn signups_page(q: Option<String>, state: Option<String>, days: Option<String>, after: Option<String>) -> Result<SignUpsData, AppError> {
    let days = days.and_then(|d| d.trim().parse().ok());
    let params = pages::ListParams { state, search: q, starting_after: after, limit: Some(25), days };
    ctx::run(|s, a| async move { pages::list(&s, &a, params).await }).await
}

#[server(prefix = "/sfn", endpoint = "signups/get")]
pub async fn load_signup(id: String) -> Result<SignUpCartDetail, AppError> {
    ctx::run(|s, a| async move { pages::detail(&s, &a, &id).await }).await
}
