//! Experiences on the dashboard (HTML, or app content typed by a presentation schema, with
//! priority-ordered offers per offer slot), through `services::experiences` like
//! `/api/v1/experiences`.
use crate::error::AppError;
use crate::model::{Experience, ExperienceDetail, ExperiencesData};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::{server::services::experiences, server_fns::ctx};

/// The experience form as posted: an empty `id` creates one; `kind` (`html` or `app`) and
/// `schema_id` only count for a new one. App content arrives as `content[<field key>]`, as
/// text typed by the schema on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExperienceForm {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub schema_id: String,
    pub html: Option<String>,
    pub content: Option<HashMap<String, String>>,
}

#[server(prefix = "/sfn", endpoint = "experiences/list")]
pub async fn list_experiences() -> Result<ExperiencesData, AppError> {
    ctx::run(|s, a| async move { experiences::dashboard_page(&s, &a).await }).await
}

/// An experience and its editor's data; `id` "new" with `kind` and `schema_id` for a new one.
#[server(prefix = "/sfn", endpoint = "experiences/get")]
pub async fn get_experience(id: String, kind: String, schema_id: String) -> Result<ExperienceDetail, AppError> {
    ctx::run(|s, a| async move { experiences::editor(&s, &a, &id, &kind, &schema_id).await }).await
}

/// Creates (empty `id`, then on to its page) or updates an experience; its offer lists are kept.
#[server(prefix = "/sfn", endpoint = "experiences/save")]
pub async fn save_experience(#[server(flatten)] input: ExperienceForm) -> Result<Experience, AppError> {
    let is_new = input.id.is_empty();
    let saved = ctx::run(|s, a| async move { experiences::save_form(&s, &a, input).await }).await;
    if is_new { ctx::redirect_on_ok(saved, |x| format!("/experiences/{}", x.id)) } else { saved }
}

/// `op`: `up`, `down`, `remove` or `add`.
#[server(prefix = "/sfn", endpoint = "experiences/arrange")]
pub async fn arrange_offer(id: String, slot: String, offer_id: String, op: String) -> Result<Experience, AppError> {
    ctx::run(|s, a| async move { experiences::arrange_offer(&s, &a, &id, &slot, &offer_id, &op).await }).await
}

#[server(prefix = "/sfn", endpoint = "experiences/delete")]
pub async fn delete_experience(id: String) -> Result<(), AppError> {
    ctx::redirect_on_ok(ctx::run(|s, a| async move { experiences::delete(&s, &a, &id).await }).await, |_| "/experiences".into())
}
