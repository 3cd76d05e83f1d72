//! Redemption methods and their workflows: every save is a new compiled version (history with
//! author, restore), the method runs its latest valid version, and a test run executes it
//! against an offer with the environment's Stripe integration without recording anything.
use crate::error::{AppError, AppResult, CodeError, FieldErrors};
use crate::model::{
    IdentityInput, MethodDetail, MethodSchema, MethodSettings, Page, ProductStatus, RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate,
    TestRunView, WorkflowVersion, slugify, validate_slug,
};
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit, new_id};
use crate::server::services::{integrations, offers, records::page_limit};
use crate::server::workflow::{self, Compiled, Host, RunOutcome};
use crate::server::{AppState, is_unique_violation};
use crate::server_fns::methods::{MethodForm, NewMethodForm};
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub async fn list(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<RedemptionMethod>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let (data, has_more) = db::record::page(&state.db.pool, scope, "", starting_after.filter(|s| !s.is_empty()), page_limit(limit)?).await?;
    Ok(Page { data, has_more })
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<RedemptionMethod> {
    super::records::get(state, actor, id, "redemption method").await
}

fn code_errors(errs: Vec<workflow::CompileError>) -> AppError {
    let first = errs.first().map(|e| format!("line {}: {}", e.line, e.message)).unwrap_or_default();
    let mut e = AppError::validation(format!("the workflow does not compile: {first}"));
    e.fields.insert("workflow".into(), first);
    e.errors = errs.into_iter().map(|c| CodeError { line: c.line, column: c.column, message: c.message }).collect();
    e
}

/// Every compile of workflow code goes through here: bounded nesting, on a compile thread with
/// a large stack (see `workflow::compile`).
pub(crate) async fn compile(code: &str) -> AppResult<Compiled> {
    workflow::compile_async(code).await.map_err(code_errors)
}

pub async fn create(state: &AppState, actor: &Actor, input: RedemptionMethodCreate) -> AppResult<RedemptionMethod> {
    let scope = super::versions::config_scope(state, actor).await?;
    let name = input.name.trim().to_string();
    let slug = input.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| slugify(&name));
    let settings = input.settings.unwrap_or_default();
    let mut e = FieldErrors::new();
    if name.is_empty() || name.chars().count() > 120 {
        e.add("name", "is required (120 characters at most)");
    }
    validate_slug(&slug, &mut e);
    settings.validate(input.schema, &mut e);
    e.into_result()?;
    let source = input.workflow.unwrap_or_else(|| input.schema.default_workflow().to_string());
    let compiled = compile(&source).await?;
    let id = new_id("rm");
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let inserted =
        db::methods::insert(&mut *tx, scope, db::methods::NewMethod { id: &id, name: &name, slug: &slug, schema: input.schema, settings: &settings, now })
            .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("slug", "is already used by another redemption method in this environment")),
        other => other?,
    }
    let version = db::methods::insert_version(
        &mut *tx,
        scope,
        db::methods::NewVersion {
            id: &new_id("wfv"),
            method_id: &id,
            source: &source,
            compiled_js: &compiled.js,
            source_map: &compiled.source_map,
            created_by: &actor.display(),
            now,
        },
    )
    .await?;
    let m = db::methods::set_current_version(&mut *tx, scope, &id, version, now).await?.ok_or_else(AppError::internal)?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "redemption_method.created", "redemption_method", &id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(m)
}

pub async fn update(state: &AppState, actor: &Actor, id: &str, input: RedemptionMethodUpdate) -> AppResult<RedemptionMethod> {
    let scope = super::versions::config_scope(state, actor).await?;
    let current = get(state, actor, id).await?;
    let name = input.name.map(|n| n.trim().to_string()).unwrap_or(current.name);
    let slug = input.slug.map(|s| s.trim().to_string()).unwrap_or(current.slug);
    let settings: MethodSettings = input.settings.unwrap_or(current.settings);
    let mut e = FieldErrors::new();
    if name.is_empty() || name.chars().count() > 120 {
        e.add("name", "is required (120 characters at most)");
    }
    validate_slug(&slug, &mut e);
    settings.validate(current.schema, &mut e);
    e.into_result()?;
    let mut tx = state.db.begin_write().await?;
    let m = match db::methods::update(&mut *tx, scope, id, &name, &slug, &settings, state.clock.now_ms()).await {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("slug", "is already used by another redemption method in this environment")),
        other => other?.ok_or_else(|| AppError::not_found("redemption method"))?,
    };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "redemption_method.updated", "redemption_method", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(m)
}

pub async fn set_archived(state: &AppState, actor: &Actor, id: &str, archived: bool) -> AppResult<RedemptionMethod> {
    let scope = super::versions::config_scope(state, actor).await?;
    let status = if archived { ProductStatus::Archived } else { ProductStatus::Active };
    let mut tx = state.db.begin_write().await?;
    let m = db::record::set_status(&mut *tx, scope, id, status, state.clock.now_ms()).await?.ok_or_else(|| AppError::not_found("redemption method"))?;
    let action = if archived { "redemption_method.archived" } else { "redemption_method.restored" };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), action, "redemption_method", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(m)
}

