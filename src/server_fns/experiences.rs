//! Presentation schemas, experiences, surfaces and events on the dashboard, through
//! `services::{experiences, surfaces, redemptions}`. Repeated rows (schema fields, surface
//! slots) arrive as parallel indexed lists; blank rows are ignored.
use crate::error::AppError;
use crate::model::{Event, EventsData, ExperienceDetail, ExperiencesData, OfferStats, PresentationSchema, Surface, SurfacesData};
use leptos::prelude::*;
use std::collections::HashMap;

#[cfg(feature = "ssr")]
fn nth(v: &Option<Vec<String>>, i: usize) -> String {
    v.as_ref().and_then(|v| v.get(i)).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// Field errors name filtered rows (`fields[1].key`); the form shows rows as typed.
#[cfg(feature = "ssr")]
fn remap_rows(mut e: AppError, prefix: &str, rows: &[usize]) -> AppError {
    let fields = std::mem::take(&mut e.fields);
    for (k, v) in fields {
        let key = match k.strip_prefix(&format!("{prefix}[")).and_then(|r| r.split_once(']')) {
            Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| rows.get(n)) {
                Some(row) => format!("{prefix}[{row}]{rest}"),
                None => k,
            },
            None => k,
        };
        e.fields.insert(key, v);
    }
    e
}

#[server(prefix = "/sfn", endpoint = "schemas/list")]
pub async fn list_schemas() -> Result<Vec<PresentationSchema>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::experiences::list_schemas(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "schemas/get")]
pub async fn get_schema(id: String) -> Result<PresentationSchema, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::experiences::get_schema(&state, &actor, &id).await)
}

/// Creates (empty `id`) or replaces a schema.
#[server(prefix = "/sfn", endpoint = "schemas/save")]
pub async fn save_schema(
    id: String,
    name: String,
    field_keys: Option<Vec<String>>,
    field_types: Option<Vec<String>>,
    field_labels: Option<Vec<String>>,
    field_required: Option<Vec<String>>,
    offer_slots: String,
) -> Result<PresentationSchema, AppError> {
    use crate::model::{FieldType, PresentationSchemaInput, SchemaField};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let rows = field_keys.as_ref().map(Vec::len).unwrap_or(0);
    let mut fields = Vec::new();
    let mut used_rows = Vec::new();
    for i in 0..rows {
        let key = nth(&field_keys, i);
        let label = nth(&field_labels, i);
        if key.is_empty() && label.is_empty() {
            continue;
        }
        let field_type = match nth(&field_types, i).as_str() {
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "text" => FieldType::Text,
            _ => FieldType::String,
        };
        fields.push(SchemaField { key, field_type, label, required: nth(&field_required, i) == "required" });
        used_rows.push(i);
    }
    let offer_slots = offer_slots.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let input = PresentationSchemaInput { name, fields, offer_slots };
    let existing = Some(id.as_str()).filter(|s| !s.is_empty());
    let saved = crate::server::services::experiences::save_schema(&state, &actor, existing, input).await.map_err(|e| remap_rows(e, "fields", &used_rows));
    let saved = ctx::finish(saved)?;
    if existing.is_none() {
        leptos_axum::redirect(&format!("/experiences/schemas/{}", saved.id));
    }
    Ok(saved)
}

#[server(prefix = "/sfn", endpoint = "schemas/delete")]
pub async fn delete_schema(id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::experiences::delete_schema(&state, &actor, &id).await)?;
    leptos_axum::redirect("/experiences/schemas");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "experiences/list")]
pub async fn list_experiences() -> Result<ExperiencesData, AppError> {
    use crate::server::services::experiences as xs;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let experiences = ctx::finish(xs::list_experiences(&state, &actor).await)?;
    let schemas = xs::list_schemas(&state, &actor).await?.into_iter().map(|s| (s.id, s.name)).collect();
    Ok(ExperiencesData { experiences, schemas })
}

