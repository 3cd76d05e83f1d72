//! Coupons and Settings → Webhooks on the dashboard, through `services::coupons` and
//! `services::webhooks` like `/api/v1`. Expiry is typed in the tenant's time zone.
use crate::error::AppError;
use crate::model::{Coupon, CouponDetail, CouponsData, WebhookDelivery, WebhookEndpoint, WebhookEndpointDetail, WebhooksData};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "coupons/page")]
pub async fn coupons_page(q: Option<String>, status: Option<String>, campaign: Option<String>, after: Option<String>) -> Result<CouponsData, AppError> {
    use crate::server::services::coupons::{self, ListParams};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let params = ListParams { limit: Some(25), starting_after: after, search: q, status, campaign: campaign.filter(|c| !c.is_empty()) };
    let page = ctx::finish(coupons::list(&state, &actor, params).await)?;
    let (coupons, has_more) = (page.data, page.has_more);
    let campaigns = ctx::finish(coupons::campaigns(&state, &actor).await)?;
    let time_zone = ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)?;
    let expiry_local = coupons
        .iter()
        .filter_map(|c| c.expires_at.as_deref().map(|e| (c.id.clone(), crate::server::tz::rfc3339_to_local(e, &time_zone).replace('T', " "))))
        .collect();
    Ok(CouponsData { coupons, has_more, campaigns, time_zone, expiry_local })
}

#[server(prefix = "/sfn", endpoint = "coupons/get")]
pub async fn load_coupon(code: String) -> Result<CouponDetail, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::coupons::detail(&state, &actor, &code).await)
}

/// The tenant's time zone, for the expiry field's label.
#[server(prefix = "/sfn", endpoint = "coupons/time_zone")]
pub async fn coupon_time_zone() -> Result<String, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "coupons/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_coupon(
    code: String,
    coupon_type: String,
    amount: String,
    #[server(default)] currency: String,
    #[server(default)] repeat_months: String,
    #[server(default)] max_redemptions: String,
    #[server(default)] max_per_customer: String,
    #[server(default)] starts: String,
    #[server(default)] expires: String,
    #[server(default)] campaign: String,
) -> Result<Coupon, AppError> {
    use crate::model::CouponForm;
    use crate::server::auth::Permission;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(actor.require(Permission::TenantWrite))?;
    let tz = ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)?;
    let form = CouponForm { code, coupon_type, amount, currency, repeat_months, max_redemptions, max_per_customer, campaign };
    let mut errors = crate::error::FieldErrors::new();
    let starts_at = crate::server::tz::local_field(&mut errors, "startsAt", &starts, &tz);
    let expires_at = crate::server::tz::local_field(&mut errors, "expiresAt", &expires, &tz);
    // Typed-value problems and time problems are reported together.
    let parsed = form.parse().map_err(|e| errors.merge(e)).ok();
    ctx::finish(errors.into_result())?;
    let Some(mut input) = parsed else { return Err(AppError::internal()) };
    input.starts_at = starts_at;
    input.expires_at = expires_at;
    let coupon = ctx::finish(crate::server::services::coupons::create(&state, &actor, input).await)?;
    leptos_axum::redirect(&format!("/coupons/{}", coupon.code));
    Ok(coupon)
}

#[server(prefix = "/sfn", endpoint = "coupons/archive")]
pub async fn archive_coupon(code: String) -> Result<Coupon, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::coupons::archive(&state, &actor, &code).await)
}

#[server(prefix = "/sfn", endpoint = "webhooks/page")]
pub async fn webhooks_page() -> Result<WebhooksData, AppError> {
    use crate::server::services::{auth, webhooks};
    use crate::server_fns::ctx;
    let rid = ctx::request_id();
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(auth::actor(&state, &session).await)?;
    let endpoints = ctx::finish(webhooks::list_endpoints(&state, &actor).await)?;
    let new_secrets = auth::take_secrets(&state, &session, auth::SecretFlash::WebhookSecrets, &rid).await?;
    Ok(WebhooksData { endpoints, new_secrets })
}

/// The signing secret is kept in the session for the next page view, where it is shown once.
#[server(prefix = "/sfn", endpoint = "webhooks/create")]
pub async fn create_webhook_endpoint(url: String, events: Option<Vec<String>>, #[server(default)] description: String) -> Result<(), AppError> {
    use crate::model::WebhookEndpointInput;
    use crate::server::services::{auth, webhooks};
    use crate::server_fns::ctx;
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(auth::actor(&state, &session).await)?;
    let input = WebhookEndpointInput { url, events: events.unwrap_or_default(), description: Some(description) };
    let ep = ctx::finish(webhooks::create_endpoint(&state, &actor, input).await)?;
    auth::push_secret(&state, &session, auth::SecretFlash::WebhookSecrets, ep.secret.as_deref().unwrap_or_default()).await
}

#[server(prefix = "/sfn", endpoint = "webhooks/endpoint")]
pub async fn load_webhook_endpoint(id: String) -> Result<WebhookEndpointDetail, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::webhooks::endpoint_detail(&state, &actor, &id, 50).await)
}

/// `status` is `enabled` or `disabled`.
#[server(prefix = "/sfn", endpoint = "webhooks/status")]
pub async fn set_webhook_status(id: String, status: String) -> Result<WebhookEndpoint, AppError> {
    use crate::model::WebhookEndpointUpdate;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(
        crate::server::services::webhooks::update_endpoint(&state, &actor, &id, WebhookEndpointUpdate { status: Some(status), ..Default::default() }).await,
    )
}

#[server(prefix = "/sfn", endpoint = "webhooks/delete")]
pub async fn delete_webhook_endpoint(id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::webhooks::delete_endpoint(&state, &actor, &id).await)?;
    leptos_axum::redirect("/settings/webhooks");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "webhooks/resend")]
pub async fn resend_webhook(id: String) -> Result<WebhookDelivery, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::webhooks::resend(&state, &actor, &id).await)
}
