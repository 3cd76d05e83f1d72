//! Outgoing webhooks (API.md §8): endpoints with a signing secret shown once, [`emit`] which
//! writes a message and its deliveries in the caller's transaction (so an event exists exactly
//! when the change that caused it committed), the delivery log and a manual resend. Endpoint
//! URLs pass the address policy of `webhooks_out::target` (no internal networks unless the
//! operator allows them), and a scope has at most `max_endpoints` endpoints.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{WebhookEndpoint, WebhookEndpointDetail, WebhookEndpointInput, WebhookEndpointUpdate, validate_webhook_events, validate_webhook_url};
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit, new_id, record, webhooks as wdb};
use crate::server::webhooks_out::target;
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

/// Entries accepted in an endpoint's event list (duplicates included), and their length: the
/// known types are fewer and shorter, so this only stops a caller-sized list early.
pub const MAX_EVENT_ENTRIES: usize = 32;
const MAX_EVENT_NAME_CHARS: usize = 64;

/// Trimmed, without blanks and duplicates (first occurrence kept), in one pass.
fn clean_events(events: &[String], e: &mut FieldErrors) -> Vec<String> {
    if events.len() > MAX_EVENT_ENTRIES {
        e.add("events", format!("must list at most {MAX_EVENT_ENTRIES} event types"));
        return Vec::new();
    }
    if events.iter().any(|t| t.chars().count() > MAX_EVENT_NAME_CHARS) {
        e.add("events", format!("has an entry longer than {MAX_EVENT_NAME_CHARS} characters"));
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    events.iter().map(|t| t.trim()).filter(|t| !t.is_empty() && seen.insert(*t)).map(str::to_string).collect()
}

/// The address policy, after the form rules passed for the URL.
async fn check_url(state: &AppState, url: &str, e: &mut FieldErrors) {
    if e.get("url").is_none()
        && let Err(problem) = target::check_new(url, state.config.webhooks.allow_private).await
    {
        e.add("url", problem);
    }
}

pub async fn create_endpoint(state: &AppState, actor: &Actor, input: WebhookEndpointInput) -> AppResult<WebhookEndpoint> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let url = input.url.trim().to_string();
    let mut e = FieldErrors::new();
    let events = clean_events(&input.events, &mut e);
    let description = input.description.as_deref().unwrap_or("").trim().to_string();
    validate_webhook_url(&url, scope.env(), &mut e);
    if e.get("events").is_none() {
        validate_webhook_events(&events, &mut e);
    }
    if description.chars().count() > 200 {
        e.add("description", "must be at most 200 characters");
    }
    check_url(state, &url, &mut e).await;
    e.into_result()?;
    let id = new_id("whe");
    let secret = new_secret();
    let enc = secrets::encrypt(&state.config.secret_key, &secret_context(scope.tenant_id(), scope.env().as_str(), &id), &secret);
    let max = state.config.webhooks.max_endpoints;
    // Counted and inserted under one write lock, so parallel creates cannot pass the cap.
    let mut tx = wdb::begin_endpoint_write(&state.db, scope.tenant_id()).await?;
    let new = wdb::NewEndpoint { id: &id, url: &url, description: &description, events: &events, secret_enc: &enc, now: state.clock.now_ms() };
    let Some(mut ep) = wdb::insert_endpoint(&mut *tx, scope, new, max).await? else {
        return Err(AppError::conflict(format!(
            "this environment already has {max} webhook endpoints, the most allowed; delete one first (the operator sets the limit with OFFERDECK_WEBHOOK_MAX_ENDPOINTS)"
        )));
    };
    audit::record(
        &mut *tx,
        audit::Entry::of(scope, &actor.label(), "webhook_endpoint.created", "webhook_endpoint", &id).details(url.clone()),
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    ep.secret = Some(secret);
    Ok(ep)
}

pub async fn list_endpoints(state: &AppState, actor: &Actor) -> AppResult<Vec<WebhookEndpoint>> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    Ok(record::all(&state.db.pool, scope, wdb::LIVE_ENDPOINTS).await?)
}

/// One page of the endpoints, newest first (`/api/v1/webhook-endpoints`).
pub async fn page_endpoints(
    state: &AppState,
    actor: &Actor,
    starting_after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<crate::model::Page<WebhookEndpoint>> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let limit = super::records::page_limit(limit)?;
    let (data, has_more) = record::page(&state.db.pool, scope, wdb::LIVE_ENDPOINTS, super::records::cursor(starting_after), limit).await?;
    Ok(crate::model::Page { data, has_more })
}

