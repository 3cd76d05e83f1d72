//! Redemption methods and the workflow editor, through `services::methods`.
use crate::error::AppError;
use crate::model::{MethodDetail, RedemptionMethod, TestRunView};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "methods/list")]
pub async fn list_methods() -> Result<Vec<RedemptionMethod>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::methods::list(&state, &actor, None, Some(100)).await.map(|p| p.data))
}

#[server(prefix = "/sfn", endpoint = "methods/get")]
pub async fn get_method(id: String) -> Result<MethodDetail, AppError> {
    use crate::server::services::{auth, methods, offers};
    use crate::server_fns::ctx;
    let rid = ctx::request_id();
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(auth::actor(&state, &session).await)?;
    let method = ctx::finish(methods::get(&state, &actor, &id).await)?;
    let versions = methods::versions(&state, &actor, &id).await?;
    let offers =
        offers::list(&state, &actor, None, Some(100)).await?.data.into_iter().filter(|o| o.redemption_method_id == id).map(|o| (o.id, o.name)).collect();
    let last_test = auth::take_flash(&session, &format!("test:{id}"), &rid).await?;
    Ok(MethodDetail { method, versions, offers, last_test })
}

#[server(prefix = "/sfn", endpoint = "methods/create")]
pub async fn create_method(name: String, schema: String, success_url: String, cancel_url: String, signup_url: String) -> Result<RedemptionMethod, AppError> {
    use crate::model::{MethodSchema, MethodSettings, RedemptionMethodCreate};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let schema = ctx::finish(MethodSchema::parse(&schema).ok_or_else(|| AppError::field("schema", "must be Stripe Checkout or Custom")))?;
    let input = RedemptionMethodCreate {
        name,
        slug: None,
        schema,
        workflow: None,
        settings: Some(MethodSettings { success_url: success_url.trim().into(), cancel_url: cancel_url.trim().into(), signup_url: signup_url.trim().into() }),
    };
    let m = ctx::finish(crate::server::services::methods::create(&state, &actor, input).await)?;
    leptos_axum::redirect(&format!("/offers/redemption-methods/{}", m.id));
    Ok(m)
}

#[server(prefix = "/sfn", endpoint = "methods/update")]
pub async fn update_method(
    id: String,
    name: String,
    slug: String,
    success_url: String,
    cancel_url: String,
    signup_url: String,
) -> Result<RedemptionMethod, AppError> {
    use crate::model::{MethodSettings, RedemptionMethodUpdate};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let input = RedemptionMethodUpdate {
        name: Some(name),
        slug: Some(slug),
        settings: Some(MethodSettings { success_url: success_url.trim().into(), cancel_url: cancel_url.trim().into(), signup_url: signup_url.trim().into() }),
    };
    ctx::finish(crate::server::services::methods::update(&state, &actor, &id, input).await)
}

#[server(prefix = "/sfn", endpoint = "methods/archive")]
pub async fn set_method_archived(id: String, archived: String) -> Result<RedemptionMethod, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::methods::set_archived(&state, &actor, &id, archived == "true").await)
}

/// Returns the new version; a compile error comes back with `errors:[{line, column, message}]`.
#[server(prefix = "/sfn", endpoint = "methods/workflow/save")]
pub async fn save_workflow(id: String, code: String) -> Result<i64, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::methods::save_workflow(&state, &actor, &id, &code).await)
}

#[server(prefix = "/sfn", endpoint = "methods/workflow/restore")]
pub async fn restore_workflow(id: String, version: i64) -> Result<i64, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::methods::restore_version(&state, &actor, &id, version).await)
}

/// `identity` is `anonymous` or `user`; `identifier` is the user id for `user`.
#[server(prefix = "/sfn", endpoint = "methods/workflow/test")]
pub async fn test_workflow(id: String, offer_id: String, identity: String, identifier: String) -> Result<TestRunView, AppError> {
    use crate::model::IdentityInput;
    use crate::server_fns::ctx;
    let form_post = ctx::is_form_post();
    let (state, session) = ctx::session().await?;
    let actor = ctx::finish(crate::server::services::auth::actor(&state, &session).await)?;
    let input = if identity == "anonymous" {
        IdentityInput { create_anonymous_identifier: Some(true), ..Default::default() }
    } else {
        IdentityInput { user_identifier: Some(identifier), ..Default::default() }
    };
    let out = ctx::finish(crate::server::services::methods::test_run(&state, &actor, &id, &input, &offer_id).await)?;
    let view = match out.result {
        Ok(r) => TestRunView {
            ok: true,
            output: serde_json::to_string_pretty(&r).unwrap_or_default(),
            error_line: None,
            logs: out.logs,
            duration_ms: out.duration_ms,
        },
        Err(e) => TestRunView { ok: false, output: e.message, error_line: e.line, logs: out.logs, duration_ms: out.duration_ms },
    };
    if form_post {
        crate::server::services::auth::set_flash(&session, &format!("test:{id}"), &view).await?;
    }
    Ok(view)
}
