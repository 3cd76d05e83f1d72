//! Versions (API.md §14): merchants build in preview, freeze the configuration into a numbered
//! version, and deploy a version to live in one transaction; a rollback is a deploy of an older
//! version. Each preview object becomes one live object whose id never changes across deploys
//! (`live_ids`), so live events, statistics and offer tokens keep their ids. Once live runs a
//! version, its configuration is changed only by deploys ([`config_scope`]).
use crate::error::{AppError, AppResult, ErrorCode};
use crate::model::{
    ChangeKind, ChangeSummary, Deployment, Environment, LiveVersion, ObjectChange, Page, Version, VersionCreate, VersionDetail, VersionDiff, VersionsData,
    format_amount,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission, Scoped};
use crate::server::db::versions::config::{self, Doc, KINDS, WORKFLOW};
use crate::server::db::{audit, new_id, versions as vdb};
use crate::server::services::records::{cursor, page_limit};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// At most this many versions per tenant (each holds a whole configuration).
pub const MAX_VERSIONS: i64 = 1000;
/// A version's configuration document may take at most this many bytes of JSON.
pub const MAX_CONFIG_BYTES: usize = 8 << 20;
/// The Versions page and the API list this many deploys, newest first.
pub const DEPLOYS_SHOWN: i64 = 50;

/// The scope of a change to a configuration object a version carries: the caller's, unless it
/// is live and live runs a deployed version (409 `conflict` pointing at versions).
pub async fn config_scope<'a>(state: &AppState, actor: &'a Actor) -> AppResult<&'a Scoped> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    if scope.env() == Environment::Live && vdb::live(&state.db.pool, scope).await?.is_some() {
        return Err(AppError::conflict(
            "live runs a deployed version, so its configuration changes only by deploys: make the change in preview, freeze a version and deploy it (Versions, /api/v1/versions)",
        ));
    }
    Ok(scope)
}

/// The version live runs, if any (the dashboard's shell shows it).
pub async fn live_version(state: &AppState, scope: &Scoped) -> AppResult<Option<LiveVersion>> {
    Ok(vdb::live(&state.db.pool, scope).await?)
}

