//! Experiences → Presentation schemas on the dashboard, through `services::schemas` like
//! `/api/v1/presentation-schemas`.
use crate::error::AppError;
use crate::model::PresentationSchema;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::schemas, server_fns::ctx};

/// The schema form as posted. Field rows arrive as parallel indexed lists (`field_keys[0]`,
/// `field_types[0]`, …); a row with neither key nor label is ignored. `offer_slots` is a
/// comma-separated list. An empty `id` creates a schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaForm {
    pub id: String,
    pub name: String,
    pub field_keys: Option<Vec<String>>,
    pub field_types: Option<Vec<String>>,
    pub field_labels: Option<Vec<String>>,
    pub field_required: Option<Vec<String>>,
    pub offer_slots: String,
}

#[server(prefix = "/sfn", endpoint = "schemas/list")]
pub async fn list_schemas() -> Result<Vec<PresentationSchema>, AppError> {
    ctx::run(|s, a| async move { schemas::list(&s, &a).await }).await
}

#[server(prefix = "/sfn", endpoint = "schemas/get")]
pub async fn get_schema(id: String) -> Result<PresentationSchema, AppError> {
    ctx::run(|s, a| async move { schemas::get(&s, &a, &id).await }).await
}

/// Creates (empty `id`, then on to its page) or replaces a schema.
#[server(prefix = "/sfn", endpoint = "schemas/save")]
pub async fn save_schema(#[server(flatten)] input: SchemaForm) -> Result<PresentationSchema, AppError> {
    let is_new = input.id.is_empty();
    let saved = ctx::run(|s, a| async move { schemas::save_form(&s, &a, input).await }).await;
    if is_new { ctx::redirect_on_ok(saved, |x| format!("/experiences/schemas/{}", x.id)) } else { saved }
}

#[server(prefix = "/sfn", endpoint = "schemas/delete")]
pub async fn delete_schema(id: String) -> Result<(), AppError> {
    ctx::redirect_on_ok(ctx::run(|s, a| async move { schemas::delete(&s, &a, &id).await }).await, |_| "/experiences/schemas".into())
}
