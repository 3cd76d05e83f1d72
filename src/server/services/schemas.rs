//! Presentation schemas: the fields an app experience's content has, and its offer slots.
//! Both doors save through [`save`]; the dashboard's form through [`save_form`].
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{FieldType, PresentationSchema, PresentationSchemaInput, SchemaField, validate_key};
use crate::server::AppState;
use crate::server::auth::Actor;
use crate::server::db::{self, audit, new_id, record};
use crate::server::services::forms::{nth, remap_rows};
use crate::server::services::records;
use crate::server_fns::schemas::SchemaForm;

/// Bounds of caller-sized lists (documented in the README's Limits).
pub const MAX_SCHEMA_FIELDS: usize = 100;
pub const MAX_OFFER_SLOTS: usize = 20;

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

pub async fn save(state: &AppState, actor: &Actor, id: Option<&str>, input: PresentationSchemaInput) -> AppResult<PresentationSchema> {
    let scope = super::versions::config_scope(state, actor).await?;
    check_schema(&input)?;
    if let Some(id) = id {
        record::get::<PresentationSchema, _>(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("presentation schema"))?;
    }
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("psch"));
    let fields = serde_json::to_string(&input.fields).map_err(|e| crate::server::internal("schema json", e))?;
    let slots = serde_json::to_string(&input.offer_slots).map_err(|e| crate::server::internal("schema json", e))?;
    let mut tx = state.db.begin_write().await?;
    let s = db::schemas::upsert(&mut *tx, scope, &id, input.name.trim(), (&fields, &slots), state.clock.now_ms())
        .await?
        .ok_or_else(|| AppError::not_found("presentation schema"))?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "presentation_schema.saved", "presentation_schema", &id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<PresentationSchema> {
    records::get(state, actor, id, "presentation schema").await
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<PresentationSchema>> {
    records::all(state, actor).await
}

/// One page of presentation schemas, newest first (`/api/v1/presentation-schemas`).
pub async fn page(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<crate::model::Page<PresentationSchema>> {
    records::page(state, actor, starting_after, limit).await
}

/// Refused, naming them, while experiences use the schema.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = super::versions::config_scope(state, actor).await?;
    let mut tx = state.db.begin_write().await?;
    let users = db::schemas::used_by(&mut *tx, scope, id).await?;
    if !users.is_empty() {
        return Err(AppError::conflict(format!("the schema is used by these experiences: {}", users.join(", "))));
    }
    if !record::delete::<PresentationSchema, _>(&mut *tx, scope, id).await? {
        return Err(AppError::not_found("presentation schema"));
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "presentation_schema.deleted", "presentation_schema", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// The dashboard's schema form: rows typed as text, blank rows skipped (field errors name the
/// rows as typed), slots comma-separated. An empty `id` creates a schema.
pub async fn save_form(state: &AppState, actor: &Actor, form: SchemaForm) -> AppResult<PresentationSchema> {
    let rows = form.field_keys.as_ref().map(Vec::len).unwrap_or(0);
    let mut fields = Vec::new();
    let mut used_rows = Vec::new();
    for i in 0..rows {
        let key = nth(&form.field_keys, i);
        let label = nth(&form.field_labels, i);
        if key.is_empty() && label.is_empty() {
            continue;
        }
        let field_type = match nth(&form.field_types, i).as_str() {
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "text" => FieldType::Text,
            _ => FieldType::String,
        };
        fields.push(SchemaField { key, field_type, label, required: nth(&form.field_required, i) == "required" });
        used_rows.push(i);
    }
    let offer_slots = form.offer_slots.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let input = PresentationSchemaInput { name: form.name, fields, offer_slots };
    let existing = Some(form.id.as_str()).filter(|s| !s.is_empty());
    save(state, actor, existing, input).await.map_err(|e| remap_rows(e, "fields", &used_rows))
}
