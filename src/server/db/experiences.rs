//! SQL for experiences, within one tenant and environment.
use super::Scoped;
use super::record::{Record, one};
use super::row::{self, impl_record, stamped};
use crate::model::{Experience, ExperienceKind};
use sqlx::{Any, Executor, Row, any::AnyRow};

impl_record!(Experience, "experiences", "id, name, kind, html, schema_id, content, offers, environment, created_at, updated_at", experience);

fn experience(r: &AnyRow) -> Result<Experience, sqlx::Error> {
    let kind = if r.try_get::<String, _>("kind")? == "app" { ExperienceKind::App } else { ExperienceKind::Html };
    let content = serde_json::from_str(&r.try_get::<String, _>("content")?).unwrap_or(serde_json::json!({}));
    stamped!(r => Experience { id, name, html, schema_id; kind: kind, content: content, offers: row::json(r, "offers")? })
}

pub struct ExperienceRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: ExperienceKind,
    pub html: Option<&'a str>,
    pub schema_id: Option<&'a str>,
    pub content: &'a str,
    pub offers: &'a str,
    pub now: i64,
}

/// Creates or replaces the experience and answers it; `None` when its id belongs to another
/// tenant or environment (nothing is written).
pub async fn upsert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, x: ExperienceRow<'_>) -> Result<Option<Experience>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO experiences (id, tenant_id, environment, name, kind, html, schema_id, content, offers, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, html = excluded.html, schema_id = excluded.schema_id, \
           content = excluded.content, offers = excluded.offers, updated_at = excluded.updated_at \
         WHERE experiences.tenant_id = excluded.tenant_id AND experiences.environment = excluded.environment RETURNING {}",
        Experience::COLS
    );
    let q = super::scoped(scope, &sql)
        .bind(x.id)
        .bind(x.name)
        .bind(if x.kind == ExperienceKind::App { "app" } else { "html" })
        .bind(x.html.map(str::to_string))
        .bind(x.schema_id.map(str::to_string))
        .bind(x.content)
        .bind(x.offers)
        .bind(x.now);
    one(q, ex).await
}
