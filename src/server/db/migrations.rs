//! The schema's migrations: `migrations/*.sql` serve both databases; `migrations/sqlite/` and
//! `migrations/postgres/` hold only the versions whose SQL differs between them. Both sets are
//! embedded at build time and merged by version, so a version exists once per backend.
use super::Backend;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, Migrator};

static SHARED: Migrator = sqlx::migrate!("./migrations");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

type Resolved = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>> + Send>>;

/// The shared migrations plus one backend's own, in version order.
#[derive(Debug, Clone, Copy)]
struct Merged(Backend);

impl MigrationSource<'static> for Merged {
    fn resolve(self) -> Resolved {
        Box::pin(async move { merged(self.0) })
    }
}

fn merged(backend: Backend) -> Result<Vec<Migration>, sqlx::error::BoxDynError> {
    let own = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    let mut all: Vec<Migration> = SHARED.iter().chain(own.iter()).cloned().collect();
    all.sort_by_key(|m| m.version);
    if let Some(w) = all.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(format!("migration {} is both shared and backend-specific", w[0].version).into());
    }
    Ok(all)
}

pub async fn run(pool: &sqlx::AnyPool, backend: Backend) -> Result<(), MigrateError> {
    Migrator::new(Merged(backend)).await?.run(pool).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_has_every_version_once() {
        let sqlite: Vec<i64> = merged(Backend::Sqlite).unwrap().iter().map(|m| m.version).collect();
        let postgres: Vec<i64> = merged(Backend::Postgres).unwrap().iter().map(|m| m.version).collect();
        assert_eq!(sqlite, postgres, "both databases go through the same versions");
        assert!(sqlite.windows(2).all(|w| w[0] < w[1]));
        assert!(SHARED.iter().count() > SQLITE.iter().count(), "identical SQL lives in the shared folder");
    }
}
