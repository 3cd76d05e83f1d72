//! The configuration a version carries (API.md §14). A configuration is read out of one environment as a
//! [`Doc`]: every object a version carries, by kind and id, each a map of its columns (as
//! stored; JSON columns as their text). [`KINDS`] says, per table, which columns a version
//! carries; [`write_live`] applies a document to live inside the caller's transaction.
use crate::server::db::{self as db, Scoped, new_id};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Objects by kind, then by id (preview ids once translated).
pub type Doc = BTreeMap<String, BTreeMap<String, Map<String, Value>>>;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Text,
    Int,
    /// Carried and written, but derived from another column (compiled code): no diff of its own.
    Derived,
}

/// What a deploy does to a live object the version no longer carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Archive,
    Delete,
}

pub struct Kind {
    /// The wire name (`redemptionMethod`).
    pub name: &'static str,
    pub table: &'static str,
    pub prefix: &'static str,
    pub cols: &'static [(&'static str, Col)],
    pub removal: Removal,
}

use Col::{Derived, Int, Text};

/// In the order a deploy writes them (each refers only to kinds before it).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "product",
        table: "products",
        prefix: "prod",
        cols: &[("name", Text), ("description", Text), ("status", Text), ("success_url", Text), ("cancel_url", Text)],
        removal: Removal::Archive,
    },
    Kind {
        name: "price",
        table: "prices",
        prefix: "price",
        cols: &[("product_id", Text), ("currency", Text), ("unit_amount", Int), ("billing_interval", Text), ("stripe_price_id", Text), ("status", Text)],
        removal: Removal::Archive,
    },
    Kind {
        name: "presentationSchema",
        table: "presentation_schemas",
        prefix: "psch",
        cols: &[("name", Text), ("fields", Text), ("offer_slots", Text)],
        removal: Removal::Delete,
    },
    Kind {
        name: "redemptionMethod",
        table: "redemption_methods",
        prefix: "rm",
        cols: &[("name", Text), ("slug", Text), ("schema_kind", Text), ("settings", Text), ("status", Text)],
        removal: Removal::Archive,
    },
    Kind {
        name: "offer",
        table: "offers",
        prefix: "off",
        cols: &[
            ("name", Text),
            ("method_id", Text),
            ("presentation", Text),
            ("instructions", Text),
            ("valid_from", Int),
            ("valid_until", Int),
            ("audience", Text),
            ("status", Text),
            ("campaign", Text),
        ],
        removal: Removal::Archive,
    },
    Kind {
        name: "rate",
        table: "rates",
        prefix: "rate",
        cols: &[
            ("offer_id", Text),
            ("name", Text),
            ("currency", Text),
            ("billing_interval", Text),
            ("price_ids", Text),
            ("product_ids", Text),
            ("self_service", Int),
            ("status", Text),
        ],
        removal: Removal::Archive,
    },
    Kind {
        name: "experience",
        table: "experiences",
        prefix: "exp",
        cols: &[("name", Text), ("kind", Text), ("html", Text), ("schema_id", Text), ("content", Text), ("offers", Text)],
        removal: Removal::Delete,
    },
    Kind { name: "surface", table: "surfaces", prefix: "srf", cols: &[("name", Text), ("slug", Text), ("slots", Text)], removal: Removal::Delete },
    Kind {
        name: "discountRule",
        table: "discount_rules",
        prefix: "drl",
        cols: &[
            ("name", Text),
            ("rule_type", Text),
            ("currency", Text),
            ("tiers", Text),
            ("min_completed_checkouts", Int),
            ("percent_off", Int),
            ("amount_off", Int),
            ("code", Text),
            ("compiled_js", Derived),
            ("source_map", Derived),
            ("priority", Int),
            ("valid_from", Int),
            ("valid_until", Int),
            ("active", Int),
        ],
        removal: Removal::Delete,
    },
];

/// The offer's prices in order (from `offer_prices`), and the method's current workflow.
pub const PRICE_IDS: &str = "priceIds";
pub const WORKFLOW: &str = "workflow";

pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

