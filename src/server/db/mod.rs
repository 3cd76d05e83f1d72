//! All SQL lives under this module, written once for SQLite and PostgreSQL (`$n` placeholders,
//! BIGINT instants in unix ms). This file is the only place that branches on the backend:
//! connection pragmas and the migration folder. Tenant-owned tables take a `Scoped` first.
pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod batches;
pub mod checkout;
pub mod coupons;
pub mod discounts;
pub mod experiences;
pub mod idempotency;
pub mod impressions;
pub mod integrations;
pub mod methods;
mod migrations;
pub mod offers;
pub mod origins;
pub mod platform;
pub mod prices;
pub mod products;
pub mod rates;
pub mod record;
pub mod redemptions;
pub mod redirects;
pub mod row;
pub mod schemas;
pub mod signup;
pub mod surfaces;
pub mod versions;
pub mod webhooks;
pub mod worker;

use crate::model::Environment;
pub use crate::server::auth::{Scoped, Trust};
pub use crate::server::clock::{ms_to_rfc3339, now_ms, rfc3339_to_ms};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Db {
    /// Connects to `url`. `search_path` (PostgreSQL only) lets tests give each test its own schema.
    pub async fn connect(url: &str, search_path: Option<String>) -> Result<Db, sqlx::Error> {
        install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration("DATABASE_URL must start with sqlite: or postgres:".into()));
        };
        let mut url = url.to_string();
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_file(&url)
                && let Some(dir) = std::path::Path::new(&path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            // A SQLite connection is a file handle that cannot go stale: no round trip to the
            // connection's worker thread before every use (2.7 % of a redemption's CPU). A
            // PostgreSQL connection may have been closed by the server, so it is still checked.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                let search_path = search_path.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                        }
                        Backend::Postgres => {
                            if let Some(sp) = search_path {
                                conn.execute(format!("SET search_path TO \"{}\"", sp.replace('"', "")).as_str()).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // WAL is a property of the file; setting it once is enough.
            sqlx::query("PRAGMA journal_mode = WAL").fetch_optional(&pool).await?;
        }
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        migrations::run(&self.pool, self.backend).await
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later cannot
    /// upgrade its lock once another connection has written, and fails with "database is
    /// locked" at once, whatever the busy timeout. Waiting for the lock up front is what the
    /// busy timeout is for. On PostgreSQL it is a plain `BEGIN` (row locks do the rest).
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.map(|_| ())
    }
}

fn sqlite_file(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.to_string())
}

/// A statement over one tenant's rows: `$1` is always the tenant and `$2` the environment, bound
/// here from the [`Scoped`] that authorization handed out; the caller binds `$3` onwards.
pub fn scoped<'q>(scope: &'q Scoped, sql: &'q str) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql).bind(scope.tenant_id()).bind(scope.env().as_str())
}

/// `VALUES` rows for a multi-row insert bound strictly in order: `($1, $2), ($3, $4)` on
/// PostgreSQL, `(?, ?), (?, ?)` on SQLite, where every `$n` is a named parameter that binding
/// looks up with a linear scan (quadratic in the parameters of the statement; it showed as a
/// few per cent of decision CPU under perf).
pub fn value_rows(backend: Backend, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=cols)
                .map(|c| match backend {
                    Backend::Sqlite => "?".to_string(),
                    Backend::Postgres => format!("${}", r * cols + c),
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The order of a newest-first list, for [`after_cursor`].
#[derive(Debug, Clone, Copy)]
pub enum Keyset {
    /// `ORDER BY id DESC` (ids are time-ordered, see [`new_id`]).
    Id,
    /// `ORDER BY created_at DESC, id DESC` (rows whose instant comes from the clock).
    CreatedAt,
    /// `ORDER BY version DESC` (workflow versions).
    Version,
}

/// The `startingAfter` condition of a keyset page: `$n IS NULL`, or the rows of `qualifier`
/// (the listed table's name or alias) that come after the cursor row `$n` of `table` in the
/// same tenant and environment (`$1`, `$2`) — `extra` narrows the cursor row further, e.g.
/// `AND k.coupon_id = $3`. A cursor that names no such row (never existed, or deleted since)
/// matches nothing: the page is empty, `hasMore: false`.
pub fn after_cursor(table: &str, qualifier: &str, n: usize, key: Keyset, extra: &str) -> String {
    let after = match key {
        Keyset::Id => format!("{qualifier}.id < k.id"),
        Keyset::CreatedAt => format!("({qualifier}.created_at < k.created_at OR ({qualifier}.created_at = k.created_at AND {qualifier}.id < k.id))"),
        Keyset::Version => format!("{qualifier}.version < k.version"),
    };
    format!("(${n} IS NULL OR EXISTS (SELECT 1 FROM {table} k WHERE k.tenant_id = $1 AND k.environment = $2 AND k.id = ${n} {extra} AND {after}))")
}

/// The rows of one scoped table a keyset page reads: `SELECT {cols} FROM {table} WHERE tenant_id
/// = $1 AND environment = $2 {filter}`, newest id first.
pub struct PageOf<'a> {
    pub table: &'a str,
    pub cols: &'a str,
    /// Extra condition, e.g. `AND status <> 'deleted'`; empty for none.
    pub filter: &'a str,
}

/// One page (newest id first, `startingAfter` as in [`after_cursor`]) of a scoped table, and
/// whether more follow: the list query every plain resource shares.
pub async fn page_by_id<'c, E: Executor<'c, Database = sqlx::Any>, T>(
    ex: E,
    scope: &Scoped,
    of: PageOf<'_>,
    starting_after: Option<&str>,
    limit: i64,
    map: impl Fn(&sqlx::any::AnyRow) -> Result<T, sqlx::Error>,
) -> Result<(Vec<T>, bool), sqlx::Error> {
    let PageOf { table, cols, filter } = of;
    let rows = scoped(
        scope,
        &format!(
            "SELECT {cols} FROM {table} WHERE tenant_id = $1 AND environment = $2 {filter} AND {after} ORDER BY id DESC LIMIT $4",
            after = after_cursor(table, table, 3, Keyset::Id, "")
        ),
    )
    .bind(starting_after.map(str::to_string))
    .bind(limit + 1)
    .fetch_all(ex)
    .await?;
    Ok(split_page(rows.iter().map(map).collect::<Result<Vec<_>, _>>()?, limit))
}

/// One page out of `limit + 1` fetched rows, and whether more follow.
pub fn split_page<T>(mut items: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let more = items.len() as i64 > limit;
    items.truncate(limit.max(0) as usize);
    (items, more)
}

/// Opaque, time-ordered ids (`prod_0193…`): lexical order is creation order, which keeps
/// `startingAfter` pagination a plain `id <` comparison.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

pub fn env_of(s: &str) -> Environment {
    Environment::parse(s).unwrap_or(Environment::Preview)
}

/// `LIKE` pattern for a case-insensitive substring search, with `\` escaping.
pub fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ids_sort_by_creation() {
        let a = new_id("prod");
        let b = new_id("prod");
        assert!(a.starts_with("prod_") && a.len() == 37);
        assert!(a < b);
    }
    #[test]
    fn like_escapes_wildcards() {
        assert_eq!(like_pattern("50%_A"), "%50\\%\\_a%");
    }
    #[test]
    fn rfc3339() {
        assert_eq!(ms_to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(sqlite_file("sqlite://data/x.db?mode=rwc").as_deref(), Some("data/x.db"));
    }
}