/// An experience and its editor's data; `id` "new" with `kind` and `schema_id` for a new one.
#[server(prefix = "/sfn", endpoint = "experiences/get")]
pub async fn get_experience(id: String, kind: String, schema_id: String) -> Result<ExperienceDetail, AppError> {
    use crate::model::ExperienceKind;
    use crate::server::services::{experiences as xs, offers};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let experience = if id == "new" { None } else { Some(ctx::finish(xs::get_experience(&state, &actor, &id).await)?) };
    let kind = match (&experience, kind.as_str()) {
        (Some(x), _) => x.kind,
        (None, "app") => ExperienceKind::App,
        _ => ExperienceKind::Html,
    };
    let schema_id = experience.as_ref().and_then(|x| x.schema_id.clone()).unwrap_or(schema_id);
    let schema = match kind {
        ExperienceKind::App if !schema_id.is_empty() => Some(ctx::finish(xs::get_schema(&state, &actor, &schema_id).await)?),
        ExperienceKind::App => return ctx::finish(Err(AppError::field("schemaId", "choose a presentation schema for an app experience"))),
        ExperienceKind::Html => None,
    };
    let offers = offers::list(&state, &actor, None, Some(100))
        .await?
        .data
        .into_iter()
        .map(|o| (o.id, o.name, serde_json::to_value(&o.presentation).unwrap_or_default()))
        .collect();
    let slots = match &schema {
        Some(s) => s.offer_slots.clone(),
        None => {
            let mut v = vec!["primary".to_string()];
            for k in experience.iter().flat_map(|x| x.offers.keys()) {
                if !v.contains(k) {
                    v.push(k.clone());
                }
            }
            v
        }
    };
    Ok(ExperienceDetail { experience, kind, schema, offers, slots })
}

/// Creates (empty `id`) or updates an experience; its offer lists are kept as they are.
#[server(prefix = "/sfn", endpoint = "experiences/save")]
pub async fn save_experience(
    id: String,
    name: String,
    kind: String,
    schema_id: String,
    html: Option<String>,
    content: Option<HashMap<String, String>>,
) -> Result<crate::model::Experience, AppError> {
    use crate::error::FieldErrors;
    use crate::model::{ExperienceInput, ExperienceKind, FieldType};
    use crate::server::services::experiences as xs;
    use crate::server_fns::ctx;
    use serde_json::Value;
    let (state, actor) = ctx::actor().await?;
    let existing = Some(id.as_str()).filter(|s| !s.is_empty());
    let current = match existing {
        Some(id) => Some(ctx::finish(xs::get_experience(&state, &actor, id).await)?),
        None => None,
    };
    let kind = match current.as_ref().map(|x| x.kind) {
        Some(k) => k,
        None if kind == "app" => ExperienceKind::App,
        None => ExperienceKind::Html,
    };
    let schema_id = current.as_ref().and_then(|x| x.schema_id.clone()).unwrap_or(schema_id);
    // Form values are text: typed by the schema before the service checks them.
    let mut content_json = serde_json::Map::new();
    if kind == ExperienceKind::App && !schema_id.is_empty() {
        let schema = ctx::finish(xs::get_schema(&state, &actor, &schema_id).await)?;
        let values = content.unwrap_or_default();
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
                content_json.insert(f.key.clone(), v);
            }
        }
        ctx::finish(e.into_result())?;
    }
    let input = ExperienceInput {
        name,
        kind,
        html: html.filter(|_| kind == ExperienceKind::Html),
        schema_id: Some(schema_id).filter(|s| !s.is_empty()),
        content: Some(Value::Object(content_json)),
        offers: Some(current.map(|x| x.offers).unwrap_or_default()),
    };
    let saved = ctx::finish(xs::save_experience(&state, &actor, existing, input).await)?;
    if existing.is_none() {
        leptos_axum::redirect(&format!("/experiences/{}", saved.id));
    }
    Ok(saved)
}

/// `op`: `up`, `down`, `remove` or `add`.
#[server(prefix = "/sfn", endpoint = "experiences/arrange")]
pub async fn arrange_offer(id: String, slot: String, offer_id: String, op: String) -> Result<crate::model::Experience, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::experiences::arrange_offer(&state, &actor, &id, &slot, &offer_id, &op).await)
}

#[server(prefix = "/sfn", endpoint = "experiences/delete")]
pub async fn delete_experience(id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::experiences::delete_experience(&state, &actor, &id).await)?;
    leptos_axum::redirect("/experiences");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "surfaces/list")]
pub async fn list_surfaces() -> Result<SurfacesData, AppError> {
    use crate::server::services::{experiences as xs, surfaces};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let surfaces = ctx::finish(surfaces::list(&state, &actor).await)?;
    let experiences = xs::list_experiences(&state, &actor).await?.into_iter().map(|x| (x.id, x.name)).collect();
    Ok(SurfacesData { surfaces, experiences })
}