fn text(m: &Map<String, Value>, col: &str) -> Option<String> {
    m.get(col).and_then(Value::as_str).map(str::to_string)
}

async fn rows(conn: &mut AnyConnection, scope: &Scoped, k: &Kind) -> Result<BTreeMap<String, Map<String, Value>>, sqlx::Error> {
    let cols: Vec<&str> = k.cols.iter().map(|(c, _)| *c).collect();
    let sql = format!("SELECT id, {} FROM {} WHERE tenant_id = $1 AND environment = $2", cols.join(", "), k.table);
    let mut out = BTreeMap::new();
    for r in db::scoped(scope, &sql).fetch_all(&mut *conn).await? {
        let mut m = Map::new();
        for (c, ty) in k.cols {
            m.insert((*c).to_string(), cell(&r, c, *ty)?);
        }
        out.insert(r.try_get::<String, _>("id")?, m);
    }
    Ok(out)
}

fn cell(r: &AnyRow, c: &str, ty: Col) -> Result<Value, sqlx::Error> {
    Ok(match ty {
        Col::Int => r.try_get::<Option<i64>, _>(c)?.map_or(Value::Null, Value::from),
        Col::Text | Col::Derived => r.try_get::<Option<String>, _>(c)?.map_or(Value::Null, Value::from),
    })
}

fn active(m: &Map<String, Value>) -> bool {
    m.get("status").and_then(Value::as_str) != Some("archived")
}

fn json_ids(m: &Map<String, Value>, col: &str) -> Vec<String> {
    text(m, col).and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok()).unwrap_or_default()
}

