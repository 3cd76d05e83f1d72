//! SQL for presentation schemas, within one tenant and environment.
use super::Scoped;
use super::record::{Record, one};
use super::row::{self, impl_record, stamped};
use crate::model::PresentationSchema;
use sqlx::{Any, Executor, Row, any::AnyRow};

impl_record!(PresentationSchema, "presentation_schemas", "id, name, fields, offer_slots, environment, created_at, updated_at", schema);

fn schema(r: &AnyRow) -> Result<PresentationSchema, sqlx::Error> {
    stamped!(r => PresentationSchema { id, name; fields: row::json(r, "fields")?, offer_slots: row::json(r, "offer_slots")? })
}

/// Creates or replaces the schema `id` and answers it; `None` when `id` belongs to another
/// tenant or environment (nothing is written).
pub async fn upsert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    name: &str,
    (fields, slots): (&str, &str),
    now: i64,
) -> Result<Option<PresentationSchema>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO presentation_schemas (id, tenant_id, environment, name, fields, offer_slots, created_at, updated_at) VALUES ($3, $1, $2, $4, $5, $6, $7, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, fields = excluded.fields, offer_slots = excluded.offer_slots, updated_at = excluded.updated_at \
         WHERE presentation_schemas.tenant_id = excluded.tenant_id AND presentation_schemas.environment = excluded.environment RETURNING {}",
        PresentationSchema::COLS
    );
    one(super::scoped(scope, &sql).bind(id).bind(name).bind(fields).bind(slots).bind(now), ex).await
}

/// Names of the experiences that use a schema.
pub async fn used_by<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, schema_id: &str) -> Result<Vec<String>, sqlx::Error> {
    super::scoped(scope, "SELECT name FROM experiences WHERE tenant_id = $1 AND environment = $2 AND schema_id = $3 ORDER BY name")
        .bind(schema_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}
