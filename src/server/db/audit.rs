//! SQL for the audit log: who did what to which object, when. Written in the same transaction
//! as the change it describes.
use super::{Scoped, new_id};
use sqlx::{Any, Executor, Row};

pub struct Entry<'a> {
    pub scope: Option<&'a Scoped>,
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub details: Option<String>,
}

impl<'a> Entry<'a> {
    /// An entry about one object of `scope`, without details.
    pub fn of(scope: &'a Scoped, actor: &'a str, action: &'a str, object_type: &'a str, object_id: &'a str) -> Self {
        Entry { scope: Some(scope), actor, action, object_type, object_id, details: None }
    }

    /// An entry about a platform object (a tenant, a user): no scope.
    pub fn platform(actor: &'a str, action: &'a str, object_type: &'a str, object_id: &'a str) -> Self {
        Entry { scope: None, actor, action, object_type, object_id, details: None }
    }

    /// The same entry with a short note (a code, a version, a URL).
    pub fn details(self, details: impl Into<String>) -> Self {
        Entry { details: Some(details.into()), ..self }
    }
}

/// Writes the entry, dated `now` (the caller's clock).
pub async fn record<'c, E: Executor<'c, Database = Any>>(ex: E, e: Entry<'_>, now: i64) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO audit_log (id, tenant_id, environment, actor, action, object_type, object_id, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    sqlx::query(sql)
        .bind(new_id("aud"))
        .bind(e.scope.map(|s| s.tenant_id().to_string()))
        .bind(e.scope.map(|s| s.env().as_str().to_string()))
        .bind(e.actor)
        .bind(e.action)
        .bind(e.object_type)
        .bind(e.object_id)
        .bind(e.details)
        .bind(now)
        .execute(ex)
        .await
        .map(|_| ())
}

/// `(actor, action, object_id)` of a scope's entries, oldest first; used by tests and the log page.
pub async fn list_for_object<'c, E: Executor<'c, Database = Any>>(ex: E, scope: &Scoped, object_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    super::scoped(scope, "SELECT actor, action FROM audit_log WHERE tenant_id = $1 AND environment = $2 AND object_id = $3 ORDER BY created_at, id")
        .bind(object_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("actor")?, r.try_get("action")?)))
        .collect()
}
