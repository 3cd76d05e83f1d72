//! SQL of versions (API.md §14): the frozen versions, the deploys, the version live runs, and
//! (in [`config`]) the configuration a version carries. Versions, deploys and the preview → live
//! id map are tenant-wide rows — a version crosses from preview to live — so these statements
//! bind the tenant of the caller's scope alone, whatever its environment.
pub mod config;

use super::{Scoped, ms_to_rfc3339};
use crate::model::{ChangeSummary, Deployment, LiveVersion, Version};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

const COLS: &str = "v.id, v.number, v.name, v.note, v.summary, v.config, v.created_by, v.created_at, CAST(CASE WHEN t.live_version_id = v.id THEN 1 ELSE 0 END AS BIGINT) AS live";

/// A version row and its configuration document (JSON text).
pub struct Stored {
    pub version: Version,
    pub config: String,
}

fn summary(text: &str) -> ChangeSummary {
    serde_json::from_str(text).unwrap_or_default()
}

fn stored(r: &AnyRow) -> Result<Stored, sqlx::Error> {
    let config: String = r.try_get("config")?;
    let doc: config::Doc = serde_json::from_str(&config).unwrap_or_default();
    let objects = doc.iter().filter(|(_, o)| !o.is_empty()).map(|(k, o)| (k.clone(), o.len() as i64)).collect();
    let live = r.try_get::<i64, _>("live")? != 0;
    let version = Version {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        name: r.try_get("name")?,
        note: r.try_get("note")?,
        summary: summary(&r.try_get::<String, _>("summary")?),
        objects,
        live,
        created_by: r.try_get("created_by")?,
        created_at: ms_to_rfc3339(r.try_get("created_at")?),
    };
    Ok(Stored { version, config })
}

pub struct NewVersion<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub note: &'a str,
    pub config: &'a str,
    pub summary: ChangeSummary,
    pub created_by: &'a str,
    pub now: i64,
}

/// Stores the tenant's next version (numbers come from the rows already there: call inside a
/// write transaction) and answers its number.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, v: NewVersion<'_>) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO config_versions (id, tenant_id, number, name, note, config, summary, created_by, created_at) \
               SELECT $2, $1, COALESCE(MAX(number), 0) + 1, $3, $4, $5, $6, $7, $8 FROM config_versions WHERE tenant_id = $1 RETURNING number";
    let row = sqlx::query(sql)
        .bind(scope.tenant_id())
        .bind(v.id)
        .bind(v.name)
        .bind(v.note)
        .bind(v.config)
        .bind(serde_json::to_string(&v.summary).unwrap_or_default())
        .bind(v.created_by)
        .bind(v.now)
        .fetch_one(ex)
        .await?;
    row.try_get(0)
}

pub async fn count<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM config_versions WHERE tenant_id = $1").bind(scope.tenant_id()).fetch_one(ex).await?.try_get(0)
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let sql = format!("SELECT {COLS} FROM config_versions v JOIN tenants t ON t.id = v.tenant_id WHERE v.tenant_id = $1 AND v.id = $2");
    sqlx::query(&sql).bind(scope.tenant_id()).bind(id).fetch_optional(ex).await?.map(|r| stored(&r)).transpose()
}

