//! Presentation schemas (fields and offer slots) and experiences (HTML, or app content checked
//! against a schema), each with priority-ordered offers per offer slot.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Experience, ExperienceInput, ExperienceKind, FieldType, PresentationSchema, PresentationSchemaInput, validate_key};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, audit, experiences as xdb, new_id};
use serde_json::Value;

/// Bounds of caller-sized lists (documented in the README's Limits).
pub const MAX_SCHEMA_FIELDS: usize = 100;
pub const MAX_OFFER_SLOTS: usize = 20;
pub const MAX_OFFERS_PER_SLOT: usize = 50;

fn check_schema(input: &PresentationSchemaInput) -> AppResult<()> {
    let mut e = FieldErrors::new();
    if input.name.trim().is_empty() {
        e.add("name", "is required");
    }
    if input.fields.len() > MAX_SCHEMA_FIELDS {
        return Err(AppError::field("fields", format!("at most {MAX_SCHEMA_FIELDS} fields")));
    }
    if input.offer_slots.len() > MAX_OFFER_SLOTS {
        return Err(AppError::field("offerSlots", format!("at most {MAX_OFFER_SLOTS} offer slots")));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, f) in input.fields.iter().enumerate() {
        validate_key(&f.key, &format!("fields[{i}].key"), &mut e);
        if !seen.insert(f.key.as_str()) {
            e.add(&format!("fields[{i}].key"), "is used twice");
        }
        if f.label.trim().is_empty() {
            e.add(&format!("fields[{i}].label"), "is required");
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, s) in input.offer_slots.iter().enumerate() {
        validate_key(s, &format!("offerSlots[{i}]"), &mut e);
        if !seen.insert(s.as_str()) {
            e.add(&format!("offerSlots[{i}]"), "is used twice");
        }
    }
    e.into_result()
}

pub async fn save_schema(state: &AppState, actor: &Actor, id: Option<&str>, input: PresentationSchemaInput) -> AppResult<PresentationSchema> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    check_schema(&input)?;
    if let Some(id) = id {
        xdb::get_schema(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("presentation schema"))?;
    }
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("psch"));
    let fields = serde_json::to_string(&input.fields).map_err(|e| crate::server::internal("schema json", e))?;
    let slots = serde_json::to_string(&input.offer_slots).map_err(|e| crate::server::internal("schema json", e))?;
    let mut tx = state.db.begin_write().await?;
    if !xdb::upsert_schema(&mut *tx, scope, &id, input.name.trim(), &fields, &slots).await? {
        return Err(AppError::not_found("presentation schema"));
    }
    audit::record(
        &mut *tx,
        audit::Entry {
            scope: Some(scope),
            actor: &actor.label(),
            action: "presentation_schema.saved",
            object_type: "presentation_schema",
            object_id: &id,
            details: None,
        },
    )
    .await?;
    let s = xdb::get_schema(&mut *tx, scope, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get_schema(state: &AppState, actor: &Actor, id: &str) -> AppResult<PresentationSchema> {
    let scope = actor.authorize(Permission::TenantRead)?;
    xdb::get_schema(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("presentation schema"))
}

pub async fn list_schemas(state: &AppState, actor: &Actor) -> AppResult<Vec<PresentationSchema>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(xdb::list_schemas(&state.db.pool, scope).await?)
}

/// One page of presentation schemas, newest first (`/api/v1/presentation-schemas`).
pub async fn page_schemas(
    state: &AppState,
    actor: &Actor,
    starting_after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<crate::model::Page<PresentationSchema>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::products::page_limit(limit)?;
    let (data, has_more) = xdb::page_schemas(&state.db.pool, scope, super::products::cursor(starting_after), limit).await?;
    Ok(crate::model::Page { data, has_more })
}

