//! Experiences: HTML, or app content checked against a presentation schema, each with
//! priority-ordered offers per offer slot. Both doors save through [`save`]; the dashboard's
//! form (content typed as text, kind and schema fixed once created) through [`save_form`].
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Experience, ExperienceDetail, ExperienceInput, ExperienceKind, ExperiencesData, FieldType, validate_key};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, audit, experiences as xdb, new_id, record};
use crate::server::services::schemas::{self, MAX_OFFER_SLOTS};
use crate::server::services::{offers, records};
use crate::server_fns::experiences::ExperienceForm;
use serde_json::Value;

/// Bounds of caller-sized lists (documented in the README's Limits).
pub const MAX_OFFERS_PER_SLOT: usize = 50;

/// The offer slots of an HTML experience: `primary`, then any other slot it already fills.
pub fn html_slots(x: Option<&Experience>) -> Vec<String> {
    let mut v = vec!["primary".to_string()];
    for k in x.iter().flat_map(|x| x.offers.keys()) {
        if !v.contains(k) {
            v.push(k.clone());
        }
    }
    v
}

/// A kind as the dashboard posts it: `app`, else HTML.
fn form_kind(kind: &str) -> ExperienceKind {
    if kind == "app" { ExperienceKind::App } else { ExperienceKind::Html }
}

pub async fn save(state: &AppState, actor: &Actor, id: Option<&str>, input: ExperienceInput) -> AppResult<Experience> {
    let scope = super::versions::config_scope(state, actor).await?;
    if let Some(id) = id {
        record::get::<Experience, _>(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("experience"))?;
    }
    let mut e = FieldErrors::new();
    if input.name.trim().is_empty() {
        e.add("name", "is required");
    }
    let content = input.content.clone().unwrap_or(Value::Object(Default::default()));
    let offers = input.offers.clone().unwrap_or_default();
    let mut allowed_slots: Option<Vec<String>> = None;
    match input.kind {
        ExperienceKind::Html => {
            let html = input.html.as_deref().unwrap_or("");
            if html.trim().is_empty() {
                e.add("html", "is required for an HTML experience");
            } else if html.len() > 200_000 {
                e.add("html", "must be at most 200 000 bytes");
            }
        }
        ExperienceKind::App => match input.schema_id.as_deref() {
            None | Some("") => e.add("schemaId", "is required for an app experience"),
            Some(sid) => match record::get::<crate::model::PresentationSchema, _>(&state.db.pool, scope, sid).await? {
                None => e.add("schemaId", "no such presentation schema in this environment"),
                Some(schema) => {
                    check_content(&schema, &content, &mut e);
                    allowed_slots = Some(schema.offer_slots.clone());
                }
            },
        },
    }
    check_offers(state, scope, &offers, allowed_slots.as_deref(), &mut e).await?;
    e.into_result()?;
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("exp"));
    let content_s = content.to_string();
    let offers_s = serde_json::to_string(&offers).map_err(|e| crate::server::internal("experience json", e))?;
    let mut tx = state.db.begin_write().await?;
    let x = xdb::upsert(
        &mut *tx,
        scope,
        xdb::ExperienceRow {
            id: &id,
            name: input.name.trim(),
            kind: input.kind,
            html: input.html.as_deref().filter(|_| input.kind == ExperienceKind::Html),
            schema_id: input.schema_id.as_deref().filter(|_| input.kind == ExperienceKind::App),
            content: &content_s,
            offers: &offers_s,
            now: state.clock.now_ms(),
        },
    )
    .await?
    .ok_or_else(|| AppError::not_found("experience"))?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "experience.saved", "experience", &id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(x)
}

/// App content against its schema: every required field present, each of its field's type,
/// nothing the schema does not name.
fn check_content(schema: &crate::model::PresentationSchema, content: &Value, e: &mut FieldErrors) {
    let obj = content.as_object().cloned().unwrap_or_default();
    if !content.is_object() {
        e.add("content", "must be an object");
    }
    for f in &schema.fields {
        let field = format!("content.{}", f.key);
        match obj.get(&f.key) {
            None | Some(Value::Null) if f.required => e.add(&field, "is required"),
            None | Some(Value::Null) => {}
            Some(v) => {
                let ok = match f.field_type {
                    FieldType::String | FieldType::Text => v.is_string(),
                    FieldType::Number => v.is_number(),
                    FieldType::Boolean => v.is_boolean(),
                };
                if !ok {
                    e.add(&field, format!("must be a {}", f.field_type.as_str()));
                }
            }
        }
    }
    let known: std::collections::HashSet<&str> = schema.fields.iter().map(|f| f.key.as_str()).collect();
    for k in obj.keys().filter(|k| !known.contains(k.as_str())) {
        e.add(&format!("content.{k}"), "is not a field of the schema");
    }
}

