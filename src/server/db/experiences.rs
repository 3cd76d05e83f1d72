//! SQL for presentation schemas and experiences, within one tenant and environment.
use super::{Scoped, env_of, ms_to_rfc3339, now_ms};
use crate::model::{Experience, ExperienceKind, PresentationSchema};
use sqlx::{Any, Executor, Row, any::AnyRow};

fn schema(r: &AnyRow) -> Result<PresentationSchema, sqlx::Error> {
    Ok(PresentationSchema {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        fields: serde_json::from_str(&r.try_get::<String, _>("fields")?).unwrap_or_default(),
        offer_slots: serde_json::from_str(&r.try_get::<String, _>("offer_slots")?).unwrap_or_default(),
        environment: env_of(&r.try_get::<String, _>("environment")?),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
        updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
    })
}

const SCHEMA_COLS: &str = "id, name, fields, offer_slots, environment, created_at, updated_at";

pub async fn upsert_schema<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    name: &str,
    fields: &str,
    slots: &str,
) -> Result<bool, sqlx::Error> {
    super::scoped(scope, "INSERT INTO presentation_schemas (id, tenant_id, environment, name, fields, offer_slots, created_at, updated_at) VALUES ($3, $1, $2, $4, $5, $6, $7, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, fields = excluded.fields, offer_slots = excluded.offer_slots, updated_at = excluded.updated_at \
         WHERE presentation_schemas.tenant_id = excluded.tenant_id AND presentation_schemas.environment = excluded.environment",)
    .bind(id)
    .bind(name)
    .bind(fields)
    .bind(slots)
    .bind(now_ms())
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn get_schema<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<PresentationSchema>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {SCHEMA_COLS} FROM presentation_schemas WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| schema(&r))
        .transpose()
}

pub async fn list_schemas<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<PresentationSchema>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {SCHEMA_COLS} FROM presentation_schemas WHERE tenant_id = $1 AND environment = $2 ORDER BY id DESC"))
        .fetch_all(ex)
        .await?
        .iter()
        .map(schema)
        .collect()
}

/// One page of presentation schemas, newest first, and whether more follow.
pub async fn page_schemas<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<PresentationSchema>, bool), sqlx::Error> {
    let of = super::PageOf { table: "presentation_schemas", cols: SCHEMA_COLS, filter: "" };
    super::page_by_id(ex, scope, of, starting_after, limit, schema).await
}

pub async fn delete_schema<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<bool, sqlx::Error> {
    super::delete_row(ex, super::DeletableTable::PresentationSchemas, scope, id).await
}

/// Names of the experiences that use a schema.
pub async fn experiences_using_schema<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, schema_id: &str) -> Result<Vec<String>, sqlx::Error> {
    super::scoped(scope, "SELECT name FROM experiences WHERE tenant_id = $1 AND environment = $2 AND schema_id = $3 ORDER BY name")
        .bind(schema_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}

fn experience(r: &AnyRow) -> Result<Experience, sqlx::Error> {
    Ok(Experience {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: if r.try_get::<String, _>("kind")? == "app" { ExperienceKind::App } else { ExperienceKind::Html },
        html: r.try_get("html")?,
        schema_id: r.try_get("schema_id")?,
        content: serde_json::from_str(&r.try_get::<String, _>("content")?).unwrap_or(serde_json::json!({})),
        offers: serde_json::from_str(&r.try_get::<String, _>("offers")?).unwrap_or_default(),
        environment: env_of(&r.try_get::<String, _>("environment")?),
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
        updated_at: ms_to_rfc3339(r.try_get("updated_at")?),
    })
}

const EXP_COLS: &str = "id, name, kind, html, schema_id, content, offers, environment, created_at, updated_at";

pub struct ExperienceRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: ExperienceKind,
    pub html: Option<&'a str>,
    pub schema_id: Option<&'a str>,
    pub content: &'a str,
    pub offers: &'a str,
}

pub async fn upsert_experience<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, x: ExperienceRow<'_>) -> Result<bool, sqlx::Error> {
    super::scoped(
        scope,
        "INSERT INTO experiences (id, tenant_id, environment, name, kind, html, schema_id, content, offers, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, html = excluded.html, schema_id = excluded.schema_id, \
           content = excluded.content, offers = excluded.offers, updated_at = excluded.updated_at \
         WHERE experiences.tenant_id = excluded.tenant_id AND experiences.environment = excluded.environment",
    )
    .bind(x.id)
    .bind(x.name)
    .bind(if x.kind == ExperienceKind::App { "app" } else { "html" })
    .bind(x.html.map(str::to_string))
    .bind(x.schema_id.map(str::to_string))
    .bind(x.content)
    .bind(x.offers)
    .bind(now_ms())
    .execute(ex)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn get_experience<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<Experience>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {EXP_COLS} FROM experiences WHERE tenant_id = $1 AND environment = $2 AND id = $3"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| experience(&r))
        .transpose()
}

pub async fn list_experiences<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Vec<Experience>, sqlx::Error> {
    super::scoped(scope, &format!("SELECT {EXP_COLS} FROM experiences WHERE tenant_id = $1 AND environment = $2 ORDER BY id DESC"))
        .fetch_all(ex)
        .await?
        .iter()
        .map(experience)
        .collect()
}

/// One page of experiences, newest first, and whether more follow.
pub async fn page_experiences<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Experience>, bool), sqlx::Error> {
    let of = super::PageOf { table: "experiences", cols: EXP_COLS, filter: "" };
    super::page_by_id(ex, scope, of, starting_after, limit, experience).await
}

pub async fn delete_experience<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<bool, sqlx::Error> {
    super::delete_row(ex, super::DeletableTable::Experiences, scope, id).await
}