fn camel(col: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in col.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn name_of(kind: &str, m: &Map<String, Value>) -> String {
    if kind == "price" {
        let amount = m.get("unit_amount").and_then(Value::as_i64).unwrap_or(0);
        let currency = m.get("currency").and_then(Value::as_str).unwrap_or("");
        let every = m.get("billing_interval").and_then(Value::as_str).map(|i| format!(" / {i}")).unwrap_or_default();
        return format!("{}{every}", format_amount(amount, currency));
    }
    m.get("name").and_then(Value::as_str).unwrap_or("").to_string()
}

fn changed_fields(kind: &str, target: &Map<String, Value>, live: &Map<String, Value>) -> Vec<String> {
    let derived: Vec<&str> =
        config::kind(kind).map(|k| k.cols.iter().filter(|(_, t)| *t == config::Col::Derived).map(|(c, _)| *c).collect()).unwrap_or_default();
    let mut fields = Vec::new();
    for (key, v) in target {
        if derived.contains(&key.as_str()) {
            continue;
        }
        let same = if key == WORKFLOW { v.get("source") == live.get(key).and_then(|w| w.get("source")) } else { live.get(key) == Some(v) };
        if !same {
            fields.push(camel(key));
        }
    }
    fields
}

/// What making live hold `target` would do, object by object (both documents in preview ids;
/// live objects no version carries keep their live ids).
fn compare(target: &Doc, live: &Doc, map: &HashMap<String, String>) -> (Vec<ObjectChange>, ChangeSummary) {
    let mut changes = Vec::new();
    let mut s = ChangeSummary::default();
    let empty = Default::default();
    for k in KINDS {
        let t = target.get(k.name).unwrap_or(&empty);
        let l = live.get(k.name).unwrap_or(&empty);
        let change = |id: &str, m: &Map<String, Value>, change, fields| ObjectChange {
            kind: k.name.to_string(),
            id: id.to_string(),
            live_id: map.get(id).cloned().or_else(|| (change == ChangeKind::Removed).then(|| id.to_string())),
            name: name_of(k.name, m),
            change,
            fields,
        };
        for (id, m) in t {
            match l.get(id) {
                None => {
                    s.added += 1;
                    changes.push(change(id, m, ChangeKind::Added, vec![]));
                }
                Some(lm) => {
                    let fields = changed_fields(k.name, m, lm);
                    if !fields.is_empty() {
                        s.changed += 1;
                        changes.push(change(id, m, ChangeKind::Changed, fields));
                    }
                }
            }
        }
        for (id, m) in l.iter().filter(|(id, _)| !t.contains_key(*id)) {
            s.removed += 1;
            changes.push(change(id, m, ChangeKind::Removed, vec![]));
        }
    }
    (changes, s)
}

/// Live's configuration in preview ids (through the id map), beside the map itself.
async fn live_doc(conn: &mut sqlx::AnyConnection, live: &Scoped) -> AppResult<(Doc, HashMap<String, String>)> {
    let map = vdb::config::live_ids(conn, live.tenant_id()).await?;
    let inverse: HashMap<&str, &str> = map.iter().map(|(p, l)| (l.as_str(), p.as_str())).collect();
    let doc = config::read_doc(conn, live).await?;
    let doc = config::translate(&doc, &|id| Some(inverse.get(id).map_or_else(|| id.to_string(), |p| p.to_string()))).map_err(|_| AppError::internal())?;
    Ok((doc, map))
}

fn parse_doc(stored: &vdb::Stored) -> AppResult<Doc> {
    serde_json::from_str(&stored.config).map_err(|e| crate::server::internal("version config", e))
}

/// Freezes the current preview configuration as the tenant's next version.
pub async fn create(state: &AppState, actor: &Actor, input: VersionCreate) -> AppResult<Version> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    if actor.is_api_key() && scope.env() != Environment::Preview {
        return Err(AppError::new(ErrorCode::Forbidden, "versions are frozen from preview: use a preview secret key (sk_test_…)"));
    }
    let name = input.name.trim().to_string();
    let note = input.note.unwrap_or_default().trim().to_string();
    let mut e = crate::error::FieldErrors::new();
    if name.is_empty() || name.chars().count() > 200 {
        e.add("name", "is required, at most 200 characters");
    }
    if note.chars().count() > 2000 {
        e.add("note", "at most 2000 characters");
    }
    e.into_result()?;
    let (preview, live) = (scope.tenant_wide(Environment::Preview), scope.tenant_wide(Environment::Live));
    let now = state.clock.now_ms();
    let id = new_id("ver");
    let mut tx = state.db.begin_write().await?;
    // Two freezes at once take numbers one after the other (the tenant's row lock on
    // PostgreSQL; SQLite's write transaction already excludes the other).
    vdb::lock_live(&mut *tx, &live).await?;
    if vdb::count(&mut *tx, scope).await? >= MAX_VERSIONS {
        return Err(AppError::conflict(format!("a tenant keeps at most {MAX_VERSIONS} versions")));
    }
    let doc = config::read_doc(&mut tx, &preview).await?;
    let (live_now, map) = live_doc(&mut tx, &live).await?;
    let (_, summary) = compare(&doc, &live_now, &map);
    let text = serde_json::to_string(&doc).map_err(|e| crate::server::internal("version config", e))?;
    if text.len() > MAX_CONFIG_BYTES {
        return Err(AppError::conflict(format!("the preview configuration takes more than {} MiB; a version cannot carry it", MAX_CONFIG_BYTES >> 20)));
    }
    let by = actor.display();
    let v = vdb::NewVersion { id: &id, name: &name, note: &note, config: &text, summary, created_by: &by, now };
    let number = vdb::insert(&mut *tx, scope, v).await?;
    audit::record(&mut *tx, audit::Entry::of(&preview, &actor.label(), "version.created", "version", &id).details(format!("version {number}")), now).await?;
    tx.commit().await?;
    get(state, actor, &id).await
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Version> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(vdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("version"))?.version)
}

pub async fn list(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<Version>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let (data, has_more) = vdb::page(&state.db.pool, scope, cursor(starting_after), page_limit(limit)?).await?;
    Ok(Page { data, has_more })
}

/// What deploying the version would add, change and remove in live now.
pub async fn diff(state: &AppState, actor: &Actor, id: &str) -> AppResult<VersionDiff> {
    Ok(diff_of(state, actor, id).await?.diff)
}