/// Saves `code` as the method's next version if it compiles; returns the new version number.
pub async fn save_workflow(state: &AppState, actor: &Actor, id: &str, code: &str) -> AppResult<i64> {
    let scope = super::versions::config_scope(state, actor).await?;
    get(state, actor, id).await?;
    let compiled = compile(code).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let version = match db::methods::insert_version(
        &mut *tx,
        scope,
        db::methods::NewVersion {
            id: &new_id("wfv"),
            method_id: id,
            source: code,
            compiled_js: &compiled.js,
            source_map: &compiled.source_map,
            created_by: &actor.display(),
            now,
        },
    )
    .await
    {
        Err(err) if is_unique_violation(&err) => return Err(AppError::conflict("someone else saved this workflow at the same moment; reload and try again")),
        other => other?,
    };
    db::methods::set_current_version(&mut *tx, scope, id, version, now).await?.ok_or_else(|| AppError::not_found("redemption method"))?;
    audit::record(
        &mut *tx,
        audit::Entry::of(scope, &actor.label(), "workflow.saved", "redemption_method", id).details(format!("v{version}")),
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// The most versions the dashboard lists for a method, newest first (the API pages through all).
pub const MAX_VERSIONS_SHOWN: i64 = 200;

/// The method's newest workflow versions (at most [`MAX_VERSIONS_SHOWN`]).
pub async fn versions(state: &AppState, actor: &Actor, id: &str) -> AppResult<Vec<WorkflowVersion>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    get(state, actor, id).await?;
    Ok(db::methods::page_versions(&state.db.pool, scope, id, None, MAX_VERSIONS_SHOWN).await?.0)
}

/// One page of a method's workflow versions, newest first; the cursor is a version's `id`.
pub async fn page_versions(state: &AppState, actor: &Actor, id: &str, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<WorkflowVersion>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = page_limit(limit)?;
    get(state, actor, id).await?;
    let (data, has_more) = db::methods::page_versions(&state.db.pool, scope, id, super::records::cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}

/// Restoring copies an old version's code into a new version: history is never rewritten.
pub async fn restore_version(state: &AppState, actor: &Actor, id: &str, version: i64) -> AppResult<i64> {
    let scope = super::versions::config_scope(state, actor).await?;
    let old = db::methods::get_version(&state.db.pool, scope, id, version).await?.ok_or_else(|| AppError::not_found("workflow version"))?;
    save_workflow(state, actor, id, &old.source).await
}

/// The method's current compiled workflow and its version.
/// The method's current workflow, compiled. A saved version never changes, so each is read
/// from the database once per process and then kept (at most [`VERSIONS_KEPT`]).
pub async fn current_workflow(state: &AppState, scope: &Scoped, method: &RedemptionMethod) -> AppResult<(i64, std::sync::Arc<Compiled>)> {
    let v = method.current_version.ok_or_else(|| AppError::validation("the redemption method has no saved workflow"))?;
    let key = (scope.clone(), method.id.clone(), v);
    if let Some(c) = state.workflow_versions.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok((v, c.clone()));
    }
    let stored = db::methods::get_version(&state.db.pool, scope, &method.id, v).await?.ok_or_else(AppError::internal)?;
    let compiled = std::sync::Arc::new(Compiled { js: stored.compiled_js, source_map: stored.source_map });
    let mut kept = state.workflow_versions.write().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= VERSIONS_KEPT {
        kept.clear();
    }
    kept.insert(key, compiled.clone());
    Ok((stored.version, compiled))
}

pub const VERSIONS_KEPT: usize = 1000;

/// Compiled workflow versions by (scope, method, version); see [`current_workflow`].
pub type WorkflowVersions = std::sync::RwLock<std::collections::HashMap<(Scoped, String, i64), std::sync::Arc<Compiled>>>;

/// The sandbox's way out to Stripe: the environment's integration, key kept on this side.
pub struct StripeHost {
    pub state: AppState,
    pub scope: Scoped,
}

impl Host for StripeHost {
    fn stripe_request(&self, request: Value) -> Pin<Box<dyn Future<Output = Value> + Send>> {
        let (state, scope) = (self.state.clone(), self.scope.clone());
        Box::pin(async move {
            let fail = |m: String| json!({"ok": false, "status": 0, "data": {"error": {"message": m}}});
            let method = request.get("method").and_then(Value::as_str).unwrap_or("GET").to_string();
            let Some(path) = request.get("path").and_then(Value::as_str).map(str::to_string) else {
                return fail("request needs a path like /v1/checkout/sessions".into());
            };
            let body = request.get("body").filter(|b| b.is_object()).cloned();
            let key = match integrations::secret_key(&state, &scope).await {
                Ok(k) => k,
                Err(e) => return fail(e.message),
            };
            match state.stripe.request(&key, &method, &path, body.as_ref(), None).await {
                Ok(r) => json!({"ok": r.ok(), "status": r.status, "data": r.data}),
                Err(e) => fail(e.0),
            }
        })
    }

    fn offerdeck_request(&self, op: String, input: Value) -> Pin<Box<dyn Future<Output = Value> + Send>> {
        let (state, scope) = (self.state.clone(), self.scope.clone());
        Box::pin(async move {
            let refused = |e: AppError| json!({"error": {"code": e.code.as_str(), "message": e.message, "fields": e.fields}});
            match op.as_str() {
                "checkoutSessions.create" => {
                    let input: crate::model::CheckoutSessionCreate = match serde_json::from_value(input) {
                        Ok(i) => i,
                        Err(e) => return refused(AppError::validation(format!("checkoutSessions.create: {e}"))),
                    };
                    match crate::server::services::checkout::create_in(&state, &scope, "a redemption workflow", input).await {
                        Ok(s) => serde_json::to_value(s).unwrap_or(Value::Null),
                        Err(e) => refused(e),
                    }
                }
                _ => refused(AppError::not_found(&op)),
            }
        })
    }
}

/// Runs the method's saved workflow against `offer_id` for `identity`, recording nothing.
pub async fn test_run(state: &AppState, actor: &Actor, id: &str, identity: &IdentityInput, offer_id: &str) -> AppResult<RunOutcome> {
    let scope = actor.authorize(Permission::TenantWrite)?.clone();
    let method = get(state, actor, id).await?;
    let identity = identity.resolve(|| format!("anon_{}", uuid::Uuid::new_v4().simple()))?;
    let offer = offers::get(state, actor, offer_id)
        .await
        .map_err(|e| if e.code == crate::error::ErrorCode::NotFound { AppError::field("offerId", "no such offer in this environment") } else { e })?;
    let (_, compiled) = current_workflow(state, &scope, &method).await?;
    let offer_obj = offers::workflow_offer(state, &scope, &offer, &method, "test-run-token").await?;
    let input = json!({"offer": offer_obj, "identity": identity, "settings": method.settings});
    let tenant = scope.tenant_id().to_string();
    let host = Arc::new(StripeHost { state: state.clone(), scope });
    Ok(state.engine.run(&tenant, &compiled, input, host).await?)
}

/// The dashboard's URL fields, trimmed.
fn form_settings(success_url: &str, cancel_url: &str, signup_url: &str) -> MethodSettings {
    MethodSettings { success_url: success_url.trim().into(), cancel_url: cancel_url.trim().into(), signup_url: signup_url.trim().into() }
}

/// Creates a method from the dashboard's form, with the schema's default workflow.
pub async fn create_from_form(state: &AppState, actor: &Actor, f: NewMethodForm) -> AppResult<RedemptionMethod> {
    let schema = MethodSchema::parse(&f.schema).ok_or_else(|| AppError::field("schema", "must be Stripe Checkout or Custom"))?;
    let settings = form_settings(&f.success_url, &f.cancel_url, &f.signup_url);
    create(state, actor, RedemptionMethodCreate { name: f.name, slug: None, schema, workflow: None, settings: Some(settings) }).await
}

/// Replaces the method's name, slug and settings with the dashboard's form.
pub async fn update_from_form(state: &AppState, actor: &Actor, f: MethodForm) -> AppResult<RedemptionMethod> {
    let settings = form_settings(&f.success_url, &f.cancel_url, &f.signup_url);
    update(state, actor, &f.id, RedemptionMethodUpdate { name: Some(f.name), slug: Some(f.slug), settings: Some(settings) }).await
}

/// The method's page: the method, its versions and the offers that use it (`last_test` is the
/// caller's to fill).
pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<MethodDetail> {
    let method = get(state, actor, id).await?;
    let versions = versions(state, actor, id).await?;
    let offers = offers::list(state, actor, None, Some(100)).await?.data.into_iter().filter(|o| o.redemption_method_id == id).map(|o| (o.id, o.name)).collect();
    Ok(MethodDetail { method, versions, offers, last_test: None })
}

/// [`test_run`] from the dashboard's form (`identity` is `anonymous`, or else `identifier`
/// names the user), as the page shows it.
pub async fn test_run_view(state: &AppState, actor: &Actor, id: &str, offer_id: &str, identity: &str, identifier: String) -> AppResult<TestRunView> {
    let input = if identity == "anonymous" {
        IdentityInput { create_anonymous_identifier: Some(true), ..Default::default() }
    } else {
        IdentityInput { user_identifier: Some(identifier), ..Default::default() }
    };
    let out = test_run(state, actor, id, &input, offer_id).await?;
    Ok(match out.result {
        Ok(r) => TestRunView {
            ok: true,
            output: serde_json::to_string_pretty(&r).unwrap_or_default(),
            error_line: None,
            logs: out.logs,
            duration_ms: out.duration_ms,
        },
        Err(e) => TestRunView { ok: false, output: e.message, error_line: e.line, logs: out.logs, duration_ms: out.duration_ms },
    })
}