/// The configuration of `scope` as a version would carry it: every schema, experience,
/// surface and discount rule; offers and rates that are not archived; the methods that are not
/// archived or that an offer uses; the prices the offers and rates use and their products. An
/// experience's references to offers the configuration does not carry are dropped. In
/// preview, a price's `stripe_price_id` is its `live_stripe_price_id` (what live will charge).
pub async fn read_doc(conn: &mut AnyConnection, scope: &Scoped) -> Result<Doc, sqlx::Error> {
    let mut all: HashMap<&str, BTreeMap<String, Map<String, Value>>> = HashMap::new();
    for k in KINDS {
        all.insert(k.name, rows(conn, scope, k).await?);
    }
    let mut doc = Doc::new();
    let mut offers = all.remove("offer").unwrap_or_default();
    offers.retain(|_, m| active(m));
    let links = db::scoped(
        scope,
        "SELECT op.offer_id, op.price_id FROM offer_prices op JOIN offers o ON o.id = op.offer_id \
         WHERE o.tenant_id = $1 AND o.environment = $2 ORDER BY op.offer_id, op.position",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in links {
        let (offer, price): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        if let Some(m) = offers.get_mut(&offer)
            && let Some(a) = m.entry(PRICE_IDS).or_insert_with(|| Value::Array(vec![])).as_array_mut()
        {
            a.push(Value::from(price));
        }
    }
    for m in offers.values_mut() {
        m.entry(PRICE_IDS).or_insert_with(|| Value::Array(vec![]));
    }
    let mut rates = all.remove("rate").unwrap_or_default();
    rates.retain(|_, m| active(m) && text(m, "offer_id").is_some_and(|o| offers.contains_key(&o)));
    let used_methods: BTreeSet<String> = offers.values().filter_map(|m| text(m, "method_id")).collect();
    let mut methods = all.remove("redemptionMethod").unwrap_or_default();
    methods.retain(|id, m| active(m) || used_methods.contains(id));
    let workflows = db::scoped(
        scope,
        "SELECT m.id, w.source, w.compiled_js, w.source_map FROM redemption_methods m \
         JOIN workflow_versions w ON w.method_id = m.id AND w.version = m.current_version \
         WHERE m.tenant_id = $1 AND m.environment = $2",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in workflows {
        if let Some(m) = methods.get_mut(&r.try_get::<String, _>(0)?) {
            let w =
                serde_json::json!({"source": r.try_get::<String, _>(1)?, "compiledJs": r.try_get::<String, _>(2)?, "sourceMap": r.try_get::<String, _>(3)?});
            m.insert(WORKFLOW.into(), w);
        }
    }
    for m in methods.values_mut() {
        m.entry(WORKFLOW).or_insert(Value::Null);
    }
    let mut used_prices: BTreeSet<String> = BTreeSet::new();
    for m in offers.values() {
        used_prices.extend(m.get(PRICE_IDS).and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)));
    }
    for m in rates.values() {
        used_prices.extend(json_ids(m, "price_ids"));
    }
    let mut prices = all.remove("price").unwrap_or_default();
    prices.retain(|id, _| used_prices.contains(id));
    if scope.env() == crate::model::Environment::Preview {
        let live_ids = db::scoped(scope, "SELECT id, live_stripe_price_id FROM prices WHERE tenant_id = $1 AND environment = $2").fetch_all(&mut *conn).await?;
        let live_ids: HashMap<String, Option<String>> = live_ids.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>()?;
        for (id, m) in prices.iter_mut() {
            m.insert("stripe_price_id".into(), live_ids.get(id).cloned().flatten().map_or(Value::Null, Value::from));
        }
    }
    let mut used_products: BTreeSet<String> = prices.values().filter_map(|m| text(m, "product_id")).collect();
    for m in rates.values() {
        used_products.extend(json_ids(m, "product_ids"));
    }
    let mut products = all.remove("product").unwrap_or_default();
    products.retain(|id, _| used_products.contains(id));
    let mut experiences = all.remove("experience").unwrap_or_default();
    for m in experiences.values_mut() {
        if let Some(t) = text(m, "offers")
            && let Ok(mut slots) = serde_json::from_str::<BTreeMap<String, Vec<String>>>(&t)
        {
            for ids in slots.values_mut() {
                ids.retain(|o| offers.contains_key(o));
            }
            m.insert("offers".into(), Value::from(serde_json::to_string(&slots).unwrap_or(t)));
        }
    }
    // JSON columns that hold references are kept in one canonical form (parsed and written
    // again), the form a translated document has too, so equal content compares equal.
    let mut surfaces = all.remove("surface").unwrap_or_default();
    for m in surfaces.values_mut() {
        if let Some(t) = text(m, "slots")
            && let Ok(slots) = serde_json::from_str::<Vec<Value>>(&t)
        {
            m.insert("slots".into(), Value::from(serde_json::to_string(&slots).unwrap_or(t)));
        }
    }
    for m in rates.values_mut() {
        for col in ["price_ids", "product_ids"] {
            let ids = json_ids(m, col);
            m.insert(col.into(), Value::from(serde_json::to_string(&ids).unwrap_or_default()));
        }
    }
    doc.insert("surface".into(), surfaces);
    doc.insert("product".into(), products);
    doc.insert("price".into(), prices);
    doc.insert("redemptionMethod".into(), methods);
    doc.insert("offer".into(), offers);
    doc.insert("rate".into(), rates);
    doc.insert("experience".into(), experiences);
    for (k, v) in all {
        doc.insert(k.to_string(), v);
    }
    Ok(doc)
}

