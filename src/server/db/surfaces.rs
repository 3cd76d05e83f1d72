//! SQL for surfaces, within one tenant and environment.
use super::{Scoped, env_of, ms_to_rfc3339, now_ms};
use crate::model::Surface;
use sqlx::{Any, Executor, Row, any::AnyRow};

fn surface(r: &AnyRow) -> Result<Surface, sqlx::Error> {
    Ok(Surface {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        slug: r.try_get("slug")?,
        slots: serde_json::from_str(&r.try_get::<String, _>("slots")?).unwrap_or_default(),
        environment: env_of(&r.try_get::<String, _>("environment")?),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
        updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
    })
}

const COLS: &str = "id, name, slug, slots, environment, created_at, updated_at";

pub async fn upsert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str, name: &str, slug: &str, slots: &str) -> Result<bool, sqlx::Error> {
    super::scoped(
        scope,
        "INSERT INTO surfaces (id, tenant_id, environment, name, slug, slots, created_at, updated_at) VALUES ($3, $1, $2, $4, $5, $6, $7, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, slug = excluded.slug, slots = excluded.slots, updated_at = excluded.updated_at \
         WHERE surfaces.tenant_id = excluded.tenant_id AND surfaces.environment = excluded.environment",
    )
    .bind(id)
    .bind(name)
    .bind(slug)
    .bind(slots)
    .bind(now_ms())
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<Surface>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM surfaces WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| surface(&r))
        .transpose()
}

pub async fn by_slug<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, slug: &str) -> Result<Option<Surface>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM surfaces WHERE tenant_id = $1 AND environment = $2 AND slug = $3"))
        .bind(slug)
        .fetch_optional(ex)
        .await?
        .map(|r| surface(&r))
        .transpose()
}

pub async fn list<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<Surface>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {COLS} FROM surfaces WHERE tenant_id = $1 AND environment = $2 ORDER BY id DESC"))
        .fetch_all(ex)
        .await?
        .iter()
        .map(surface)
        .collect()
}

/// One page of surfaces, newest first, and whether more follow.
pub async fn page<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Surface>, bool), sqlx::Error> {
    let of = super::PageOf { table: "surfaces", cols: COLS, filter: "" };
    super::page_by_id(ex, scope, of, starting_after, limit, surface).await
}

pub async fn token_ttl_seconds<'c, E: Executor<'c, Database = Any>>(ex: E, tenant_id: &str) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT offer_token_ttl_seconds FROM tenants WHERE id = $1").bind(tenant_id).fetch_optional(ex).await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?.unwrap_or(1800))
}

pub async fn delete<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<bool, sqlx::Error> {
    super::delete_row(ex, super::DeletableTable::Surfaces, scope, id).await
}
