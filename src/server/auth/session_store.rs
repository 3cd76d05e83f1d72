//! A tower-sessions store over our own `sessions` table: one implementation for SQLite and
//! PostgreSQL through the same pool (the published sqlx stores are one backend each). The one
//! place that reads the system clock rather than `state.clock`: tower-sessions dates a
//! session's expiry by the system clock, so the store compares against the same one.
use crate::server::db::{self, Db};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DbHandle,
}

#[derive(Clone)]
struct DbHandle(Db);

impl std::fmt::Debug for DbHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.0.backend)
    }
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db: DbHandle(db) }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry_ms(r: &Record) -> i64 {
    (r.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // A fresh id collides only by astronomical chance; retry with a new one if it does.
        for _ in 0..3 {
            match db::platform::sessions::insert_new(&self.db.0.pool, &record.id.to_string(), &data, expiry_ms(record)).await {
                Ok(()) => return Ok(()),
                Err(e) if crate::server::is_unique_violation(&e) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
        Err(backend("could not allocate a session id"))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        db::platform::sessions::upsert(&self.db.0.pool, &record.id.to_string(), &data, expiry_ms(record)).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(data) = db::platform::sessions::load(&self.db.0.pool, &id.to_string(), db::now_ms()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        // The expiry is recomputed by the session layer on every request (idle expiry).
        Ok(Some(Record { id: *id, data, expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(1) }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        db::platform::sessions::delete(&self.db.0.pool, &id.to_string()).await.map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        db::platform::sessions::delete_expired(&self.db.0.pool, db::now_ms()).await.map(|_| ()).map_err(backend)
    }
}