/// Rewrites every id in `doc` (keys and references) through `f`; `None` from `f` is an id the
/// map does not know, which is an error naming it.
pub fn translate(doc: &Doc, f: &dyn Fn(&str) -> Option<String>) -> Result<Doc, String> {
    let map = |id: &str| f(id).ok_or_else(|| id.to_string());
    let map_list = |ids: Vec<String>| ids.iter().map(|i| map(i)).collect::<Result<Vec<_>, _>>();
    let mut out = Doc::new();
    for (kind, objects) in doc {
        let mut next = BTreeMap::new();
        for (id, m) in objects {
            let mut m = m.clone();
            let set = |m: &mut Map<String, Value>, col: &str| -> Result<(), String> {
                if let Some(v) = text(m, col) {
                    m.insert(col.into(), Value::from(map(&v)?));
                }
                Ok(())
            };
            match kind.as_str() {
                "price" => set(&mut m, "product_id")?,
                "offer" => {
                    set(&mut m, "method_id")?;
                    let ids: Vec<String> =
                        m.get(PRICE_IDS).and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
                    m.insert(PRICE_IDS.into(), Value::from(map_list(ids)?));
                }
                "rate" => {
                    set(&mut m, "offer_id")?;
                    for col in ["price_ids", "product_ids"] {
                        let ids = map_list(json_ids(&m, col))?;
                        m.insert(col.into(), Value::from(serde_json::to_string(&ids).unwrap_or_default()));
                    }
                }
                "experience" => {
                    set(&mut m, "schema_id")?;
                    if let Some(t) = text(&m, "offers")
                        && let Ok(slots) = serde_json::from_str::<BTreeMap<String, Vec<String>>>(&t)
                    {
                        let slots = slots.into_iter().map(|(k, ids)| Ok((k, map_list(ids)?))).collect::<Result<BTreeMap<_, _>, String>>()?;
                        m.insert("offers".into(), Value::from(serde_json::to_string(&slots).unwrap_or(t)));
                    }
                }
                "surface" => {
                    if let Some(t) = text(&m, "slots")
                        && let Ok(mut slots) = serde_json::from_str::<Vec<Value>>(&t)
                    {
                        for s in slots.iter_mut() {
                            if let Some(x) = s.get("experienceId").and_then(Value::as_str).filter(|x| !x.is_empty()) {
                                s["experienceId"] = Value::from(map(x)?);
                            }
                        }
                        m.insert("slots".into(), Value::from(serde_json::to_string(&slots).unwrap_or(t)));
                    }
                }
                _ => {}
            }
            next.insert(map(id)?, m);
        }
        out.insert(kind.clone(), next);
    }
    Ok(out)
}

/// The tenant's preview id → live id map.
pub async fn live_ids(conn: &mut AnyConnection, tenant_id: &str) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows = sqlx::query("SELECT preview_id, live_id FROM live_ids WHERE tenant_id = $1").bind(tenant_id).fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// Gives every object of `doc` (preview ids) its live id, minting and remembering the ids of
/// objects that have none yet.
pub async fn assign_live_ids(conn: &mut AnyConnection, tenant_id: &str, doc: &Doc, map: &mut HashMap<String, String>) -> Result<(), sqlx::Error> {
    for k in KINDS {
        for id in doc.get(k.name).into_iter().flat_map(|o| o.keys()) {
            if !map.contains_key(id) {
                let live = new_id(k.prefix);
                sqlx::query("INSERT INTO live_ids (tenant_id, preview_id, live_id) VALUES ($1, $2, $3)")
                    .bind(tenant_id)
                    .bind(id)
                    .bind(&live)
                    .execute(&mut *conn)
                    .await?;
                map.insert(id.clone(), live);
            }
        }
    }
    Ok(())
}

fn bind_cell<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    v: Option<&Value>,
    ty: Col,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match ty {
        Col::Int => q.bind(v.and_then(Value::as_i64)),
        Col::Text | Col::Derived => q.bind(v.and_then(Value::as_str).map(str::to_string)),
    }
}

