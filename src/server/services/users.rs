//! Users and their tenant memberships, managed by platform admins.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{Role, UserStatus, UserView, validate_email, validate_password};
use crate::server::auth::{Actor, Permission, password};
use crate::server::db::{self, audit, new_id};
use crate::server::services::auth::normalize_email;
use crate::server::{AppState, is_unique_violation};

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<UserView>> {
    actor.require(Permission::PlatformAdmin)?;
    let pool = &state.db.pool;
    let users = db::platform::users::list(pool).await?;
    let memberships = db::platform::users::all_memberships(pool).await?;
    Ok(users
        .into_iter()
        .map(|u| UserView {
            memberships: memberships.iter().filter(|(uid, _)| *uid == u.id).map(|(_, m)| m.clone()).collect(),
            created_at: db::platform::users::created(&u),
            id: u.id,
            email: u.email,
            is_admin: u.is_admin,
            status: u.status,
        })
        .collect())
}

pub struct NewUser {
    pub email: String,
    pub password: String,
    pub is_admin: bool,
    pub tenant_id: Option<String>,
    pub role: Option<String>,
}

/// The dashboard's new-user form: one membership, and a platform admin when `is_admin` is there.
impl From<crate::server_fns::admin::NewUserForm> for NewUser {
    fn from(f: crate::server_fns::admin::NewUserForm) -> Self {
        NewUser { email: f.email, password: f.password, is_admin: f.is_admin.is_some(), tenant_id: Some(f.tenant_id), role: Some(f.role) }
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: NewUser) -> AppResult<String> {
    actor.require(Permission::PlatformAdmin)?;
    let email = normalize_email(&input.email);
    let mut e = FieldErrors::new();
    validate_email(&email, &mut e);
    validate_password(&input.password, "password", &mut e);
    let tenant_id = input.tenant_id.filter(|t| !t.is_empty());
    let role = match (&tenant_id, input.role.as_deref().filter(|r| !r.is_empty())) {
        (None, _) => None,
        (Some(_), None) => {
            e.add("role", "is required when a tenant is chosen");
            None
        }
        (Some(_), Some(r)) => match Role::parse(r) {
            Some(r) => Some(r),
            None => {
                e.add("role", "must be merchant or marketer");
                None
            }
        },
    };
    if !input.is_admin && tenant_id.is_none() {
        e.add("tenant_id", "choose a tenant, or make the user a platform admin");
    }
    e.into_result()?;
    if let Some(t) = &tenant_id
        && db::platform::tenants::get(&state.db.pool, t).await?.is_none()
    {
        return Err(AppError::field("tenant_id", "no such tenant"));
    }
    let hash = password::hash(input.password).await?;
    let id = new_id("usr");
    let mut tx = state.db.begin_write().await?;
    match db::platform::users::insert(&mut *tx, &id, &email, &hash, input.is_admin, state.clock.now_ms()).await {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("email", "is already taken by another user")),
        other => other?,
    }
    if let (Some(t), Some(r)) = (&tenant_id, role) {
        db::platform::users::upsert_membership(&mut *tx, &id, t, r, state.clock.now_ms()).await?;
    }
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), "user.created", "user", &id).details(email), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn reset_password(state: &AppState, actor: &Actor, user_id: &str, new_password: String) -> AppResult<()> {
    actor.require(Permission::PlatformAdmin)?;
    let mut e = FieldErrors::new();
    validate_password(&new_password, "password", &mut e);
    e.into_result()?;
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin_write().await?;
    if !db::platform::users::set_password(&mut *tx, user_id, &hash, state.clock.now_ms()).await? {
        return Err(AppError::not_found("user"));
    }
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), "user.password_reset", "user", user_id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(state: &AppState, actor: &Actor, user_id: &str, active: bool) -> AppResult<()> {
    actor.require(Permission::PlatformAdmin)?;
    if !active && actor.user_id() == Some(user_id) {
        return Err(AppError::validation("you cannot deactivate your own account"));
    }
    let status = if active { UserStatus::Active } else { UserStatus::Deactivated };
    let mut tx = state.db.begin_write().await?;
    if !db::platform::users::set_status(&mut *tx, user_id, status, state.clock.now_ms()).await? {
        return Err(AppError::not_found("user"));
    }
    let action = if active { "user.reactivated" } else { "user.deactivated" };
    audit::record(&mut *tx, audit::Entry::platform(&actor.label(), action, "user", user_id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_membership(state: &AppState, actor: &Actor, user_id: &str, tenant_id: &str, role: &str) -> AppResult<()> {
    actor.require(Permission::PlatformAdmin)?;
    let pool = &state.db.pool;
    if db::platform::users::by_id(pool, user_id).await?.is_none() {
        return Err(AppError::not_found("user"));
    }
    if db::platform::tenants::get(pool, tenant_id).await?.is_none() {
        return Err(AppError::field("tenant_id", "no such tenant"));
    }
    let mut tx = state.db.begin_write().await?;
    if role == "none" {
        db::platform::users::remove_membership(&mut *tx, user_id, tenant_id).await?;
    } else {
        let r = Role::parse(role).ok_or_else(|| AppError::field("role", "must be merchant, marketer or none"))?;
        db::platform::users::upsert_membership(&mut *tx, user_id, tenant_id, r, state.clock.now_ms()).await?;
    }
    audit::record(
        &mut *tx,
        audit::Entry::platform(&actor.label(), "user.membership_changed", "user", user_id).details(format!("{tenant_id}:{role}")),
        state.clock.now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `offerdeck admin create`: the first (or another) platform admin.
pub async fn create_admin(state: &AppState, email: &str, password_text: String) -> AppResult<String> {
    let email = normalize_email(email);
    let mut e = FieldErrors::new();
    validate_email(&email, &mut e);
    validate_password(&password_text, "password", &mut e);
    e.into_result()?;
    let hash = password::hash(password_text).await?;
    let id = new_id("usr");
    let mut tx = state.db.begin_write().await?;
    match db::platform::users::insert(&mut *tx, &id, &email, &hash, true, state.clock.now_ms()).await {
        Err(err) if is_unique_violation(&err) => return Err(AppError::conflict(format!("a user with email {email} already exists"))),
        other => other?,
    }
    audit::record(&mut *tx, audit::Entry::platform("cli", "user.created", "user", &id).details("admin"), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(id)
}