/// The offer slots: bounded, valid keys, slots of the schema (app experiences), and offers of
/// this environment. A list over a bound fails at once, before any offer is looked up.
async fn check_offers(
    state: &AppState,
    scope: &db::Scoped,
    offers: &std::collections::BTreeMap<String, Vec<String>>,
    allowed: Option<&[String]>,
    e: &mut FieldErrors,
) -> AppResult<()> {
    if offers.len() > MAX_OFFER_SLOTS {
        return Err(AppError::field("offers", format!("at most {MAX_OFFER_SLOTS} offer slots")));
    }
    if let Some((slot, _)) = offers.iter().find(|(_, ids)| ids.len() > MAX_OFFERS_PER_SLOT) {
        return Err(AppError::field(&format!("offers.{slot}"), format!("at most {MAX_OFFERS_PER_SLOT} offers per slot")));
    }
    let mut conn = state.db.pool.acquire().await?;
    for (slot, ids) in offers {
        validate_key(slot, &format!("offers.{slot}"), e);
        if allowed.is_some_and(|a| !a.contains(slot)) {
            e.add(&format!("offers.{slot}"), "is not an offer slot of the schema");
        }
        for oid in ids {
            if db::offers::get(&mut conn, scope, oid).await?.is_none() {
                e.add(&format!("offers.{slot}"), format!("{oid} is not an offer in this environment"));
            }
        }
    }
    Ok(())
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Experience> {
    records::get(state, actor, id, "experience").await
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Experience>> {
    records::all(state, actor).await
}

/// One page of experiences, newest first (`/api/v1/experiences`).
pub async fn page(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<crate::model::Page<Experience>> {
    records::page(state, actor, starting_after, limit).await
}

/// Moves, removes or adds one offer in an experience's priority list for `slot`:
/// `op` is `up`, `down`, `remove` or `add`. The result is saved through [`save`], so
/// the same rules apply (the offer must exist here, the slot must be the schema's).
pub async fn arrange_offer(state: &AppState, actor: &Actor, id: &str, slot: &str, offer_id: &str, op: &str) -> AppResult<Experience> {
    actor.require(Permission::TenantWrite)?;
    let x = get(state, actor, id).await?;
    let mut offers = x.offers.clone();
    let list = offers.entry(slot.to_string()).or_default();
    let pos = list.iter().position(|o| o == offer_id);
    match (op, pos) {
        ("up", Some(i)) if i > 0 => list.swap(i, i - 1),
        ("down", Some(i)) if i + 1 < list.len() => list.swap(i, i + 1),
        ("up" | "down", Some(_)) => {}
        ("remove", Some(i)) => {
            list.remove(i);
        }
        ("add", None) if !offer_id.is_empty() => list.push(offer_id.to_string()),
        ("add", Some(_)) => return Err(AppError::field("offer_id", "is already in this slot")),
        ("add", None) => return Err(AppError::field("offer_id", "choose an offer")),
        _ => return Err(AppError::not_found("offer in this slot")),
    }
    let input = ExperienceInput { name: x.name, kind: x.kind, html: x.html, schema_id: x.schema_id, content: Some(x.content), offers: Some(offers) };
    save(state, actor, Some(id), input).await
}

/// Deletes an experience that no surface uses; refused, naming them, otherwise.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = super::versions::config_scope(state, actor).await?;
    let mut tx = state.db.begin_write().await?;
    record::get::<Experience, _>(&mut *tx, scope, id).await?.ok_or_else(|| AppError::not_found("experience"))?;
    let users: Vec<String> = record::all::<crate::model::Surface, _>(&mut *tx, scope, "")
        .await?
        .into_iter()
        .filter(|s| s.slots.iter().any(|sl| sl.experience_id.as_deref() == Some(id)))
        .map(|s| s.name)
        .collect();
    if !users.is_empty() {
        return Err(AppError::conflict(format!("the experience is used by these surfaces: {}", users.join(", "))));
    }
    record::delete::<Experience, _>(&mut *tx, scope, id).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "experience.deleted", "experience", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(())
}

/// The experiences list of the dashboard, with the schema names (id, name).
pub async fn dashboard_page(state: &AppState, actor: &Actor) -> AppResult<ExperiencesData> {
    let experiences = list(state, actor).await?;
    let schemas = schemas::list(state, actor).await?.into_iter().map(|s| (s.id, s.name)).collect();
    Ok(ExperiencesData { experiences, schemas })
}

/// An experience with its editor's data: its schema, the offers it may show, and its offer
/// slots (the schema's, or for HTML `primary` and those it fills). `id` "new" with `kind` and
/// `schema_id` opens a new one; an app experience needs a schema.
pub async fn editor(state: &AppState, actor: &Actor, id: &str, kind: &str, schema_id: &str) -> AppResult<ExperienceDetail> {
    let experience = if id == "new" { None } else { Some(get(state, actor, id).await?) };
    let kind = experience.as_ref().map(|x| x.kind).unwrap_or_else(|| form_kind(kind));
    let schema_id = experience.as_ref().and_then(|x| x.schema_id.clone()).unwrap_or_else(|| schema_id.to_string());
    let schema = match kind {
        ExperienceKind::App if !schema_id.is_empty() => Some(schemas::get(state, actor, &schema_id).await?),
        ExperienceKind::App => return Err(AppError::field("schemaId", "choose a presentation schema for an app experience")),
        ExperienceKind::Html => None,
    };
    let offers = offers::list(state, actor, None, Some(100))
        .await?
        .data
        .into_iter()
        .map(|o| (o.id, o.name, serde_json::to_value(&o.presentation).unwrap_or_default()))
        .collect();
    let slots = match &schema {
        Some(s) => s.offer_slots.clone(),
        None => html_slots(experience.as_ref()),
    };
    Ok(ExperienceDetail { experience, kind, schema, offers, slots })
}

/// The dashboard's experience form: an empty `id` creates one with the posted kind and schema;
/// an existing one keeps its kind, schema and offer lists. App content arrives as text and is
/// typed by the schema (a checkbox is `true` or absent) before [`save`] checks it.
pub async fn save_form(state: &AppState, actor: &Actor, form: ExperienceForm) -> AppResult<Experience> {
    let existing = Some(form.id.as_str()).filter(|s| !s.is_empty());
    let current = match existing {
        Some(id) => Some(get(state, actor, id).await?),
        None => None,
    };
    let kind = current.as_ref().map(|x| x.kind).unwrap_or_else(|| form_kind(&form.kind));
    let schema_id = current.as_ref().and_then(|x| x.schema_id.clone()).unwrap_or(form.schema_id);
    let mut content = serde_json::Map::new();
    if kind == ExperienceKind::App && !schema_id.is_empty() {
        let schema = schemas::get(state, actor, &schema_id).await?;
        let values = form.content.unwrap_or_default();
        let mut e = FieldErrors::new();
        for f in &schema.fields {
            let raw = values.get(&f.key).map(|s| s.trim().to_string()).unwrap_or_default();
            let v = match f.field_type {
                FieldType::Boolean => Some(Value::Bool(raw == "true" || raw == "on")),
                _ if raw.is_empty() => None,
                FieldType::Number => match raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    Some(n) => Some(Value::Number(n)),
                    None => {
                        e.add(&format!("content.{}", f.key), "must be a number");
                        None
                    }
                },
                _ => Some(Value::String(raw)),
            };
            if let Some(v) = v {
                content.insert(f.key.clone(), v);
            }
        }
        e.into_result()?;
    }
    let input = ExperienceInput {
        name: form.name,
        kind,
        html: form.html.filter(|_| kind == ExperienceKind::Html),
        schema_id: Some(schema_id).filter(|s| !s.is_empty()),
        content: Some(Value::Object(content)),
        offers: Some(current.map(|x| x.offers).unwrap_or_default()),
    };
    save(state, actor, existing, input).await
}