/// The version, its diff against live and the version live runs, read once each.
async fn diff_of(state: &AppState, actor: &Actor, id: &str) -> AppResult<VersionDetail> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let mut conn = state.db.pool.acquire().await?;
    let stored = vdb::get(&mut *conn, scope, id).await?.ok_or_else(|| AppError::not_found("version"))?;
    let doc = parse_doc(&stored)?;
    let (live_now, map) = live_doc(&mut conn, &scope.tenant_wide(Environment::Live)).await?;
    let (changes, summary) = compare(&doc, &live_now, &map);
    let live = vdb::live(&mut *conn, scope).await?;
    let diff = VersionDiff { version_id: stored.version.id.clone(), live_version_id: live.as_ref().map(|l| l.id.clone()), summary, changes };
    Ok(VersionDetail { version: stored.version, diff, live })
}

pub async fn deployments(state: &AppState, actor: &Actor) -> AppResult<Vec<Deployment>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(vdb::deployments(&state.db.pool, scope, DEPLOYS_SHOWN).await?)
}

/// Deploys the version to live: every price's live Stripe price id is checked against the live
/// Stripe account first, then live becomes the version in one transaction and every node's
/// live snapshot is dropped once. Anything missing is 409 `conflict` naming it, and live stays
/// as it was.
pub async fn deploy(state: &AppState, actor: &Actor, id: &str) -> AppResult<Deployment> {
    let scope = actor.authorize(Permission::TenantWrite)?;
    let stored = vdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("version"))?;
    if actor.is_api_key() && scope.env() != Environment::Live {
        return Err(AppError::new(ErrorCode::Forbidden, "a deploy changes live: use a live secret key (sk_live_…)"));
    }
    let live = scope.tenant_wide(Environment::Live);
    let doc = parse_doc(&stored)?;
    check_prices(state, &live, &doc).await?;
    let now = state.clock.now_ms();
    let by = actor.display();
    let mut tx = state.db.begin_write().await?;
    let from = vdb::lock_live(&mut *tx, &live).await?;
    let (live_now, mut map) = live_doc(&mut tx, &live).await?;
    let (_, summary) = compare(&doc, &live_now, &map);
    config::assign_live_ids(&mut tx, live.tenant_id(), &doc, &mut map).await?;
    let target = config::translate(&doc, &|id| map.get(id).cloned()).map_err(|missing| {
        AppError::conflict(format!("version {} refers to {missing}, which it does not carry; freeze a new version", stored.version.number))
    })?;
    config::write_live(&mut tx, &live, &target, &by, now).await?;
    let deployment_id = new_id("dep");
    let d = vdb::NewDeployment { id: &deployment_id, version_id: id, from_version_id: from.as_deref(), summary, deployed_by: &by, now };
    vdb::deployed(&mut tx, &live, d).await?;
    let details = format!("version {} ({})", stored.version.number, summary.describe());
    audit::record(&mut *tx, audit::Entry::of(&live, &actor.label(), "version.deployed", "version", id).details(details), now).await?;
    tx.commit().await?;
    tracing::info!(tenant = live.tenant_id(), version = stored.version.number, "version deployed to live");
    state.snapshots.changed(&state.db, &live).await;
    vdb::get_deployment(&state.db.pool, &live, &deployment_id).await?.ok_or_else(AppError::internal)
}