/// One page of an endpoint's delivery log, newest first, with every attempt of those deliveries
/// (by delivery id, oldest first).
pub async fn page_deliveries(
    state: &AppState,
    actor: &Actor,
    id: &str,
    starting_after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<(crate::model::Page<crate::model::WebhookDelivery>, Attempts)> {
    let limit = super::records::page_limit(limit)?;
    get_endpoint(state, actor, id).await?;
    deliveries_of(state, actor.authorize(Permission::ManageSecrets)?, id, starting_after, limit).await
}

/// Attempts by delivery id, oldest first.
type Attempts = std::collections::HashMap<String, Vec<crate::model::WebhookAttempt>>;

/// A page of deliveries of an endpoint already found in `scope`, with their attempts.
async fn deliveries_of(
    state: &AppState,
    scope: &Scoped,
    id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> AppResult<(crate::model::Page<crate::model::WebhookDelivery>, Attempts)> {
    let (data, has_more) = wdb::page_deliveries(&state.db.pool, scope, id, super::records::cursor(starting_after), limit).await?;
    let ids: Vec<String> = data.iter().map(|d| d.id.clone()).collect();
    let mut attempts = Attempts::new();
    for (delivery_id, a) in wdb::attempts_of(&state.db.pool, scope, &ids).await? {
        attempts.entry(delivery_id).or_default().push(a);
    }
    Ok((crate::model::Page { data, has_more }, attempts))
}

pub async fn get_endpoint(state: &AppState, actor: &Actor, id: &str) -> AppResult<WebhookEndpoint> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    record::get::<WebhookEndpoint, _>(&state.db.pool, scope, id).await?.filter(|e| e.status != "deleted").ok_or_else(|| AppError::not_found("webhook endpoint"))
}

pub async fn update_endpoint(state: &AppState, actor: &Actor, id: &str, input: WebhookEndpointUpdate) -> AppResult<WebhookEndpoint> {
    let mut ep = get_endpoint(state, actor, id).await?;
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let mut e = FieldErrors::new();
    let url_changed = input.url.is_some();
    if let Some(u) = input.url {
        ep.url = u.trim().to_string();
    }
    if let Some(ev) = input.events {
        ep.events = clean_events(&ev, &mut e);
    }
    if let Some(d) = input.description {
        ep.description = d.trim().to_string();
    }
    if let Some(s) = input.status {
        if s == "enabled" || s == "disabled" {
            ep.status = s;
        } else {
            e.add("status", "must be enabled or disabled");
        }
    }
    validate_webhook_url(&ep.url, scope.env(), &mut e);
    if e.get("events").is_none() {
        validate_webhook_events(&ep.events, &mut e);
    }
    // Only a new URL is checked: an endpoint saved before the operator closed private networks
    // can still be disabled or renamed (the dispatcher refuses to send to it either way).
    if url_changed {
        check_url(state, &ep.url, &mut e).await;
    }
    e.into_result()?;
    save(state, actor, scope, &ep, "webhook_endpoint.updated").await
}

/// The dashboard's new-endpoint form: the URL, the checked event types (none checked is none)
/// and a description.
pub async fn create_from_form(state: &AppState, actor: &Actor, url: String, events: Option<Vec<String>>, description: String) -> AppResult<WebhookEndpoint> {
    create_endpoint(state, actor, WebhookEndpointInput { url, events: events.unwrap_or_default(), description: Some(description) }).await
}

/// Enables or disables an endpoint (`status` is `enabled` or `disabled`).
pub async fn set_status(state: &AppState, actor: &Actor, id: &str, status: String) -> AppResult<WebhookEndpoint> {
    update_endpoint(state, actor, id, WebhookEndpointUpdate { status: Some(status), ..Default::default() }).await
}

/// Deleted endpoints keep their rows (the delivery log refers to them) but vanish from lists
/// and receive nothing more.
pub async fn delete_endpoint(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let mut ep = get_endpoint(state, actor, id).await?;
    ep.status = "deleted".into();
    save(state, actor, actor.authorize(Permission::ManageSecrets)?, &ep, "webhook_endpoint.deleted").await.map(|_| ())
}

async fn save(state: &AppState, actor: &Actor, scope: &Scoped, ep: &WebhookEndpoint, action: &str) -> AppResult<WebhookEndpoint> {
    let mut tx = state.db.begin_write().await?;
    let out = wdb::update_endpoint(&mut *tx, scope, &ep.id, ep, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("webhook endpoint"))?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "webhook_endpoint", &ep.id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(out)
}

/// The endpoint with its newest `limit` deliveries (1–100) and their attempts.
pub async fn endpoint_detail(state: &AppState, actor: &Actor, id: &str, limit: i64) -> AppResult<WebhookEndpointDetail> {
    let endpoint = get_endpoint(state, actor, id).await?;
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let (page, mut by_delivery) = deliveries_of(state, scope, id, None, limit.clamp(1, 100)).await?;
    let attempts = page.data.iter().map(|d| (d.id.clone(), by_delivery.remove(&d.id).unwrap_or_default())).collect();
    Ok(WebhookEndpointDetail { endpoint, deliveries: page.data, attempts })
}

/// Manual resend: the delivery goes back in the queue now, with a fresh retry window. The
/// message keeps its id, so a receiver that already has it can tell.
pub async fn resend(state: &AppState, actor: &Actor, delivery_id: &str) -> AppResult<crate::model::WebhookDelivery> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if wdb::get_delivery(&mut *tx, scope, delivery_id).await?.is_none() {
        return Err(AppError::not_found("delivery"));
    }
    if !wdb::requeue(&mut *tx, scope, delivery_id, now, now + RETRY_WINDOW_MS).await? {
        return Err(AppError::conflict("this delivery is being sent right now; try again in a moment"));
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "webhook_delivery.resent", "webhook_delivery", delivery_id), state.clock.now_ms()).await?;
    let d = wdb::get_delivery(&mut *tx, scope, delivery_id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.webhooks.kick();
    Ok(d)
}

/// Queues `event_type` for every enabled endpoint of the scope that subscribes to it, in the
/// caller's transaction. Returns the message id (`evt_…`, the `webhook-id` header).
pub async fn emit(conn: &mut AnyConnection, scope: &Scoped, event_type: &str, data: Value, now: i64) -> AppResult<String> {
    let id = new_id("evt");
    let envelope = json!({
        "id": id,
        "type": event_type,
        "createdAt": db::ms_to_rfc3339(now),
        "mode": scope.env().as_str(),
        "data": data,
    });
    wdb::insert_message(&mut *conn, scope, &id, event_type, &envelope.to_string(), now).await?;
    wdb::insert_deliveries(&mut *conn, scope, &id, event_type, now, now + RETRY_WINDOW_MS).await?;
    Ok(id)
}
