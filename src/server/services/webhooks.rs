//! Outgoing webhooks (API.md §8): endpoints with a signing secret shown once, [`emit`] which
//! writes a message and its deliveries in the caller's transaction (so an event exists exactly
//! when the change that caused it committed), the delivery log and a manual resend.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{WebhookEndpoint, WebhookEndpointDetail, WebhookEndpointInput, WebhookEndpointUpdate, validate_webhook_events, validate_webhook_url};
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scope, audit, new_id, webhooks as wdb};
use crate::server::{AppState, secrets};
use base64::Engine;
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// Deliveries are retried for this long after they were queued.
pub const RETRY_WINDOW_MS: i64 = 24 * 3600 * 1000;

pub fn secret_context(tenant_id: &str, env: &str, endpoint_id: &str) -> String {
    format!("{tenant_id}/{env}/webhook_endpoint/{endpoint_id}")
}

fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn clean_events(events: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()) {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

pub async fn create_endpoint(state: &AppState, actor: &Actor, input: WebhookEndpointInput) -> AppResult<WebhookEndpoint> {
    actor.require(Permission::ManageSecrets)?;
    let scope = actor.scope()?;
    let url = input.url.trim().to_string();
    let events = clean_events(&input.events);
    let description = input.description.as_deref().unwrap_or("").trim().to_string();
    let mut e = FieldErrors::new();
    validate_webhook_url(&url, scope.env, &mut e);
    validate_webhook_events(&events, &mut e);
    if description.chars().count() > 200 {
        e.add("description", "must be at most 200 characters");
    }
    e.into_result()?;
    let id = new_id("whe");
    let secret = new_secret();
    let enc = secrets::encrypt(&state.config.secret_key, &secret_context(&scope.tenant_id, scope.env.as_str(), &id), &secret);
    let mut tx = state.db.pool.begin().await?;
    wdb::insert_endpoint(&mut *tx, scope, wdb::NewEndpoint { id: &id, url: &url, description: &description, events: &events, secret_enc: &enc, now: state.clock.now_ms() }).await?;
    audit::record(&mut *tx, audit::Entry { scope: Some(scope), actor: &actor.label(), action: "webhook_endpoint.created", object_type: "webhook_endpoint", object_id: &id, details: Some(url.clone()) }).await?;
    let mut ep = wdb::get_endpoint(&mut *tx, scope, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    ep.secret = Some(secret);
    Ok(ep)
}

pub async fn list_endpoints(state: &AppState, actor: &Actor) -> AppResult<Vec<WebhookEndpoint>> {
    actor.require(Permission::ManageSecrets)?;
    Ok(wdb::list_endpoints(&state.db.pool, actor.scope()?).await?)
}

pub async fn get_endpoint(state: &AppState, actor: &Actor, id: &str) -> AppResult<WebhookEndpoint> {
    actor.require(Permission::ManageSecrets)?;
    wdb::get_endpoint(&state.db.pool, actor.scope()?, id)
        .await?
        .filter(|e| e.status != "deleted")
        .ok_or_else(|| AppError::not_found("webhook endpoint"))
}

pub async fn update_endpoint(state: &AppState, actor: &Actor, id: &str, input: WebhookEndpointUpdate) -> AppResult<WebhookEndpoint> {
    let mut ep = get_endpoint(state, actor, id).await?;
    let scope = actor.scope()?;
    if let Some(u) = input.url {
        ep.url = u.trim().to_string();
    }
    if let Some(ev) = input.events {
        ep.events = clean_events(&ev);
    }
    if let Some(d) = input.description {
        ep.description = d.trim().to_string();
    }
    let mut e = FieldErrors::new();
    if let Some(s) = input.status {
        if s == "enabled" || s == "disabled" {
            ep.status = s;
        } else {
            e.add("status", "must be enabled or disabled");
        }
    }
    validate_webhook_url(&ep.url, scope.env, &mut e);
    validate_webhook_events(&ep.events, &mut e);
    e.into_result()?;
    save(state, actor, scope, &ep, "webhook_endpoint.updated").await
}

/// Deleted endpoints keep their rows (the delivery log refers to them) but vanish from lists
/// and receive nothing more.
pub async fn delete_endpoint(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let mut ep = get_endpoint(state, actor, id).await?;
    ep.status = "deleted".into();
    save(state, actor, actor.scope()?, &ep, "webhook_endpoint.deleted").await.map(|_| ())
}

async fn save(state: &AppState, actor: &Actor, scope: &Scope, ep: &WebhookEndpoint, action: &str) -> AppResult<WebhookEndpoint> {
    let mut tx = state.db.pool.begin().await?;
    wdb::update_endpoint(&mut *tx, scope, &ep.id, ep, state.clock.now_ms()).await?;
    audit::record(&mut *tx, audit::Entry { scope: Some(scope), actor: &actor.label(), action, object_type: "webhook_endpoint", object_id: &ep.id, details: None }).await?;
    let out = wdb::get_endpoint(&mut *tx, scope, &ep.id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(out)
}

/// The endpoint with its newest deliveries and their attempts.
pub async fn endpoint_detail(state: &AppState, actor: &Actor, id: &str, limit: i64) -> AppResult<WebhookEndpointDetail> {
    let endpoint = get_endpoint(state, actor, id).await?;
    let scope = actor.scope()?;
    let deliveries = wdb::list_deliveries(&state.db.pool, scope, id, limit.clamp(1, 200)).await?;
    let since = deliveries.last().and_then(|d| db::rfc3339_to_ms(&d.created_at)).unwrap_or(i64::MAX);
    let mut attempts: Vec<(String, Vec<crate::model::WebhookAttempt>)> = deliveries.iter().map(|d| (d.id.clone(), Vec::new())).collect();
    for (delivery_id, a) in wdb::list_attempts(&state.db.pool, scope, id, since).await? {
        if let Some((_, list)) = attempts.iter_mut().find(|(d, _)| *d == delivery_id) {
            list.push(a);
        }
    }
    Ok(WebhookEndpointDetail { endpoint, deliveries, attempts })
}

/// Manual resend: the delivery goes back in the queue now, with a fresh retry window. The
/// message keeps its id, so a receiver that already has it can tell.
pub async fn resend(state: &AppState, actor: &Actor, delivery_id: &str) -> AppResult<crate::model::WebhookDelivery> {
    actor.require(Permission::ManageSecrets)?;
    let scope = actor.scope()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.pool.begin().await?;
    if wdb::get_delivery(&mut *tx, scope, delivery_id).await?.is_none() {
        return Err(AppError::not_found("delivery"));
    }
    if !wdb::requeue(&mut *tx, scope, delivery_id, now, now + RETRY_WINDOW_MS).await? {
        return Err(AppError::conflict("this delivery is being sent right now; try again in a moment"));
    }
    audit::record(&mut *tx, audit::Entry { scope: Some(scope), actor: &actor.label(), action: "webhook_delivery.resent", object_type: "webhook_delivery", object_id: delivery_id, details: None }).await?;
    let d = wdb::get_delivery(&mut *tx, scope, delivery_id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.webhooks.kick();
    Ok(d)
}

/// Queues `event_type` for every enabled endpoint of the scope that subscribes to it, in the
/// caller's transaction. Returns the message id (`evt_…`, the `webhook-id` header).
pub async fn emit(conn: &mut AnyConnection, scope: &Scope, event_type: &str, data: Value, now: i64) -> AppResult<String> {
    let id = new_id("evt");
    let envelope = json!({
        "id": id,
        "type": event_type,
        "createdAt": db::ms_to_rfc3339(now),
        "mode": scope.env.as_str(),
        "data": data,
    });
    wdb::insert_message(&mut *conn, scope, &id, event_type, &envelope.to_string(), now).await?;
    wdb::insert_deliveries(&mut *conn, scope, &id, event_type, now, now + RETRY_WINDOW_MS).await?;
    Ok(id)
}
