//! `Idempotency-Key` records of `/api/v1` POSTs: who sent which key with which request, and the
//! answer to replay. The middleware in `api` decides when; this says what is stored.
use crate::error::AppResult;
use crate::server::AppState;
use crate::server::auth::{Actor, Permission, Scoped};
use crate::server::db::idempotency as idb;

pub use idb::Stored;

/// One caller's key: tenant and environment, the principal (`key:<id>`) and the key text.
pub struct Key<'a> {
    scope: &'a Scoped,
    principal: String,
    key: &'a str,
}

/// The record for `key` of an API caller, or `None` when the caller has no tenant to keep it in.
pub fn key<'a>(actor: &'a Actor, key: &'a str) -> Option<Key<'a>> {
    Some(Key { scope: actor.authorize(Permission::Runtime).ok()?, principal: actor.label(), key })
}

/// Claims the key for a request with `hash`; `false` when it is already claimed (or done).
pub async fn claim(state: &AppState, k: &Key<'_>, hash: &str) -> AppResult<bool> {
    Ok(idb::claim(&state.db.pool, k.scope, &k.principal, k.key, hash, state.clock.now_ms()).await?)
}

pub async fn stored(state: &AppState, k: &Key<'_>) -> AppResult<Option<Stored>> {
    Ok(idb::get(&state.db.pool, k.scope, &k.principal, k.key, state.clock.now_ms()).await?)
}

/// Gives the key back (the request failed on our side; the client may retry).
pub async fn release(state: &AppState, k: &Key<'_>) -> AppResult<()> {
    Ok(idb::release(&state.db.pool, k.scope, &k.principal, k.key).await?)
}

pub async fn complete(state: &AppState, k: &Key<'_>, status: i64, body: &str) -> AppResult<()> {
    Ok(idb::complete(&state.db.pool, k.scope, &k.principal, k.key, status, body).await?)
}
