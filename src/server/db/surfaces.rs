//! SQL for surfaces, within one tenant and environment.
use super::Scoped;
use super::record::{Record, one};
use super::row::{self, impl_record, stamped};
use crate::model::Surface;
use sqlx::{Any, Executor, Row, any::AnyRow};

impl_record!(Surface, "surfaces", "id, name, slug, slots, environment, created_at, updated_at", surface);

fn surface(r: &AnyRow) -> Result<Surface, sqlx::Error> {
    stamped!(r => Surface { id, name, slug; slots: row::json(r, "slots")? })
}

/// Creates or replaces the surface and answers it; `None` when its id belongs to another tenant
/// or environment (nothing is written). A slug used by another surface of the scope is a
/// unique violation.
pub async fn upsert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    (name, slug): (&str, &str),
    slots: &str,
    now: i64,
) -> Result<Option<Surface>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO surfaces (id, tenant_id, environment, name, slug, slots, created_at, updated_at) VALUES ($3, $1, $2, $4, $5, $6, $7, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, slug = excluded.slug, slots = excluded.slots, updated_at = excluded.updated_at \
         WHERE surfaces.tenant_id = excluded.tenant_id AND surfaces.environment = excluded.environment RETURNING {}",
        Surface::COLS
    );
    one(super::scoped(scope, &sql).bind(id).bind(name).bind(slug).bind(slots).bind(now), ex).await
}

/// How long the tenant's offer tokens stay redeemable.
pub async fn token_ttl_seconds<'c, E: Executor<'c, Database = Any>>(ex: E, tenant_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT offer_token_ttl_seconds FROM tenants WHERE id = $1").bind(tenant_id).fetch_optional(ex).await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?.unwrap_or(1800))
}
