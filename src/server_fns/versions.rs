//! Versions on the dashboard, through `services::versions` like `/api/v1/versions`: the
//! Versions page (live's version, preview changes not yet frozen, freeze, history), a
//! version's page (its diff against live, deploy or roll back with confirmation).
use crate::error::AppError;
use crate::model::{Deployment, Version, VersionDetail, VersionsData};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{server::services::versions, server_fns::ctx};

#[server(prefix = "/sfn", endpoint = "versions/page")]
pub async fn versions_page() -> Result<VersionsData, AppError> {
    ctx::run(|s, a| async move { versions::page_data(&s, &a).await }).await
}

/// Freezes the preview configuration, then on to the new version's page.
#[server(prefix = "/sfn", endpoint = "versions/create")]
pub async fn create_version(name: String, #[server(default)] note: String) -> Result<Version, AppError> {
    let created = ctx::run(|s, a| async move { versions::create(&s, &a, crate::model::VersionCreate { name, note: Some(note) }).await }).await;
    ctx::redirect_on_ok(created, |v| format!("/versions/{}", v.id))
}

#[server(prefix = "/sfn", endpoint = "versions/get")]
pub async fn load_version(id: String) -> Result<VersionDetail, AppError> {
    ctx::run(|s, a| async move { versions::detail(&s, &a, &id).await }).await
}

/// Deploys the version to live (a rollback when it is older than live's). `confirm` is the
/// form's "I understand" box: without it nothing happens.
#[server(prefix = "/sfn", endpoint = "versions/deploy")]
pub async fn deploy_version(id: String, #[server(default)] confirm: String) -> Result<Deployment, AppError> {
    let done = ctx::run(|s, a| async move {
        if confirm != "yes" {
            return Err(AppError::field("confirm", "must be ticked: live changes at once"));
        }
        versions::deploy(&s, &a, &id).await
    })
    .await;
    ctx::redirect_on_ok(done, |_| "/versions".into())
}
