//! Offer redemptions (API.md §4): verify the offer token, apply the identity rules, run the
//! offer's redemption workflow, answer with its result, and record an event. A token whose
//! redemption succeeded replays the recorded answer (same `eventId`) without running again.
//! Listing the events is `services::events`.
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::{EventStatus, EventType, IdentityInput, IdentityKind, ProductStatus};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, new_id, redemptions};
use crate::server::services::methods::{StripeHost, current_workflow};
use crate::server::services::offers::workflow_offer;
use crate::server::tokens;
pub use redemptions::EventFilter;
use serde_json::{Value, json};
use std::sync::Arc;

pub struct Redemption {
    pub http_status: u16,
    pub body: Value,
}

fn mismatch() -> AppError {
    AppError::new(ErrorCode::TokenIdentityMismatch, "this offer token was presented to another identity")
}

pub async fn redeem(state: &AppState, actor: &Actor, identity: &IdentityInput, token: &str) -> AppResult<Redemption> {
    let scope = actor.authorize(Permission::TenantWrite)?.clone();
    let presenter = identity.resolve(|| format!("anon_{}", uuid::Uuid::new_v4().simple()))?;
    let now = state.clock.now_ms() / 1000;
    let claims = tokens::verify(&state.config.secret_key, &scope, token, now)?;
    // A token minted for an anonymous visitor may be redeemed once they are known (sign up
    // first); a token minted for a user only by that user.
    let allowed = match claims.k.as_str() {
        "authenticated" => presenter.kind == IdentityKind::Authenticated && presenter.identifier == claims.i,
        _ => presenter.kind == IdentityKind::Authenticated || presenter.identifier == claims.i,
    };
    if !allowed {
        return Err(mismatch());
    }
    match redemptions::claim(&state.db.pool, &scope, &claims.n, &claims.o, state.clock.now_ms()).await? {
        redemptions::Claim::Done { http_status, response, .. } => {
            return Ok(Redemption { http_status: http_status as u16, body: serde_json::from_str(&response).unwrap_or(Value::Null) });
        }
        redemptions::Claim::Running => return Err(AppError::conflict("this offer token is being redeemed right now; retry in a moment")),
        redemptions::Claim::Claimed => {}
    }
    let result = run(state, &scope, &claims, &presenter, token).await;
    if !matches!(&result, Ok((true, _))) {
        redemptions::release(&state.db.pool, &scope, &claims.n).await?;
    }
    result.map(|(_, r)| r)
}

/// A workflow that threw or broke a limit: 422 `workflow_error`, naming the line when known.
fn workflow_error(failure: &crate::server::workflow::runtime::WorkflowFailure) -> AppError {
    let message = match failure.line {
        Some(l) => format!("{} (line {l})", failure.message),
        None => failure.message.clone(),
    };
    let mut e = AppError::new(ErrorCode::WorkflowError, message);
    if let Some(l) = failure.line {
        e.fields.insert("line".into(), l.to_string());
    }
    e
}

/// The caller's answer to a workflow that returned: its status code and the contract's body.
fn answer(r: &crate::server::workflow::runtime::WorkflowResult, event_id: &str) -> (u16, Value) {
    let status = r.status_code.unwrap_or(if r.success { 200 } else { 400 });
    let mut body = json!({
        "status": if r.success { "success" } else { "error" },
        "statusCode": status,
        "eventId": event_id,
    });
    if let Some(kind) = &r.action {
        body["action"] = json!({"type": kind, "properties": r.properties.clone().unwrap_or(json!({})), "url": r.url});
    }
    if !r.success {
        body["message"] = json!(r.message.clone().unwrap_or_else(|| "the redemption was declined".into()));
    }
    (status, body)
}

async fn run(state: &AppState, scope: &Scoped, claims: &tokens::OfferClaims, presenter: &crate::model::Identity, token: &str) -> AppResult<(bool, Redemption)> {
    let gone = || {
        AppError::new(
            ErrorCode::InvalidOfferToken,
            "the offer of this token is no longer available (archived, or removed from live by a deploy): ask for a new surface decision",
        )
    };
    let mut conn = state.db.pool.acquire().await?;
    let offer = db::offers::get(&mut conn, scope, &claims.o).await?.filter(|o| o.status == ProductStatus::Active).ok_or_else(gone)?;
    drop(conn);
    // The validity window is checked again now: a token minted inside it does not outlive it.
    let now_ms = state.clock.now_ms();
    let from = offer.valid_from.as_deref().and_then(db::rfc3339_to_ms);
    let until = offer.valid_until.as_deref().and_then(db::rfc3339_to_ms);
    if from.is_some_and(|f| now_ms < f) || until.is_some_and(|u| now_ms >= u) {
        return Err(AppError::new(ErrorCode::InvalidOfferToken, "the offer of this token is outside its validity window"));
    }
    let method = db::record::get::<crate::model::RedemptionMethod, _>(&state.db.pool, scope, &offer.redemption_method_id)
        .await?
        .filter(|m| m.status == ProductStatus::Active)
        .ok_or_else(gone)?;
    let (version, compiled) = current_workflow(state, scope, &method).await?;
    let offer_obj = workflow_offer(state, scope, &offer, &method, token).await?;
    let input = json!({"offer": offer_obj, "identity": presenter, "settings": method.settings});
    let host = Arc::new(StripeHost { state: state.clone(), scope: scope.clone() });
    // No slot within the queue wait: 429 before anything is recorded (the claim is released).
    let outcome = state.engine.run(scope.tenant_id(), &compiled, input, host).await?;
    let event_id = new_id("evt");
    let request = json!({"identity": presenter, "offerId": offer.id}).to_string();
    let logs = serde_json::to_string(&outcome.logs).unwrap_or_default();
    let event = |status: EventStatus, response: String| db::redemptions::NewEvent {
        id: &event_id,
        event_type: EventType::OfferRedemption,
        status,
        offer_id: Some(&offer.id),
        method_id: Some(&method.id),
        workflow_version: Some(version),
        identity_kind: Some(presenter.kind),
        identity: Some(&presenter.identifier),
        duration_ms: Some(outcome.duration_ms.round() as i64),
        request: Some(request.clone()),
        response: Some(response),
        logs: Some(logs.clone()),
    };
    match &outcome.result {
        Err(failure) => {
            let e = workflow_error(failure);
            redemptions::insert_event(&state.db.pool, scope, event(EventStatus::Failed, json!({"error": e.message}).to_string()), state.clock.now_ms()).await?;
            Err(e)
        }
        Ok(r) => {
            let (status, body) = answer(r, &event_id);
            let text = body.to_string();
            let mut tx = state.db.begin_write().await?;
            let at = state.clock.now_ms();
            redemptions::insert_event(&mut *tx, scope, event(if r.success { EventStatus::Succeeded } else { EventStatus::Declined }, text.clone()), at).await?;
            if r.success {
                redemptions::succeed(&mut *tx, scope, &claims.n, &event_id, status as i64, &text).await?;
                db::analytics::offer_redeemed(&mut tx, scope, &offer.id, at).await?;
                let data = json!({
                    "mode": scope.env().as_str(),
                    "eventId": event_id,
                    "offerId": offer.id,
                    "redemptionMethodId": method.id,
                    "identity": {"type": presenter.kind, "identifier": presenter.identifier},
                    "action": body.get("action"),
                });
                crate::server::services::webhooks::emit(&mut tx, scope, "offer.redeemed", data, state.clock.now_ms()).await?;
            }
            tx.commit().await?;
            if r.success {
                state.webhooks.kick();
            }
            Ok((r.success, Redemption { http_status: status, body }))
        }
    }
}
