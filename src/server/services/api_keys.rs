//! API keys: created (shown once), listed by their last four characters, revoked; and the
//! bearer check that turns a key into an `Actor`.
use crate::error::{AppError, AppResult};
use crate::model::{ApiKeyView, Environment};
use crate::server::AppState;
use crate::server::auth::{Actor, KeyKind, Permission, keys};
use crate::server::db::{self, Scoped, audit, new_id};

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<ApiKeyView>> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    Ok(db::api_keys::list(&state.db.pool, scope).await?)
}

/// Creates a key in the actor's tenant and environment and returns its full text (once).
pub async fn create(state: &AppState, actor: &Actor, kind: &str, name: &str) -> AppResult<(String, String)> {
    let scope = actor.authorize(Permission::ManageSecrets)?.clone();
    let kind = KeyKind::parse(kind).ok_or_else(|| AppError::field("kind", "must be secret or publishable"))?;
    let name = name.trim();
    if name.chars().count() > 80 {
        return Err(AppError::field("name", "must be at most 80 characters"));
    }
    let name = if name.is_empty() { format!("{} key", kind.as_str()) } else { name.to_string() };
    let mut tx = state.db.begin_write().await?;
    let (id, key) = insert_key(&mut tx, state, &scope, kind, &name, actor).await?;
    tx.commit().await?;
    Ok((id, key))
}

pub(crate) async fn insert_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    state: &AppState,
    scope: &Scoped,
    kind: KeyKind,
    name: &str,
    actor: &Actor,
) -> AppResult<(String, String)> {
    let key = keys::generate(kind, scope.env());
    let id = new_id("key");
    db::api_keys::insert(
        &mut **tx,
        scope,
        db::api_keys::NewKey {
            id: &id,
            kind,
            name,
            key_hash: &keys::keyed_hash(&state.config.secret_key, &key),
            last4: &keys::last4(&key),
            created_by: actor.user_id(),
            now: state.clock.now_ms(),
        },
    )
    .await?;
    audit::record(&mut **tx, audit::Entry::of(scope, &actor.label(), "api_key.created", "api_key", &id).details(kind.as_str()), state.clock.now_ms()).await?;
    Ok((id, key))
}

pub async fn revoke(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let mut tx = state.db.begin_write().await?;
    if !db::api_keys::revoke(&mut *tx, scope, id, state.clock.now_ms()).await? {
        return Err(AppError::not_found("active API key"));
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "api_key.revoked", "api_key", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.keys_changed(&state.db).await;
    Ok(())
}

/// `Authorization: Bearer <key>` → actor. Unknown, malformed, revoked keys and keys of a
/// suspended tenant all get the same 401.
pub async fn authenticate(state: &AppState, bearer: &str) -> AppResult<Actor> {
    let invalid = || AppError::new(crate::error::ErrorCode::Unauthenticated, "invalid, revoked or missing API key");
    let (kind, env): (KeyKind, Environment) = keys::parse_prefix(bearer).ok_or_else(invalid)?;
    let hash = keys::keyed_hash(&state.config.secret_key, bearer);
    let found = state.snapshots.active_key(&state.db, &hash).await?.ok_or_else(invalid)?;
    if found.kind != kind.as_str() || found.scope.env() != env {
        return Err(invalid());
    }
    crate::server::telemetry::record_on_request("tenant", found.scope.tenant_id());
    Ok(Actor::api_key(found.id, kind, found.scope))
}
