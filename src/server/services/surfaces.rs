//! Surfaces (named places in the merchant's product with experience slots) and surface
//! decisions: for each slot its experience and, per offer slot, the highest-priority offer
//! eligible now for this identity, with a fresh signed offer token.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Audience, Experience, ExperienceKind, Identity, IdentityInput, Offer, ProductStatus, Surface, SurfaceInput, validate_key, validate_slug};
use crate::server::auth::{Actor, KeyKind, Permission, Principal};
use crate::server::db::{self, audit, experiences as xdb, new_id, now_ms, surfaces as sdb};
use crate::server::{AppState, is_unique_violation, tokens};
use serde_json::{Value, json};

pub async fn save(state: &AppState, actor: &Actor, id: Option<&str>, input: SurfaceInput) -> AppResult<Surface> {
    actor.require(Permission::TenantWrite)?;
    let scope = actor.scope()?;
    if let Some(id) = id {
        sdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("surface"))?;
    }
    let mut e = FieldErrors::new();
    if input.name.trim().is_empty() {
        e.add("name", "is required");
    }
    let slug = input.slug.trim().to_string();
    validate_slug(&slug, &mut e);
    for (i, s) in input.slots.iter().enumerate() {
        validate_key(&s.key, &format!("slots[{i}].key"), &mut e);
        if input.slots[..i].iter().any(|t| t.key == s.key) {
            e.add(&format!("slots[{i}].key"), "is used twice");
        }
        if let Some(xid) = s.experience_id.as_deref().filter(|x| !x.is_empty()) {
            if xdb::get_experience(&state.db.pool, scope, xid).await?.is_none() {
                e.add(&format!("slots[{i}].experienceId"), "no such experience in this environment");
            }
        }
    }
    e.into_result()?;
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("srf"));
    let slots = serde_json::to_string(&input.slots).map_err(|e| crate::server::internal("surface json", e))?;
    let mut tx = state.db.pool.begin().await?;
    match sdb::upsert(&mut *tx, scope, &id, input.name.trim(), &slug, &slots).await {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("slug", "is already used by another surface in this environment")),
        other => other?,
    }
    audit::record(&mut *tx, audit::Entry { scope: Some(scope), actor: &actor.label(), action: "surface.saved", object_type: "surface", object_id: &id, details: None }).await?;
    let s = sdb::get(&mut *tx, scope, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Surface> {
    actor.require(Permission::TenantRead)?;
    sdb::get(&state.db.pool, actor.scope()?, id).await?.ok_or_else(|| AppError::not_found("surface"))
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Surface>> {
    actor.require(Permission::TenantRead)?;
    Ok(sdb::list(&state.db.pool, actor.scope()?).await?)
}

/// Why a candidate offer was or was not presented (the `debug` answer).
fn instant_ms(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).ok().map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn eligibility(offer: Option<&Offer>, identity: &Identity, now: i64) -> Result<(), &'static str> {
    let Some(o) = offer else { return Err("no such offer") };
    if o.status != ProductStatus::Active {
        return Err("archived");
    }
    let from = o.valid_from.as_deref().and_then(instant_ms);
    let until = o.valid_until.as_deref().and_then(instant_ms);
    if from.is_some_and(|f| f > now) || until.is_some_and(|u| u <= now) {
        return Err("outside its validity window");
    }
    match (o.audience, identity.kind.as_str()) {
        (Audience::Anonymous, "authenticated") | (Audience::Authenticated, "anonymous") => Err("wrong audience"),
        _ => Ok(()),
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Fills `{{offer.title}}`, `{{offer.price}}`, `{{offer.description}}`, `{{offer.token}}` and
/// `{{offer.id}}` with HTML-escaped values.
fn fill_html(html: &str, offer: Option<&Value>) -> String {
    let get = |k: &str| -> String {
        offer
            .and_then(|o| match k {
                "title" | "price" | "description" => o["presentation"][k].as_str(),
                _ => o[k].as_str(),
            })
            .map(escape_html)
            .unwrap_or_default()
    };
    let mut out = html.to_string();
    for k in ["title", "price", "description", "token", "id"] {
        out = out.replace(&format!("{{{{offer.{k}}}}}"), &get(k));
    }
    out
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionIn {
    pub surface_slug: String,
    pub identity: IdentityInput,
    /// Secret keys only: explains, per offer slot, why each candidate was or was not presented.
    #[serde(default)]
    pub debug: bool,
}

pub async fn decide(state: &AppState, actor: &Actor, input: DecisionIn) -> AppResult<Value> {
    let publishable = matches!(actor.principal, Principal::ApiKey { kind: KeyKind::Publishable, .. });
    if !publishable {
        actor.require(Permission::TenantRead)?;
    }
    let scope = actor.scope()?.clone();
    if publishable && input.identity.user_identifier.is_some() {
        return Err(AppError::new(crate::error::ErrorCode::Forbidden, "a publishable key cannot name a user: use anonymousIdentifier or a secret key"));
    }
    if publishable && input.debug {
        return Err(AppError::new(crate::error::ErrorCode::Forbidden, "debug needs a secret key"));
    }
    let identity = input.identity.resolve(|| format!("anon_{}", uuid::Uuid::new_v4().simple()))?;
    let surface = sdb::by_slug(&state.db.pool, &scope, input.surface_slug.trim()).await?.ok_or_else(|| AppError::not_found("surface"))?;
    let ttl = sdb::token_ttl_seconds(&state.db.pool, &scope.tenant_id).await?;
    let now_ms = now_ms();
    let mut first_offer: Option<Value> = None;
    let mut slots_out = Vec::new();
    let mut presented_ids = Vec::new();
    for slot in &surface.slots {
        let experience: Option<Experience> = match slot.experience_id.as_deref() {
            Some(x) => xdb::get_experience(&state.db.pool, &scope, x).await?,
            None => None,
        };
        let mut offers_out = Vec::new();
        let mut debug_out = serde_json::Map::new();
        if let Some(x) = &experience {
            for (offer_slot, candidates) in &x.offers {
                let mut chosen = false;
                let mut reasons = Vec::new();
                for oid in candidates {
                    let mut conn = state.db.pool.acquire().await?;
                    let offer = db::offers::get(&mut conn, &scope, oid).await?;
                    drop(conn);
                    let verdict = if chosen { Err("lower priority") } else { eligibility(offer.as_ref(), &identity, now_ms) };
                    reasons.push(json!({"offerId": oid, "presented": verdict.is_ok(), "reason": verdict.err()}));
                    if let (Ok(()), Some(o)) = (verdict, offer) {
                        chosen = true;
                        let method = db::methods::get(&state.db.pool, &scope, &o.redemption_method_id).await?;
                        let token = tokens::mint(&state.config.secret_key, &scope, &o.id, &identity, ttl, now_ms / 1000);
                        let presented = json!({
                            "id": o.id,
                            "presentation": o.presentation,
                            "redemptionSchema": method.map(|m| m.redemption_schema).unwrap_or_default(),
                            "token": token,
                        });
                        presented_ids.push(o.id.clone());
                        if first_offer.is_none() {
                            first_offer = Some(presented.clone());
                        }
                        offers_out.push(presented);
                    }
                }
                debug_out.insert(offer_slot.clone(), Value::Array(reasons));
            }
        }
        let experience_out = experience.as_ref().map(|x| {
            let content = match x.kind {
                ExperienceKind::Html => Value::String(fill_html(x.html.as_deref().unwrap_or(""), offers_out.first())),
                ExperienceKind::App => x.content.clone(),
            };
            json!({"id": x.id, "type": if x.kind == ExperienceKind::App { "app" } else { "html" }, "content": content})
        });
        let mut slot_out = json!({"key": slot.key, "facet": slot.facet, "experience": experience_out, "offers": offers_out});
        if input.debug {
            slot_out["debug"] = Value::Object(debug_out);
        }
        slots_out.push(slot_out);
    }
    let event_id = new_id("evt");
    db::redemptions::insert_event(
        &state.db.pool,
        &scope,
        db::redemptions::NewEvent {
            id: &event_id,
            event_type: "surface.decision",
            status: if presented_ids.is_empty() { "empty" } else { "presented" },
            offer_id: presented_ids.first().map(String::as_str),
            method_id: None,
            workflow_version: None,
            identity_kind: Some(&identity.kind),
            identity: Some(&identity.identifier),
            duration_ms: None,
            request: Some(json!({"surfaceSlug": surface.slug}).to_string()),
            response: Some(json!({"presented": presented_ids}).to_string()),
            logs: None,
        },
    )
    .await?;
    let authenticated = identity.kind == "authenticated";
    Ok(json!({
        "status": "success",
        "statusCode": 200,
        "eventId": event_id,
        "identity": {"authType": if authenticated { "provided" } else { "anonymous" }, "identifier": identity.identifier, "isAuthenticated": authenticated},
        "offer": first_offer,
        "slots": slots_out,
    }))
}


#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn html_placeholders_are_escaped() {
        let offer = json!({"id": "off_1", "token": "t.k", "presentation": {"title": "<b>Pro</b> & more", "price": "£10.00"}});
        let out = fill_html("<h2>{{offer.title}}</h2><p>{{offer.price}}</p><a data-t=\"{{offer.token}}\">{{offer.description}}</a>", Some(&offer));
        assert_eq!(out, "<h2>&lt;b&gt;Pro&lt;/b&gt; &amp; more</h2><p>£10.00</p><a data-t=\"t.k\"></a>");
    }
}
