//! Redemption methods and the workflow editor, through `services::methods` like
//! `/api/v1/redemption-methods`.
use crate::error::AppError;
use crate::model::{MethodDetail, RedemptionMethod, TestRunView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    server::services::{auth, methods},
    server_fns::ctx,
};

/// The new-method form as posted: `schema` is `stripe-checkout` or `custom` (see
/// `MethodSchema::parse`); blank URLs are allowed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewMethodForm {
    pub name: String,
    pub schema: String,
    pub success_url: String,
    pub cancel_url: String,
    pub signup_url: String,
}

/// The method's settings form as posted (every field replaces the stored one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodForm {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub success_url: String,
    pub cancel_url: String,
    pub signup_url: String,
}

#[server(prefix = "/sfn", endpoint = "methods/list")]
pub async fn list_methods() -> Result<Vec<RedemptionMethod>, AppError> {
    ctx::run(|s, a| async move { Ok(methods::list(&s, &a, None, Some(100)).await?.data) }).await
}

/// The method, its versions and offers, and the last test run (a form post's result, once).
#[server(prefix = "/sfn", endpoint = "methods/get")]
pub async fn get_method(id: String) -> Result<MethodDetail, AppError> {
    let rid = ctx::request_id();
    ctx::run_with_session(|s, session, a| async move {
        let detail = methods::detail(&s, &a, &id).await?;
        Ok(MethodDetail { last_test: auth::take_flash(&session, &format!("test:{id}"), &rid).await?, ..detail })
    })
    .await
}

/// Creates the method, then on to its page.
#[server(prefix = "/sfn", endpoint = "methods/create")]
pub async fn create_method(#[server(flatten)] input: NewMethodForm) -> Result<RedemptionMethod, AppError> {
    let created = ctx::run(|s, a| async move { methods::create_from_form(&s, &a, input).await }).await;
    ctx::redirect_on_ok(created, |m| format!("/offers/redemption-methods/{}", m.id))
}

#[server(prefix = "/sfn", endpoint = "methods/update")]
pub async fn update_method(#[server(flatten)] input: MethodForm) -> Result<RedemptionMethod, AppError> {
    ctx::run(|s, a| async move { methods::update_from_form(&s, &a, input).await }).await
}

#[server(prefix = "/sfn", endpoint = "methods/archive")]
pub async fn set_method_archived(id: String, archived: String) -> Result<RedemptionMethod, AppError> {
    ctx::run(|s, a| async move { methods::set_archived(&s, &a, &id, archived == "true").await }).await
}

/// Returns the new version; a compile error comes back with `errors:[{line, column, message}]`.
#[server(prefix = "/sfn", endpoint = "methods/workflow/save")]
pub async fn save_workflow(id: String, code: String) -> Result<i64, AppError> {
    ctx::run(|s, a| async move { methods::save_workflow(&s, &a, &id, &code).await }).await
}

#[server(prefix = "/sfn", endpoint = "methods/workflow/restore")]
pub async fn restore_workflow(id: String, version: i64) -> Result<i64, AppError> {
    ctx::run(|s, a| async move { methods::restore_version(&s, &a, &id, version).await }).await
}

/// `identity` is `anonymous` or `user`; `identifier` is the user id for `user`. A plain form
/// post keeps the result for the next view of the method's page.
#[server(prefix = "/sfn", endpoint = "methods/workflow/test")]
pub async fn test_workflow(id: String, offer_id: String, identity: String, identifier: String) -> Result<TestRunView, AppError> {
    let form_post = ctx::is_form_post();
    ctx::run_with_session(|s, session, a| async move {
        let view = methods::test_run_view(&s, &a, &id, &offer_id, &identity, identifier).await?;
        if form_post {
            auth::set_flash(&session, &format!("test:{id}"), &view).await?;
        }
        Ok(view)
    })
    .await
}