/// Every price of the version needs a live Stripe price id, and each must be a live-mode price
/// of the live Stripe account with the same amount and currency: 409 `conflict` naming each
/// price that is not; 502 `stripe_error` when Stripe cannot answer.
async fn check_prices(state: &AppState, live: &Scoped, doc: &Doc) -> AppResult<()> {
    let prices: Vec<(&String, &Map<String, Value>)> = doc.get("price").map(|p| p.iter().collect()).unwrap_or_default();
    if prices.is_empty() {
        return Ok(());
    }
    let missing: Vec<String> = prices
        .iter()
        .filter(|(_, m)| m.get("stripe_price_id").and_then(Value::as_str).is_none_or(str::is_empty))
        .map(|(id, m)| format!("{id} ({})", name_of("price", m)))
        .collect();
    if !missing.is_empty() {
        let mut e = AppError::conflict(format!(
            "these prices have no live Stripe price id (liveStripePriceId): {}. Set it on each price in preview, then deploy again",
            missing.join(", ")
        ));
        e.fields.insert("liveStripePriceId".into(), format!("missing on {}", missing.join(", ")));
        return Err(e);
    }
    let key = super::integrations::secret_key(state, live).await.map_err(|e| match e.code {
        ErrorCode::ValidationFailed => {
            AppError::conflict("live has no Stripe integration: add live's secret key (Settings → Stripe, in live) before deploying prices")
        }
        _ => e,
    })?;
    let mut problems = Vec::new();
    for (id, m) in prices {
        let sp = m.get("stripe_price_id").and_then(Value::as_str).unwrap_or_default();
        let r = state.stripe.request(&key, "GET", &format!("/v1/prices/{sp}"), None, None).await.map_err(|e| AppError::stripe(e.0))?;
        if r.status == 404 {
            problems.push(format!("{id}: {sp} does not exist in the live Stripe account"));
            continue;
        }
        if !r.ok() {
            return Err(AppError::stripe(format!("Stripe refused to show {sp}: {}", r.error_message())));
        }
        if r.data.get("livemode").and_then(Value::as_bool) == Some(false) {
            problems.push(format!("{id}: {sp} is a test-mode price"));
        }
        let amount = m.get("unit_amount").and_then(Value::as_i64);
        if let Some(a) = r.data.get("unit_amount").and_then(Value::as_i64).filter(|a| Some(*a) != amount) {
            problems.push(format!("{id}: {sp} charges {a} minor units, the price {}", amount.unwrap_or(0)));
        }
        let currency = m.get("currency").and_then(Value::as_str);
        if let Some(c) = r.data.get("currency").and_then(Value::as_str).filter(|c| Some(*c) != currency) {
            problems.push(format!("{id}: {sp} is in {c}, the price in {}", currency.unwrap_or("")));
        }
    }
    if !problems.is_empty() {
        let mut e = AppError::conflict(format!("live Stripe prices do not match: {}", problems.join("; ")));
        e.fields.insert("liveStripePriceId".into(), problems.join("; "));
        return Err(e);
    }
    Ok(())
}

/// The Versions page: what live runs, what preview changed since, versions and deploys.
pub async fn page_data(state: &AppState, actor: &Actor) -> AppResult<VersionsData> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let mut conn = state.db.pool.acquire().await?;
    let preview = config::read_doc(&mut conn, &scope.tenant_wide(Environment::Preview)).await?;
    let (live_now, map) = live_doc(&mut conn, &scope.tenant_wide(Environment::Live)).await?;
    let (pending, _) = compare(&preview, &live_now, &map);
    let live = vdb::live(&mut *conn, scope).await?;
    let (versions, more_versions) = vdb::page(&mut *conn, scope, None, 50).await?;
    let deployments = vdb::deployments(&mut *conn, scope, DEPLOYS_SHOWN).await?;
    Ok(VersionsData { live, pending, versions, more_versions, deployments })
}

/// A version's page: the version and what deploying it would change now.
pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<VersionDetail> {
    diff_of(state, actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn camel_case_fields() {
        assert_eq!(camel("unit_amount"), "unitAmount");
        assert_eq!(camel("stripe_price_id"), "stripePriceId");
        assert_eq!(camel("name"), "name");
    }
    #[test]
    fn compare_finds_each_kind_of_change() {
        let obj = |pairs: &[(&str, Value)]| pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Map<String, Value>>();
        let mut target = Doc::new();
        let mut live = Doc::new();
        target.entry("offer".into()).or_default().insert("off_a".into(), obj(&[("name", "A".into()), ("status", "active".into())]));
        target.entry("offer".into()).or_default().insert("off_b".into(), obj(&[("name", "B2".into()), ("status", "active".into())]));
        live.entry("offer".into()).or_default().insert("off_b".into(), obj(&[("name", "B".into()), ("status", "active".into())]));
        live.entry("offer".into()).or_default().insert("off_live".into(), obj(&[("name", "Old".into()), ("status", "active".into())]));
        let map = HashMap::from([("off_b".to_string(), "off_lb".to_string())]);
        let (changes, s) = compare(&target, &live, &map);
        assert_eq!(s, ChangeSummary { added: 1, changed: 1, removed: 1 });
        let b = changes.iter().find(|c| c.id == "off_b").unwrap();
        assert_eq!((b.change, b.fields.clone(), b.live_id.as_deref()), (ChangeKind::Changed, vec!["name".to_string()], Some("off_lb")));
        let gone = changes.iter().find(|c| c.change == ChangeKind::Removed).unwrap();
        assert_eq!(gone.live_id.as_deref(), Some("off_live"));
    }
}