/// Newest first, after the version `starting_after` (none: from the newest); and whether more follow.
pub async fn page<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    scope: &Scoped,
    starting_after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Version>, bool), sqlx::Error> {
    let sql = format!(
        "SELECT {COLS} FROM config_versions v JOIN tenants t ON t.id = v.tenant_id WHERE v.tenant_id = $1 \
         AND ($2 IS NULL OR v.number < (SELECT k.number FROM config_versions k WHERE k.tenant_id = $1 AND k.id = $2)) \
         ORDER BY v.number DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(scope.tenant_id()).bind(starting_after.map(str::to_string)).bind(limit + 1).fetch_all(ex).await?;
    let items = rows.iter().map(|r| stored(r).map(|s| s.version)).collect::<Result<Vec<_>, _>>()?;
    Ok(super::split_page(items, limit))
}

/// The version live runs, if any.
pub async fn live<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Option<LiveVersion>, sqlx::Error> {
    let sql = "SELECT v.id, v.number, v.name FROM tenants t JOIN config_versions v ON v.id = t.live_version_id WHERE t.id = $1";
    let row = sqlx::query(sql).bind(scope.tenant_id()).fetch_optional(ex).await?;
    row.map(|r| Ok(LiveVersion { id: r.try_get(0)?, number: r.try_get(1)?, name: r.try_get(2)? })).transpose()
}

/// Takes the tenant's row lock (freezes and deploys of one tenant run one at a time on
/// PostgreSQL; SQLite's write transaction already excludes the others) and answers the version
/// live runs now.
pub async fn lock_live<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("UPDATE tenants SET live_version_id = live_version_id WHERE id = $1 RETURNING live_version_id")
        .bind(scope.tenant_id())
        .fetch_optional(ex)
        .await?;
    Ok(row.map(|r| r.try_get::<Option<String>, _>(0)).transpose()?.flatten())
}

pub struct NewDeployment<'a> {
    pub id: &'a str,
    pub version_id: &'a str,
    pub from_version_id: Option<&'a str>,
    pub summary: ChangeSummary,
    pub deployed_by: &'a str,
    pub now: i64,
}

/// Records a deploy and makes its version the one live runs.
pub async fn deployed(conn: &mut sqlx::AnyConnection, scope: &Scoped, d: NewDeployment<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO version_deployments (id, tenant_id, version_id, from_version_id, summary, deployed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(d.id)
    .bind(scope.tenant_id())
    .bind(d.version_id)
    .bind(d.from_version_id.map(str::to_string))
    .bind(serde_json::to_string(&d.summary).unwrap_or_default())
    .bind(d.deployed_by)
    .bind(d.now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE tenants SET live_version_id = $2 WHERE id = $1").bind(scope.tenant_id()).bind(d.version_id).execute(&mut *conn).await?;
    Ok(())
}

const DEPLOYMENT: &str = "SELECT d.id, d.version_id, v.number, v.name, d.from_version_id, f.number AS from_number, d.summary, d.deployed_by, d.created_at \
     FROM version_deployments d JOIN config_versions v ON v.id = d.version_id LEFT JOIN config_versions f ON f.id = d.from_version_id \
     WHERE d.tenant_id = $1";

fn deployment(r: &AnyRow) -> Result<Deployment, sqlx::Error> {
    Ok(Deployment {
        id: r.try_get(0)?,
        version_id: r.try_get(1)?,
        version_number: r.try_get(2)?,
        version_name: r.try_get(3)?,
        from_version_id: r.try_get(4)?,
        from_version_number: r.try_get(5)?,
        summary: summary(&r.try_get::<String, _>(6)?),
        deployed_by: r.try_get(7)?,
        deployed_at: ms_to_rfc3339(r.try_get(8)?),
    })
}

/// The tenant's latest deploys, newest first.
pub async fn deployments<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, limit: i64) -> Result<Vec<Deployment>, sqlx::Error> {
    let sql = format!("{DEPLOYMENT} ORDER BY d.created_at DESC, d.id DESC LIMIT $2");
    sqlx::query(&sql).bind(scope.tenant_id()).bind(limit).fetch_all(ex).await?.iter().map(deployment).collect()
}

/// One deploy of the tenant.
pub async fn get_deployment<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, id: &str) -> Result<Option<Deployment>, sqlx::Error> {
    let sql = format!("{DEPLOYMENT} AND d.id = $2");
    sqlx::query(&sql).bind(scope.tenant_id()).bind(id).fetch_optional(ex).await?.map(|r| deployment(&r)).transpose()
}
