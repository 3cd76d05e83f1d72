//! SQL for redemption methods and their workflow versions, within one tenant and environment.
use super::record::one;
use super::row::{self, impl_record, stamped};
use super::{Scoped, ms_to_rfc3339};
use crate::model::{MethodSchema, MethodSettings, RedemptionMethod, WorkflowVersion};
use sqlx::{Any, Executor, Row, any::AnyRow};

const COLS: &str = "id, name, slug, schema_kind, settings, status, current_version, environment, created_at, updated_at";

impl_record!(RedemptionMethod, "redemption_methods", COLS, method);

fn method(r: &AnyRow) -> Result<RedemptionMethod, sqlx::Error> {
    let schema = MethodSchema::parse(&r.try_get::<String, _>("schema_kind")?).unwrap_or(MethodSchema::Custom);
    stamped!(r => RedemptionMethod { id, name, slug, current_version;
        schema: schema, redemption_schema: schema.redemption_schema().into(), settings: row::json(r, "settings")?, status: row::status(r)? })
}

pub struct NewMethod<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub slug: &'a str,
    pub schema: MethodSchema,
    pub settings: &'a MethodSettings,
    pub now: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, m: NewMethod<'_>) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO redemption_methods (id, tenant_id, environment, name, slug, schema_kind, settings, status, current_version, created_at, updated_at) \
         VALUES ($3, $1, $2, $4, $5, $6, $7, 'active', NULL, $8, $8)";
    super::scoped(scope, sql)
        .bind(m.id)
        .bind(m.name)
        .bind(m.slug)
        .bind(m.schema.as_str())
        .bind(serde_json::to_string(m.settings).unwrap_or_default())
        .bind(m.now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// Renames the method or changes its slug or settings and answers it; `None` when the scope
/// has no such row.
pub async fn update<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    name: &str,
    slug: &str,
    settings: &MethodSettings,
    now: i64,
) -> Result<Option<RedemptionMethod>, sqlx::Error> {
    let sql = format!(
        "UPDATE redemption_methods SET name = $3, slug = $4, settings = $5, updated_at = $6 WHERE tenant_id = $1 AND environment = $2 AND id = $7 RETURNING {COLS}"
    );
    let settings = serde_json::to_string(settings).unwrap_or_default();
    one(super::scoped(scope, &sql).bind(name).bind(slug).bind(settings).bind(now).bind(id), ex).await
}

/// Makes `version` the method's current workflow and answers the method.
pub async fn set_current_version<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    id: &str,
    version: i64,
    now: i64,
) -> Result<Option<RedemptionMethod>, sqlx::Error> {
    let sql =
        format!("UPDATE redemption_methods SET current_version = $3, updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $5 RETURNING {COLS}");
    one(super::scoped(scope, &sql).bind(version).bind(now).bind(id), ex).await
}

pub struct NewVersion<'a> {
    pub id: &'a str,
    pub method_id: &'a str,
    pub source: &'a str,
    pub compiled_js: &'a str,
    pub source_map: &'a str,
    pub created_by: &'a str,
    pub now: i64,
}

/// Inserts the next version number of the method and returns it; the unique (method, version)
/// pair makes two concurrent saves conflict instead of sharing a number.
pub async fn insert_version<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, v: NewVersion<'_>) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO workflow_versions (id, tenant_id, environment, method_id, version, source, compiled_js, source_map, created_by, created_at) \
         SELECT $3, $1, $2, $4, COALESCE(MAX(version), 0) + 1, $5, $6, $7, $8, $9 FROM workflow_versions WHERE method_id = $4 \
         RETURNING version";
    let row = super::scoped(scope, sql)
        .bind(v.id)
        .bind(v.method_id)
        .bind(v.source)
        .bind(v.compiled_js)
        .bind(v.source_map)
        .bind(v.created_by)
        .bind(v.now)
        .fetch_one(ex)
        .await?;
    row.try_get(0)
}

pub struct StoredVersion {
    pub version: i64,
    pub source: String,
    pub compiled_js: String,
    pub source_map: String,
}

pub async fn get_version<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    method_id: &str,
    version: i64,
) -> Result<Option<StoredVersion>, sqlx::Error> {
    let sql = "SELECT version, source, compiled_js, source_map FROM workflow_versions \
         WHERE tenant_id = $1 AND environment = $2 AND method_id = $3 AND version = $4";
    super::scoped(scope, sql)
        .bind(method_id)
        .bind(version)
        .fetch_optional(ex)
        .await?
        .map(|r| Ok(StoredVersion { version: r.try_get(0)?, source: r.try_get(1)?, compiled_js: r.try_get(2)?, source_map: r.try_get(3)? }))
        .transpose()
}

fn version(r: &AnyRow) -> Result<WorkflowVersion, sqlx::Error> {
    Ok(WorkflowVersion {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        source: r.try_get("source")?,
        created_by: r.try_get("created_by")?,
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    })
}

/// One page of a method's workflow versions, newest first, and whether more follow; the cursor
/// is a version's `id` and must belong to the same method.
pub async fn page_versions<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    method_id: &str,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<WorkflowVersion>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT id, version, source, created_by, created_at FROM workflow_versions \
         WHERE tenant_id = $1 AND environment = $2 AND method_id = $3 AND {after} ORDER BY version DESC LIMIT $5",
        after = super::after_cursor("workflow_versions", "workflow_versions", 4, super::Keyset::Version, "AND k.method_id = $3")
    );
    let rows = super::scoped(scope, &sql).bind(method_id).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    let items = rows.iter().map(version).collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(super::split_page(items, limit))
}