/// Refused, naming them, while experiences use the schema.
pub async fn delete_schema(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let mut tx = state.db.begin_write().await?;
    let users = xdb::experiences_using_schema(&mut *tx, scope, id).await?;
    if !users.is_empty() {
        return Err(AppError::conflict(format!("the schema is used by these experiences: {}", users.join(", "))));
    }
    if !xdb::delete_schema(&mut *tx, scope, id).await? {
        return Err(AppError::not_found("presentation schema"));
    }
    audit::record(
        &mut *tx,
        audit::Entry {
            scope: Some(scope),
            actor: &actor.label(),
            action: "presentation_schema.deleted",
            object_type: "presentation_schema",
            object_id: id,
            details: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_experience(state: &AppState, actor: &Actor, id: Option<&str>, input: ExperienceInput) -> AppResult<Experience> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    if let Some(id) = id {
        xdb::get_experience(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("experience"))?;
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
            Some(sid) => match xdb::get_schema(&state.db.pool, scope, sid).await? {
                None => e.add("schemaId", "no such presentation schema in this environment"),
                Some(schema) => {
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
                                    e.add(
                                        &field,
                                        format!(
                                            "must be a {}",
                                            serde_json::to_value(f.field_type).ok().and_then(|t| t.as_str().map(str::to_string)).unwrap_or_default()
                                        ),
                                    );
                                }
                            }
                        }
                    }
                    let known: std::collections::HashSet<&str> = schema.fields.iter().map(|f| f.key.as_str()).collect();
                    for k in obj.keys() {
                        if !known.contains(k.as_str()) {
                            e.add(&format!("content.{k}"), "is not a field of the schema");
                        }
                    }
                    allowed_slots = Some(schema.offer_slots.clone());
                }
            },
        },
    }
    if offers.len() > MAX_OFFER_SLOTS {
        return Err(AppError::field("offers", format!("at most {MAX_OFFER_SLOTS} offer slots")));
    }
    for (slot, ids) in &offers {
        if ids.len() > MAX_OFFERS_PER_SLOT {
            return Err(AppError::field(&format!("offers.{slot}"), format!("at most {MAX_OFFERS_PER_SLOT} offers per slot")));
        }
    }
    for (slot, ids) in &offers {
        validate_key(slot, &format!("offers.{slot}"), &mut e);
        if let Some(allowed) = &allowed_slots
            && !allowed.contains(slot)
        {
            e.add(&format!("offers.{slot}"), "is not an offer slot of the schema");
        }
        for oid in ids {
            let mut conn = state.db.pool.acquire().await?;
            if db::offers::get(&mut conn, scope, oid).await?.is_none() {
                e.add(&format!("offers.{slot}"), format!("{oid} is not an offer in this environment"));
            }
        }
    }
    e.into_result()?;
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("exp"));
    let content_s = content.to_string();
    let offers_s = serde_json::to_string(&offers).map_err(|e| crate::server::internal("experience json", e))?;
    let mut tx = state.db.begin_write().await?;
    let saved = xdb::upsert_experience(
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
        },
    )
    .await?;
    if !saved {
        return Err(AppError::not_found("experience"));
    }
    audit::record(
        &mut *tx,
        audit::Entry { scope: Some(scope), actor: &actor.label(), action: "experience.saved", object_type: "experience", object_id: &id, details: None },
    )
    .await?;
    let x = xdb::get_experience(&mut *tx, scope, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(x)
}

pub async fn get_experience(state: &AppState, actor: &Actor, id: &str) -> AppResult<Experience> {
    let scope = actor.authorize(Permission::TenantRead)?;
    xdb::get_experience(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("experience"))
}

pub async fn list_experiences(state: &AppState, actor: &Actor) -> AppResult<Vec<Experience>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(xdb::list_experiences(&state.db.pool, scope).await?)
}

/// One page of experiences, newest first (`/api/v1/experiences`).
pub async fn page_experiences(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<crate::model::Page<Experience>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::products::page_limit(limit)?;
    let (data, has_more) = xdb::page_experiences(&state.db.pool, scope, super::products::cursor(starting_after), limit).await?;
    Ok(crate::model::Page { data, has_more })
}

/// Moves, removes or adds one offer in an experience's priority list for `slot`:
/// `op` is `up`, `down`, `remove` or `add`. The result is saved through `save_experience`, so
/// the same rules apply (the offer must exist here, the slot must be the schema's).
pub async fn arrange_offer(state: &AppState, actor: &Actor, id: &str, slot: &str, offer_id: &str, op: &str) -> AppResult<Experience> {
    actor.require(Permission::TenantWrite)?;
    let x = get_experience(state, actor, id).await?;
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
    save_experience(state, actor, Some(id), input).await
}

/// Deletes an experience that no surface uses; refused, naming them, otherwise.
pub async fn delete_experience(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let mut tx = state.db.begin_write().await?;
    xdb::get_experience(&mut *tx, scope, id).await?.ok_or_else(|| AppError::not_found("experience"))?;
    let users: Vec<String> = db::surfaces::list(&mut *tx, scope)
        .await?
        .into_iter()
        .filter(|s| s.slots.iter().any(|sl| sl.experience_id.as_deref() == Some(id)))
        .map(|s| s.name)
        .collect();
    if !users.is_empty() {
        return Err(AppError::conflict(format!("the experience is used by these surfaces: {}", users.join(", "))));
    }
    xdb::delete_experience(&mut *tx, scope, id).await?;
    audit::record(
        &mut *tx,
        audit::Entry { scope: Some(scope), actor: &actor.label(), action: "experience.deleted", object_type: "experience", object_id: id, details: None },
    )
    .await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(())
}
