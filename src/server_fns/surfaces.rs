//! Surfaces on the dashboard (named places with experience slots), through
//! `services::surfaces` like `/api/v1/surfaces`.
use crate::error::AppError;
use crate::model::{Surface, SurfacesData};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{server::services::surfaces, server_fns::ctx};

/// The surface form as posted. Slot rows arrive as parallel indexed lists (`slot_keys[0]`,
/// `slot_facets[0]`, `slot_experiences[0]`); a row without a key is ignored. An empty `id`
/// creates a surface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SurfaceForm {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub slot_keys: Option<Vec<String>>,
    pub slot_facets: Option<Vec<String>>,
    pub slot_experiences: Option<Vec<String>>,
}

#[server(prefix = "/sfn", endpoint = "surfaces/list")]
pub async fn list_surfaces() -> Result<SurfacesData, AppError> {
    ctx::run(|s, a| async move { surfaces::dashboard_page(&s, &a).await }).await
}

/// The surface and the experiences its slots may show (id, name).
#[server(prefix = "/sfn", endpoint = "surfaces/get")]
pub async fn get_surface(id: String) -> Result<(Surface, Vec<(String, String)>), AppError> {
    ctx::run(|s, a| async move { surfaces::editor(&s, &a, &id).await }).await
}

/// Creates (empty `id`, then on to its page) or replaces a surface with its slots.
#[server(prefix = "/sfn", endpoint = "surfaces/save")]
pub async fn save_surface(#[server(flatten)] input: SurfaceForm) -> Result<Surface, AppError> {
    let is_new = input.id.is_empty();
    let saved = ctx::run(|s, a| async move { surfaces::save_form(&s, &a, input).await }).await;
    if is_new { ctx::redirect_on_ok(saved, |x| format!("/surfaces/{}", x.id)) } else { saved }
}

#[server(prefix = "/sfn", endpoint = "surfaces/delete")]
pub async fn delete_surface(id: String) -> Result<(), AppError> {
    ctx::redirect_on_ok(ctx::run(|s, a| async move { surfaces::delete(&s, &a, &id).await }).await, |_| "/surfaces".into())
}
