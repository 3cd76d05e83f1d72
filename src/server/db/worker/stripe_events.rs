//! Incoming Stripe events name their integration by id in the URL: this finds it (and so the
//! tenant and environment) before the signature is checked. Unscoped on purpose.
use crate::server::db::integrations::{COLS, IntegrationRow, row};
use crate::server::db::{Scoped, Trust, env_of};
use sqlx::{Any, Executor, Row};

/// An integration by id, with the scope it belongs to (incoming Stripe events name only the id).
pub async fn get_by_id<'c, E: Executor<'c, Database = Any>>(ex: E, id: &str) -> Result<Option<(Scoped, IntegrationRow)>, sqlx::Error> {
    let Some(r) = sqlx::query(&format!("SELECT {COLS} FROM stripe_integrations WHERE id = $1")).bind(id).fetch_optional(ex).await? else {
        return Ok(None);
    };
    let scope = Scoped::trusted(r.try_get::<String, _>("tenant_id")?, env_of(&r.try_get::<String, _>("environment")?), Trust::StoredRow);
    Ok(Some((scope, row(&r)?)))
}
