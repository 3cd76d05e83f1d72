//! Tenants, managed by platform admins (and by the command line on first run). A tenant's own
//! settings (time zone, offer-token lifetime) are `services::settings`.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Environment, Role, TenantStatus, TenantView, validate_tenant_name};
use crate::server::AppState;
use crate::server::auth::{Actor, KeyKind, Permission, password};
use crate::server::db::{self, Scoped, Trust, audit, new_id};
use crate::server::services::{api_keys, auth::normalize_email};
use serde::Serialize;

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<TenantView>> {
    actor.require(Permission::PlatformAdmin)?;
    Ok(db::platform::tenants::list(&state.db.pool).await?)
}

fn checked_name(name: &str) -> AppResult<String> {
    let mut e = FieldErrors::new();
    validate_tenant_name(name, &mut e);
    e.into_result()?;
    Ok(name.trim().to_string())
}

pub async fn create(state: &AppState, actor: &Actor, name: &str) -> AppResult<TenantView> {
    actor.require(Permission::PlatformAdmin)?;
    let name = checked_name(name)?;
    let id = new_id("ten");
    let mut tx = state.db.begin_write().await?;
    db::platform::tenants::insert(&mut *tx, &id, &name, state.clock.now_ms()).await?;
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), "tenant.created", "tenant", &id).details(name.clone()), state.clock.now_ms()).await?;
    let t = db::platform::tenants::get(&mut *tx, &id).await?.ok_or_else(AppError::internal)?;
    tx.commit().await?;
    Ok(t)
}

pub async fn rename(state: &AppState, actor: &Actor, id: &str, name: &str) -> AppResult<()> {
    actor.require(Permission::PlatformAdmin)?;
    let name = checked_name(name)?;
    let mut tx = state.db.begin_write().await?;
    if !db::platform::tenants::rename(&mut *tx, id, &name, state.clock.now_ms()).await? {
        return Err(AppError::not_found("tenant"));
    }
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), "tenant.renamed", "tenant", id).details(name), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// Suspending blocks the tenant's users at sign-in and its keys at once (the key cache of every
/// node is emptied).
pub async fn set_suspended(state: &AppState, actor: &Actor, id: &str, suspended: bool) -> AppResult<()> {
    actor.require(Permission::PlatformAdmin)?;
    let status = if suspended { TenantStatus::Suspended } else { TenantStatus::Active };
    let mut tx = state.db.begin_write().await?;
    if !db::platform::tenants::set_status(&mut *tx, id, status, state.clock.now_ms()).await? {
        return Err(AppError::not_found("tenant"));
    }
    let action = if suspended { "tenant.suspended" } else { "tenant.resumed" };
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), action, "tenant", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.keys_changed(&state.db).await;
    Ok(())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    pub tenant_id: String,
    pub name: String,
    pub owner_email: String,
    /// Only when the owner did not exist yet: a generated password, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_password: Option<String>,
    pub keys: BootstrapKeys,
}

#[derive(Debug, Serialize)]
pub struct BootstrapKeys {
    pub preview: KeyPair,
    pub live: KeyPair,
}

#[derive(Debug, Serialize)]
pub struct KeyPair {
    pub secret: String,
    pub publishable: String,
}

/// `offerdeck tenant create`: a tenant, its merchant owner (created when missing) and one secret
/// and one publishable key per environment, all in one transaction.
pub async fn bootstrap(state: &AppState, name: &str, owner_email: &str) -> AppResult<Bootstrap> {
    let actor = Actor::cli();
    let name = checked_name(name)?;
    let email = normalize_email(owner_email);
    let mut e = FieldErrors::new();
    crate::model::validate_email(&email, &mut e);
    e.into_result()?;
    let existing = db::platform::users::by_email(&state.db.pool, &email).await?;
    let generated = existing.is_none().then(|| {
        use rand::Rng;
        rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(20).map(char::from).collect::<String>()
    });
    let new_hash = match &generated {
        Some(pw) => Some(password::hash(pw.clone()).await?),
        None => None,
    };
    let id = new_id("ten");
    let mut tx = state.db.begin_write().await?;
    db::platform::tenants::insert(&mut *tx, &id, &name, state.clock.now_ms()).await?;
    let user_id = match (&existing, &new_hash) {
        (Some(u), _) => u.id.clone(),
        (None, Some(h)) => {
            let uid = new_id("usr");
            db::platform::users::insert(&mut *tx, &uid, &email, h, false, state.clock.now_ms()).await?;
            uid
        }
        (None, None) => return Err(AppError::internal()),
    };
    db::platform::users::upsert_membership(&mut *tx, &user_id, &id, Role::Merchant, state.clock.now_ms()).await?;
    audit::record(&mut *tx, audit::Entry::platform("cli", "tenant.created", "tenant", &id).details(name.clone()), state.clock.now_ms()).await?;
    let mut pairs = Vec::new();
    for env in [Environment::Preview, Environment::Live] {
        let scope = Scoped::trusted(id.clone(), env, Trust::NewTenant);
        let (_, secret) = api_keys::insert_key(&mut tx, state, &scope, KeyKind::Secret, "initial secret key", &actor).await?;
        let (_, publishable) = api_keys::insert_key(&mut tx, state, &scope, KeyKind::Publishable, "initial publishable key", &actor).await?;
        pairs.push(KeyPair { secret, publishable });
    }
    tx.commit().await?;
    let live = pairs.pop().ok_or_else(AppError::internal)?;
    let preview = pairs.pop().ok_or_else(AppError::internal)?;
    Ok(Bootstrap { tenant_id: id, name, owner_email: email, owner_password: generated, keys: BootstrapKeys { preview, live } })
}