/// Makes live (`live`, a live scope) hold exactly `doc` (already in live ids): objects it
/// carries are inserted or updated in place, live objects it does not carry are archived or
/// deleted. Runs inside the caller's transaction; `by` names the deployer on new workflow
/// versions.
pub async fn write_live(conn: &mut AnyConnection, live: &Scoped, doc: &Doc, by: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut existing: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for k in KINDS {
        let ids = db::scoped(live, &format!("SELECT id FROM {} WHERE tenant_id = $1 AND environment = $2", k.table)).fetch_all(&mut *conn).await?;
        existing.insert(k.name, ids.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?);
    }
    // Slugs are unique per environment: park every live one on its row's id first, so that
    // two objects trading slugs, or a removed object's slug reused, cannot collide halfway.
    for table in ["redemption_methods", "surfaces"] {
        db::scoped(live, &format!("UPDATE {table} SET slug = id WHERE tenant_id = $1 AND environment = $2")).execute(&mut *conn).await?;
    }
    for k in KINDS {
        let Some(objects) = doc.get(k.name) else { continue };
        let have = &existing[k.name];
        for (id, m) in objects {
            let names: Vec<&str> = k.cols.iter().map(|(c, _)| *c).collect();
            let sql = if have.contains(id) {
                let sets: Vec<String> = names.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 4)).collect();
                format!("UPDATE {} SET {}, updated_at = ${} WHERE tenant_id = $1 AND environment = $2 AND id = $3", k.table, sets.join(", "), names.len() + 4)
            } else {
                let params: Vec<String> = (0..names.len()).map(|i| format!("${}", i + 4)).collect();
                let at = names.len() + 4;
                format!(
                    "INSERT INTO {} (id, tenant_id, environment, {}, created_at, updated_at) VALUES ($3, $1, $2, {}, ${at}, ${at})",
                    k.table,
                    names.join(", "),
                    params.join(", ")
                )
            };
            let mut q = db::scoped(live, &sql).bind(id.as_str());
            for (c, ty) in k.cols {
                q = bind_cell(q, m.get(*c), *ty);
            }
            q.bind(now).execute(&mut *conn).await?;
            match k.name {
                "offer" => {
                    sqlx::query("DELETE FROM offer_prices WHERE offer_id = $1").bind(id).execute(&mut *conn).await?;
                    let prices = m.get(PRICE_IDS).and_then(Value::as_array).cloned().unwrap_or_default();
                    for (pos, p) in prices.iter().filter_map(Value::as_str).enumerate() {
                        sqlx::query("INSERT INTO offer_prices (offer_id, price_id, position) VALUES ($1, $2, $3)")
                            .bind(id)
                            .bind(p)
                            .bind(pos as i64)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                "redemptionMethod" => workflow(conn, live, id, m.get(WORKFLOW), by, now).await?,
                _ => {}
            }
        }
    }
    for k in KINDS.iter().rev() {
        let keep = doc.get(k.name);
        for id in existing[k.name].iter().filter(|id| !keep.is_some_and(|o| o.contains_key(*id))) {
            match k.removal {
                Removal::Archive => {
                    let sql = format!(
                        "UPDATE {} SET status = 'archived', updated_at = $4 WHERE tenant_id = $1 AND environment = $2 AND id = $3 AND status <> 'archived'",
                        k.table
                    );
                    db::scoped(live, &sql).bind(id.as_str()).bind(now).execute(&mut *conn).await?;
                }
                Removal::Delete => {
                    let sql = format!("DELETE FROM {} WHERE tenant_id = $1 AND environment = $2 AND id = $3", k.table);
                    db::scoped(live, &sql).bind(id.as_str()).execute(&mut *conn).await?;
                }
            }
        }
    }
    Ok(())
}

/// The live method's current workflow becomes the version's: a new workflow version when the
/// source differs (live keeps its own history), none when the version has no workflow.
async fn workflow(conn: &mut AnyConnection, live: &Scoped, method_id: &str, w: Option<&Value>, by: &str, now: i64) -> Result<(), sqlx::Error> {
    let current = db::scoped(
        live,
        "SELECT w.source FROM redemption_methods m JOIN workflow_versions w ON w.method_id = m.id AND w.version = m.current_version \
         WHERE m.tenant_id = $1 AND m.environment = $2 AND m.id = $3",
    )
    .bind(method_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.try_get::<String, _>(0))
    .transpose()?;
    let Some(w) = w.filter(|w| !w.is_null()) else {
        db::scoped(live, "UPDATE redemption_methods SET current_version = NULL WHERE tenant_id = $1 AND environment = $2 AND id = $3")
            .bind(method_id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    let field = |k: &str| w.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    if current.as_deref() == Some(field("source").as_str()) {
        return Ok(());
    }
    let (source, compiled_js, source_map) = (field("source"), field("compiledJs"), field("sourceMap"));
    let v = db::methods::NewVersion { id: &new_id("wfv"), method_id, source: &source, compiled_js: &compiled_js, source_map: &source_map, created_by: by, now };
    let version = db::methods::insert_version(&mut *conn, live, v).await?;
    db::methods::set_current_version(&mut *conn, live, method_id, version, now).await?;
    Ok(())
}
