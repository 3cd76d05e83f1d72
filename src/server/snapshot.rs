//! The surface-decision configuration of one tenant and environment, held in memory so that a
//! decision reads nothing from the database: surfaces by slug, experiences, offers (with their
//! validity windows pre-parsed), the redemption schema of each method and the token lifetime.
//!
//! Verified API keys are held the same way (by keyed hash, never the key itself): a request
//! with a known key reads nothing from the database either. Revoking a key or suspending or
//! resuming a tenant calls [`Snapshots::keys_changed`], which empties the key cache here and,
//! through the same notification, on every other node. Entries also expire after
//! [`KEY_TTL`] as a bound on staleness should a notification ever be missed.
//!
//! A snapshot is loaded on first use and dropped whenever the configuration changes: services
//! call [`Snapshots::changed`] after committing, which forgets the local copy and, on PostgreSQL,
//! sends `NOTIFY offerdeck_config` so that every other offerdeck process sharing the database
//! forgets its copy too ([`listen`]). A process whose listening connection drops forgets
//! everything, since it may have missed notifications meanwhile.
use crate::model::{Experience, Offer, ProductStatus, Surface};
use crate::server::db::platform::keys::ActiveKey;
use crate::server::db::{self, Backend, Db, Scoped, Trust};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub const CHANNEL: &str = "offerdeck_config";
/// The environment part of a notification that concerns API keys rather than one scope.
const KEYS: &str = "keys";
pub const KEY_TTL: std::time::Duration = std::time::Duration::from_secs(60);

pub struct OfferEntry {
    pub offer: Offer,
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub redemption_schema: String,
}

pub struct Snapshot {
    pub surfaces: HashMap<String, Surface>,
    pub experiences: HashMap<String, Experience>,
    pub offers: HashMap<String, OfferEntry>,
    pub token_ttl_seconds: i64,
}

impl Snapshot {
    async fn load(db: &Db, scope: &Scoped) -> Result<Snapshot, sqlx::Error> {
        // One read transaction: a deploy commits live's whole configuration at once, and a
        // load that overlapped it sees all of it or none (REPEATABLE READ on PostgreSQL; a
        // SQLite read transaction reads one WAL snapshot throughout).
        let mut conn = match db.backend {
            Backend::Postgres => db.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
            Backend::Sqlite => db.pool.begin().await?,
        };
        let surfaces = db::record::all::<Surface, _>(&mut *conn, scope, "").await?.into_iter().map(|s| (s.slug.clone(), s)).collect();
        let experiences = db::record::all::<Experience, _>(&mut *conn, scope, "").await?.into_iter().map(|x| (x.id.clone(), x)).collect();
        let schemas: HashMap<String, String> = db::record::all::<crate::model::RedemptionMethod, _>(&mut *conn, scope, "")
            .await?
            .into_iter()
            .filter(|m| m.status == ProductStatus::Active)
            .map(|m| (m.id, m.redemption_schema))
            .collect();
        let offers = db::offers::all(&mut *conn, scope)
            .await?
            .into_iter()
            .map(|o| {
                let entry = OfferEntry {
                    from_ms: o.valid_from.as_deref().and_then(db::rfc3339_to_ms),
                    until_ms: o.valid_until.as_deref().and_then(db::rfc3339_to_ms),
                    redemption_schema: schemas.get(&o.redemption_method_id).cloned().unwrap_or_default(),
                    offer: o,
                };
                (entry.offer.id.clone(), entry)
            })
            .collect();
        let token_ttl_seconds = db::surfaces::token_ttl_seconds(&mut *conn, scope.tenant_id()).await?;
        conn.commit().await?;
        Ok(Snapshot { surfaces, experiences, offers, token_ttl_seconds })
    }
}

/// The per-process cache of snapshots.
#[derive(Clone)]
pub struct Snapshots {
    inner: Arc<Inner>,
}

impl Default for Snapshots {
    fn default() -> Self {
        let inner = Inner {
            node: uuid::Uuid::new_v4().simple().to_string(),
            map: RwLock::default(),
            keys: RwLock::default(),
            generation: AtomicU64::default(),
            loads: AtomicU64::default(),
        };
        Snapshots { inner: Arc::new(inner) }
    }
}

struct Inner {
    /// Names this process in its notifications, so that it skips its own echoes.
    node: String,
    map: RwLock<HashMap<Scoped, Arc<Snapshot>>>,
    /// Keyed hash of an API key → the active key it verified as, and when.
    keys: RwLock<HashMap<String, (ActiveKey, std::time::Instant)>>,
    /// Bumped by every invalidation: a load that overlapped one is used once but not kept.
    generation: AtomicU64,
    loads: AtomicU64,
}