#[server(prefix = "/sfn", endpoint = "surfaces/get")]
pub async fn get_surface(id: String) -> Result<(Surface, Vec<(String, String)>), AppError> {
    use crate::server::services::{experiences as xs, surfaces};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let surface = ctx::finish(surfaces::get(&state, &actor, &id).await)?;
    let experiences = xs::list_experiences(&state, &actor).await?.into_iter().map(|x| (x.id, x.name)).collect();
    Ok((surface, experiences))
}

/// Creates (empty `id`) or replaces a surface with its slots.
#[server(prefix = "/sfn", endpoint = "surfaces/save")]
pub async fn save_surface(
    id: String,
    name: String,
    slug: String,
    slot_keys: Option<Vec<String>>,
    slot_facets: Option<Vec<String>>,
    slot_experiences: Option<Vec<String>>,
) -> Result<Surface, AppError> {
    use crate::model::{Facet, SurfaceInput, SurfaceSlot};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let mut slots = Vec::new();
    let mut used_rows = Vec::new();
    for i in 0..slot_keys.as_ref().map(Vec::len).unwrap_or(0) {
        let key = nth(&slot_keys, i);
        if key.is_empty() {
            continue;
        }
        let facet = match nth(&slot_facets, i).as_str() {
            "json" => Facet::Json,
            "text" => Facet::Text,
            _ => Facet::Web,
        };
        slots.push(SurfaceSlot { key, facet, experience_id: Some(nth(&slot_experiences, i)).filter(|s| !s.is_empty()) });
        used_rows.push(i);
    }
    let existing = Some(id.as_str()).filter(|s| !s.is_empty());
    let saved = crate::server::services::surfaces::save(&state, &actor, existing, SurfaceInput { name, slug, slots })
        .await
        .map_err(|e| remap_rows(e, "slots", &used_rows));
    let saved = ctx::finish(saved)?;
    if existing.is_none() {
        leptos_axum::redirect(&format!("/surfaces/{}", saved.id));
    }
    Ok(saved)
}

#[server(prefix = "/sfn", endpoint = "surfaces/delete")]
pub async fn delete_surface(id: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::surfaces::delete(&state, &actor, &id).await)?;
    leptos_axum::redirect("/surfaces");
    Ok(())
}

/// Events, newest first. `from`/`to` are dates (YYYY-MM-DD) in the tenant's time zone; `to`
/// includes its whole day.
#[server(prefix = "/sfn", endpoint = "events/list")]
#[allow(clippy::too_many_arguments)]
pub async fn list_events(
    event_type: String,
    status: String,
    offer_id: String,
    identity: String,
    from: String,
    to: String,
    after: String,
) -> Result<EventsData, AppError> {
    use crate::error::FieldErrors;
    use crate::server::services::redemptions::EventFilter;
    use crate::server::services::{offers, redemptions};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let time_zone = ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)?;
    let mut e = FieldErrors::new();
    let mut day = |field: &str, text: &str, plus_days: i64| -> Option<i64> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match crate::server::tz::local_to_ms(&format!("{text}T00:00"), &time_zone) {
            Ok(ms) => Some(ms + plus_days * 86_400_000),
            Err(_) => {
                e.add(field, "must be a date such as 2026-11-25");
                None
            }
        }
    };
    let from_ms = day("from", &from, 0);
    let to_ms = day("to", &to, 1);
    ctx::finish(e.into_result())?;
    let opt = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
    let (t, st, o, i, a) = (opt(&event_type), opt(&status), opt(&offer_id), opt(&identity), opt(&after));
    let f = EventFilter {
        event_type: t.as_deref(),
        status: st.as_deref(),
        offer_id: o.as_deref(),
        identity: i.as_deref(),
        from_ms,
        to_ms,
        starting_after: a.as_deref(),
        limit: 50,
    };
    let page = ctx::finish(redemptions::events(&state, &actor, f).await)?;
    let offers = offers::list(&state, &actor, None, Some(100)).await?.data.into_iter().map(|o| (o.id, o.name)).collect();
    Ok(EventsData { events: page.data, has_more: page.has_more, offers, time_zone })
}

#[server(prefix = "/sfn", endpoint = "events/get")]
pub async fn get_event(id: String) -> Result<Event, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::redemptions::event(&state, &actor, &id).await)
}

/// The offer's impressions, redemptions and conversion over the last `days` days.
#[server(prefix = "/sfn", endpoint = "offers/stats")]
pub async fn load_offer_stats(id: String, days: i64) -> Result<OfferStats, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let days = days.clamp(1, 366);
    let to = state.clock.now_ms();
    ctx::finish(crate::server::services::offers::stats(&state, &actor, &id, to - days * 86_400_000, to).await)
}