impl Snapshots {
    pub async fn get(&self, db: &Db, scope: &Scoped) -> Result<Arc<Snapshot>, sqlx::Error> {
        if let Some(s) = self.inner.map.read().unwrap_or_else(|e| e.into_inner()).get(scope) {
            return Ok(s.clone());
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let snapshot = Arc::new(Snapshot::load(db, scope).await?);
        self.inner.loads.fetch_add(1, Ordering::Relaxed);
        let mut map = self.inner.map.write().unwrap_or_else(|e| e.into_inner());
        if self.inner.generation.load(Ordering::SeqCst) == generation {
            map.insert(scope.clone(), snapshot.clone());
        }
        Ok(snapshot)
    }

    /// How many snapshots this process has loaded from the database (tests and benchmarks use
    /// it to show that decisions do not read configuration).
    pub fn loads(&self) -> u64 {
        self.inner.loads.load(Ordering::Relaxed)
    }

    pub fn forget(&self, scope: &Scoped) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.map.write().unwrap_or_else(|e| e.into_inner()).remove(scope);
    }

    pub fn forget_all(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.map.write().unwrap_or_else(|e| e.into_inner()).clear();
        self.forget_keys();
    }

    fn forget_keys(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        self.inner.keys.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The active key with this keyed hash: from memory, or looked up and remembered. Unknown
    /// and revoked keys are not remembered (each such request asks the database).
    pub async fn active_key(&self, db: &Db, key_hash: &str) -> Result<Option<ActiveKey>, sqlx::Error> {
        if let Some((k, at)) = self.inner.keys.read().unwrap_or_else(|e| e.into_inner()).get(key_hash)
            && at.elapsed() < KEY_TTL
        {
            return Ok(Some(k.clone()));
        }
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let found = db::platform::keys::find_active_by_hash(&db.pool, key_hash).await?;
        if let Some(k) = &found {
            let mut keys = self.inner.keys.write().unwrap_or_else(|e| e.into_inner());
            if self.inner.generation.load(Ordering::SeqCst) == generation {
                keys.insert(key_hash.to_string(), (k.clone(), std::time::Instant::now()));
            }
        }
        Ok(found)
    }

    /// Call after a key was revoked or a tenant suspended or resumed (committed): every node
    /// forgets the keys it had verified.
    pub async fn keys_changed(&self, db: &Db) {
        self.forget_keys();
        self.notify(db, "*", KEYS).await;
    }

    async fn notify(&self, db: &Db, tenant: &str, what: &str) {
        if db.backend == Backend::Postgres {
            let payload = format!("{}:{tenant}:{what}", self.inner.node);
            if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&db.pool).await {
                tracing::warn!("could not notify other nodes of a change: {e}");
            }
        }
    }

    /// Call after a configuration change has been committed: this process forgets the scope at
    /// once, the others when the notification reaches them.
    pub async fn changed(&self, db: &Db, scope: &Scoped) {
        self.forget(scope);
        self.notify(db, scope.tenant_id(), scope.env().as_str()).await;
    }

    /// Forgets every snapshot of a tenant (both environments): tenant-level settings changed.
    pub async fn tenant_changed(&self, db: &Db, tenant_id: &str) {
        for env in [crate::model::Environment::Preview, crate::model::Environment::Live] {
            self.changed(db, &Scoped::trusted(tenant_id, env, Trust::Notification)).await;
        }
    }
}

/// On PostgreSQL: listens for other processes' configuration changes until the process ends.
/// `database_url` is the one the pool was opened with (it may carry a search path).
pub fn listen(snapshots: Snapshots, database_url: String) {
    tokio::spawn(async move {
        loop {
            match sqlx::postgres::PgListener::connect(&database_url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(CHANNEL).await {
                        tracing::warn!("LISTEN {CHANNEL} failed: {e}");
                    } else {
                        // Anything cached before we were listening may be stale.
                        snapshots.forget_all();
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(n)) => {
                                    let mut parts = n.payload().splitn(3, ':');
                                    match (parts.next(), parts.next(), parts.next()) {
                                        // Our own change: already forgotten when it was made.
                                        (Some(node), _, _) if node == snapshots.inner.node => {}
                                        (Some(_), Some(_), Some(KEYS)) => snapshots.forget_keys(),
                                        (Some(_), Some(tenant), Some(env)) => match crate::model::Environment::parse(env) {
                                            Some(env) => snapshots.forget(&Scoped::trusted(tenant, env, Trust::Notification)),
                                            None => snapshots.forget_all(),
                                        },
                                        _ => snapshots.forget_all(),
                                    }
                                }
                                Ok(None) => {
                                    tracing::warn!("configuration listener lost its connection; reconnecting");
                                    snapshots.forget_all();
                                }
                                Err(e) => {
                                    tracing::warn!("configuration listener failed: {e}");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!("configuration listener cannot connect: {e}"),
            }
            snapshots.forget_all();
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
}
