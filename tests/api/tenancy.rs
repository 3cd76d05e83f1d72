//! Tenancy, walked over every resource and endpoint through both doors: the owner (tenant A,
//! preview) has one of everything; another tenant's secret key and merchant, and the same
//! tenant's live key and dashboard in live, ask for each of A's objects by id (read, update,
//! delete or archive, and every nested route) and get 404 `not_found`; lists never show A's
//! objects; creates that name A's objects are refused; and A's objects, read with A's own key
//! before and after every write, have not changed. The same requests by the owner reach the
//! objects (they are not 404), so a 404 here means "not yours", not "no such route".
//!
//! The walk is checked against the server itself: every operation of the OpenAPI document and
//! every registered server function must be in one of the tables below (or exempt, with the
//! reason), so a new resource or endpoint fails here until it is walked.
use crate::docs::{document, operations};
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{ApiClient, Resp, Session, TestApp, assert_error, assert_sfn_error};
use offerdeck::model::{Environment, Identity, IdentityKind};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use tables::*;

mod tables;

db_tests!(
    api_with_another_tenants_key,
    api_with_the_other_environments_key,
    dashboard_as_another_tenants_merchant,
    dashboard_in_the_other_environment,
    every_api_operation_is_walked,
    the_schema_refuses_cross_scope_references,
    child_rows_are_reached_through_their_parent,
);

/// The owner's world: one object of every kind in tenant A's preview environment.
struct World {
    owner: offerdeck::server::services::tenants::Bootstrap,
    /// The owner's dashboard session (preview), for the snapshots.
    owner_cookie: String,
    /// Placeholder → value, for paths, bodies and forms.
    ids: BTreeMap<&'static str, String>,
    _stripe: StripeStub,
}

impl World {
    fn fill(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (k, v) in &self.ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }

    /// Every value that is the owner's: none may appear in a foreign caller's answer.
    fn needles(&self) -> Vec<&str> {
        [
            "product",
            "price",
            "method",
            "offer",
            "event",
            "schema",
            "experience",
            "surface",
            "coupon",
            "code",
            "campaign",
            "endpoint",
            "delivery",
            "redemption",
            "key",
            "integration",
            "checkout",
            "rule",
            "rate",
            "cart",
            "batch",
        ]
        .iter()
        .map(|k| self.ids[k].as_str())
        .collect()
    }

    /// A path template of the OpenAPI document with the owner's objects in it: a parameter is
    /// filled by the resource named before it.
    fn path(&self, template: &str) -> String {
        self.path_of(template, false)
    }

    /// The same path naming objects that never existed.
    fn unknown_path(&self, template: &str) -> String {
        self.path_of(template, true)
    }

    fn path_of(&self, template: &str, unknown: bool) -> String {
        let mut out = Vec::new();
        let segments: Vec<&str> = template.split('/').collect();
        for (i, s) in segments.iter().enumerate() {
            if !(s.starts_with('{') && s.ends_with('}')) {
                out.push(s.to_string());
                continue;
            }
            let name = &s[1..s.len() - 1];
            let filled = match (segments[i - 1], name) {
                (_, "version") if unknown => "999".to_string(),
                (_, _) if unknown => "nosuch_0000000000000000".to_string(),
                (_, "version") => "1".to_string(),
                (_, "rate_id") => self.ids["rate"].clone(),
                (_, n) if self.ids.contains_key(n) && !matches!(n, "id") => self.ids[n].clone(),
                ("products", _) => self.ids["product"].clone(),
                ("prices", _) => self.ids["price"].clone(),
                ("redemption-methods", _) => self.ids["method"].clone(),
                ("offers", _) => self.ids["offer"].clone(),
                ("events", _) => self.ids["event"].clone(),
                ("presentation-schemas", _) => self.ids["schema"].clone(),
                ("experiences", _) => self.ids["experience"].clone(),
                ("surfaces", _) => self.ids["surface"].clone(),
                ("coupons", _) => self.ids["code"].clone(),
                ("webhook-endpoints", _) => self.ids["endpoint"].clone(),
                ("webhook-deliveries", _) => self.ids["delivery"].clone(),
                ("checkout-sessions", _) => self.ids["checkout"].clone(),
                ("discount-rules", _) => self.ids["rule"].clone(),
                ("signup", _) => self.ids["cart"].clone(),
                ("batches", _) => self.ids["batch"].clone(),
                (resource, n) => panic!("{template}: no object of the owner's for {{{n}}} after /{resource}: add one to the world"),
            };
            out.push(filled);
        }
        out.join("/")
    }
}

/// Tenant A with one of everything in preview, the webhook dispatcher stopped (its deliveries
/// stay as they are), and tenant B.
async fn world(app: TestApp) -> (TestApp, World, offerdeck::server::services::tenants::Bootstrap) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    app.state.webhooks.stop();
    let a = app.tenant("Owner", "owner@owner.test").await;
    let b = app.tenant("Other", "owner@other.test").await;
    let api = app.secret_key(&a, Environment::Preview);
    let integration = api.put("/api/v1/integrations/stripe", json!({"secretKey": GOOD_TEST_KEY, "webhookSecret": "whsec_tenancy_secret"})).await;
    assert_eq!(integration.status.as_u16(), 200, "{}", integration.body);
    let method = api
        .create(
            "/api/v1/redemption-methods",
            json!({"name": "Checkout", "schema": "stripe-checkout",
                   "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
        )
        .await;
    let method = method["id"].as_str().unwrap().to_string();
    let saved = api.put(&format!("/api/v1/redemption-methods/{method}/workflow"), json!({"code": WORKFLOW})).await;
    assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
    let product = api.create("/api/v1/products", json!({"name": "Owner's plan"})).await["id"].as_str().unwrap().to_string();
    let price = api
        .create("/api/v1/prices", json!({"productId": product, "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_owner"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offer = api
        .create("/api/v1/offers", json!({"name": "Owner's offer", "redemptionMethodId": method, "priceIds": [price], "presentation": {"title": "Owner"}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let schema = api
        .create(
            "/api/v1/presentation-schemas",
            json!({"name": "Owner's schema", "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": false}], "offerSlots": ["primary"]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let experience = api
        .create("/api/v1/experiences", json!({"name": "Owner's experience", "type": "app", "schemaId": schema, "content": {}, "offers": {"primary": [offer]}}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let slug = "owners-page";
    let surface = api
        .create("/api/v1/surfaces", json!({"name": "Owner's page", "slug": slug, "slots": [{"key": "main", "facet": "web", "experienceId": experience}]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let endpoint = api.create("/api/v1/webhook-endpoints", json!({"url": "http://127.0.0.1:9/owner", "events": ["coupon.redeemed"]})).await;
    let endpoint = endpoint["id"].as_str().unwrap().to_string();
    let code = "OWNERS10";
    let coupon = api.create("/api/v1/coupons", json!({"code": code, "type": "percentage", "amount": 10, "campaign": "owners-campaign"})).await;
    let redemption = api.create(&format!("/api/v1/coupons/{code}/redemptions"), json!({"subscriptionId": "sub_owner", "customerId": "cus_owner"})).await;
    let deliveries = api.get(&format!("/api/v1/webhook-endpoints/{endpoint}/deliveries")).await.json();
    let delivery = deliveries["data"][0]["id"].as_str().expect("the redemption's delivery").to_string();
    let token = offer_token(&app, &a, &offer);
    let redeemed = api.post("/api/v1/offer-redemptions", json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": token})).await;
    assert_eq!(redeemed.status.as_u16(), 200, "{}", redeemed.body);
    let event = redeemed.json()["eventId"].as_str().unwrap().to_string();
    let checkout = api
        .create(
            "/api/v1/checkout-sessions",
            json!({"productId": product, "requestId": "owner_order", "successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rule = api.create("/api/v1/discount-rules", json!({"name": "Owner's rule", "type": "loyalty", "minCompletedCheckouts": 2, "percentOff": 15})).await;
    let rule = rule["id"].as_str().unwrap().to_string();
    let rate = api.create(&format!("/api/v1/offers/{offer}/rates"), json!({"name": "Owner's rate", "priceIds": [price]})).await;
    let rate = rate["id"].as_str().unwrap().to_string();
    let cart = api
        .post(
            "/api/selfService/signup",
            json!({"action": "CREATE_IN_PENDING", "customer": {"accountName": "Owner's buyer", "name": "Buyer", "email": "buyer@example.com"},
                "quote": {"offerings": [{"offeringId": offer, "rateId": rate}]}}),
        )
        .await;
    assert_eq!(cart.status.as_u16(), 200, "{}", cart.body);
    let cart = cart.json()["sessionId"].as_str().unwrap().to_string();
    let batch = api
        .create("/api/v1/coupons/batches", json!({"campaign": "owners-campaign", "codes": ["OWNERS-B1", "OWNERS-B2"], "type": "percentage", "amount": 5}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let owner = app.merchant(&a).await;
    let keys = owner.sfn("api_keys/page", &[]).await.json();
    let key = keys["keys"].as_array().unwrap().iter().find(|k| k["kind"] == "secret" && a.keys.preview.secret.ends_with(k["last4"].as_str().unwrap())).unwrap()
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let owner_user = owner.sfn("session", &[]).await.json()["user_id"].as_str().unwrap().to_string();
    let owner_cookie = owner.cookie.clone();
    let ids = BTreeMap::from([
        ("tenant", a.tenant_id.clone()),
        ("owner_user", owner_user),
        ("product", product),
        ("price", price),
        ("method", method),
        ("offer", offer),
        ("event", event),
        ("schema", schema),
        ("experience", experience),
        ("surface", surface),
        ("slug", slug.to_string()),
        ("coupon", coupon["id"].as_str().unwrap().to_string()),
        ("code", code.to_string()),
        ("campaign", "owners-campaign".to_string()),
        ("redemption", redemption["id"].as_str().unwrap().to_string()),
        ("endpoint", endpoint),
        ("delivery", delivery),
        ("key", key),
        ("integration", integration.json()["id"].as_str().unwrap().to_string()),
        ("token", token),
        ("checkout", checkout),
        ("rule", rule),
        ("rate", rate),
        ("cart", cart),
        ("batch", batch),
    ]);
    drop(owner);
    (app, World { owner: a, owner_cookie, ids, _stripe: stub }, b)
}

const WORKFLOW: &str = "export default async function () {\n  return { success: true, statusCode: 200, action: 'navigate', url: 'https://shop.test/ok' };\n}\n";

fn offer_token(app: &TestApp, t: &offerdeck::server::services::tenants::Bootstrap, offer: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let identity = Identity { kind: IdentityKind::Authenticated, identifier: "buyer@example.com".into() };
    offerdeck::server::tokens::mint(&app.state.config.secret_key, &app.scope(&t.tenant_id, Environment::Preview), offer, &identity, 1800, now)
}

/// Everything of the owner's as the owner sees it: each object, each nested list, each list.
async fn snapshot(app: &TestApp, w: &World) -> BTreeMap<String, String> {
    let api = app.secret_key(&w.owner, Environment::Preview);
    let mut paths: Vec<String> = API_BY_ID.iter().filter(|(op, _)| op.starts_with("GET ")).map(|(op, _)| w.path(&op[4..])).collect();
    paths.extend(API_LISTS.iter().map(|op| op[4..].to_string()));
    paths.extend(API_SINGLETONS.iter().filter(|op| op.starts_with("GET ")).map(|op| op[4..].to_string()));
    let mut out = BTreeMap::new();
    for p in paths {
        // Stats over a fixed window: the default one moves with the clock.
        let p = if p.ends_with("/stats") { format!("{p}?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z") } else { p };
        let r = api.get(&p).await;
        assert_eq!(r.status.as_u16(), 200, "the owner reads {p}: {}", r.body);
        out.insert(p, r.body);
    }
    let owner = Some(w.owner_cookie.as_str());
    for f in ["api_keys/page", "coupons/time_zone"] {
        out.insert(format!("sfn {f}"), app.sfn(f, &[], owner).await.body);
    }
    let info = app.sfn("session", &[], owner).await.json();
    out.insert("sfn session".into(), json!({"tenant": info["current_tenant"], "tenants": info["tenants"]}).to_string());
    out
}

#[track_caller]
fn assert_unchanged(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>, what: &str) {
    let changed: Vec<String> =
        before.iter().filter(|(k, v)| after.get(*k) != Some(v)).map(|(k, v)| format!("{k}\n  before: {v}\n  after:  {}", after[k])).collect();
    assert!(changed.is_empty(), "{what} changed the owner's objects:\n{}", changed.join("\n"));
}

/// The foreign caller's answer holds nothing of the owner's (but what the caller sent: an
/// error may name the id it was given).
#[track_caller]
fn assert_nothing_of(w: &World, r: &Resp, what: &str, sent: &str) {
    for needle in w.needles().into_iter().filter(|n| !sent.contains(n)) {
        assert!(!r.body.contains(needle), "{what}: the answer shows the owner's {needle}: {}", r.body);
    }
}

fn split(op: &str) -> (&str, &str) {
    op.split_once(' ').expect("METHOD /path")
}

async fn call(c: ApiClient<'_>, method: &str, path: &str, body: Option<String>) -> Resp {
    match body {
        Some(b) => c.send(method, path, b, &[]).await,
        None => c.send(method, path, (), &[]).await,
    }
}

/// The API walk with `attacker`'s key; then the owner's own requests reach every object.
async fn api_walk(app: &TestApp, w: &World, attacker: ApiClient<'_>) {
    let before = snapshot(app, w).await;
    // The attacker's own objects, for changes that point them at the owner's.
    let own_experience =
        attacker.create("/api/v1/experiences", json!({"name": "Mine", "type": "html", "html": "<p>mine</p>"})).await["id"].as_str().unwrap().to_string();
    let own_surface = attacker.create("/api/v1/surfaces", json!({"name": "Mine", "slug": "mine", "slots": []})).await["id"].as_str().unwrap().to_string();
    let own = |text: &str| text.replace("{own_experience}", &own_experience).replace("{own_surface}", &own_surface);
    let mut walked = 0;
    for (op, body) in API_BY_ID {
        let (method, template) = split(op);
        let path = w.path(template);
        let body = body.map(|b| w.fill(b));
        let r = call(attacker, method, &path, body.clone()).await;
        let j = assert_error(&r, 404, expected_code(op));
        assert_nothing_of(w, &r, op, &format!("{path} {}", body.clone().unwrap_or_default()));
        // Exactly what an object that never existed gets: "not yours" reveals nothing.
        let unknown = call(attacker, method, &w.unknown_path(template), body).await.json();
        assert_eq!((&j["code"], &j["message"]), (&unknown["code"], &unknown["message"]), "{op}: a foreign object and an unknown one get the same answer");
        if method != "GET" {
            assert_unchanged(&before, &snapshot(app, w).await, op);
        }
        walked += 1;
    }
    for op in API_LISTS {
        let (method, path) = split(op);
        let r = call(attacker, method, path, None).await;
        assert_eq!(r.status.as_u16(), 200, "{op}: {}", r.body);
        assert_nothing_of(w, &r, op, "");
        walked += 1;
    }
    for op in API_SINGLETONS {
        let (method, path) = split(op);
        let r = call(attacker, method, path, None).await;
        assert_error(&r, 404, "not_found");
        assert_nothing_of(w, &r, op, "");
        walked += 1;
    }
    for (op, body, status, code) in API_REFERENCES.iter().chain(API_OWN_REFERENCES) {
        let (method, path) = split(op);
        let body = own(&w.fill(body));
        let r = call(attacker, method, &own(path), Some(body.clone())).await;
        assert_error(&r, *status, code);
        assert_nothing_of(w, &r, op, &body);
        assert_unchanged(&before, &snapshot(app, w).await, op);
        walked += 1;
    }
    for (op, body) in API_OWN_SCOPE {
        let (method, path) = split(op);
        let r = call(attacker, method, path, Some(w.fill(body)).filter(|b| !b.is_empty())).await;
        assert!(r.status.as_u16() < 500, "{op}: {} {}", r.status, r.body);
        assert_unchanged(&before, &snapshot(app, w).await, op);
        walked += 1;
    }
    assert_unchanged(&before, &snapshot(app, w).await, "the walk");
    eprintln!("tenancy: {walked} API requests walked");

    // The same requests by the owner reach the objects: reads and changes first, archives and
    // deletes last.
    let owner = app.secret_key(&w.owner, Environment::Preview);
    let (deletes, others): (Vec<_>, Vec<_>) = API_BY_ID.iter().partition(|(op, _)| op.starts_with("DELETE ") || op.ends_with("/archive"));
    for (op, body) in others.into_iter().chain(deletes) {
        let (method, template) = split(op);
        let r = call(owner, method, &w.path(template), body.map(|b| w.fill(b))).await;
        assert!(r.status.as_u16() != 404 && r.status.as_u16() < 500, "the owner's {op} does not reach the object: {} {}", r.status, r.body);
    }
}

async fn api_with_another_tenants_key(app: TestApp) {
    let (app, w, b) = world(app).await;
    api_walk(&app, &w, app.secret_key(&b, Environment::Preview)).await;
}

async fn api_with_the_other_environments_key(app: TestApp) {
    let (app, w, _) = world(app).await;
    api_walk(&app, &w, app.secret_key(&w.owner, Environment::Live)).await;
}

/// The dashboard walk as `attacker`; then the owner's own calls reach every object.
async fn dashboard_walk(app: &TestApp, w: &World, attacker: &Session<'_>, other_tenant: bool) {
    let before = snapshot(app, w).await;
    let caller_user = attacker.sfn("session", &[]).await.json()["user_id"].as_str().unwrap().to_string();
    let own_experience = app
        .sfn("experiences/save", &[("id", ""), ("name", "Mine"), ("kind", "html"), ("schema_id", ""), ("html", "<p>mine</p>")], Some(&attacker.cookie))
        .await
        .id();
    let fill = |form: &[(&str, &str)]| -> Vec<(String, String)> {
        form.iter().map(|(k, v)| (k.to_string(), w.fill(v).replace("{own_experience}", &own_experience).replace("{caller_user}", &caller_user))).collect()
    };
    // The answer, and the form as sent.
    let send = async |endpoint: &str, form: &[(&str, &str)]| {
        let form = fill(form);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        (attacker.sfn(endpoint, &pairs).await, format!("{form:?}"))
    };
    let mut walked = 0;
    for (endpoint, form, both) in SFN_BY_ID {
        if !other_tenant && !both {
            continue;
        }
        let (r, sent) = send(endpoint, form).await;
        assert_sfn_error(&r, 404, "not_found");
        assert_nothing_of(w, &r, endpoint, &sent);
        assert_unchanged(&before, &snapshot(app, w).await, endpoint);
        walked += 1;
    }
    for (endpoint, form) in SFN_LISTS {
        let (r, _) = send(endpoint, form).await;
        assert_eq!(r.status.as_u16(), 200, "{endpoint}: {}", r.body);
        assert_nothing_of(w, &r, endpoint, "");
        walked += 1;
    }
    for (endpoint, form, status, code) in SFN_REFERENCES {
        let (r, sent) = send(endpoint, form).await;
        assert_sfn_error(&r, *status, code);
        assert_nothing_of(w, &r, endpoint, &sent);
        assert_unchanged(&before, &snapshot(app, w).await, endpoint);
        walked += 1;
    }
    for (endpoint, form) in SFN_ADMIN {
        let (r, sent) = send(endpoint, form).await;
        assert_sfn_error(&r, 403, "forbidden");
        assert_nothing_of(w, &r, endpoint, &sent);
        walked += 1;
    }
    assert_unchanged(&before, &snapshot(app, w).await, "the walk");
    eprintln!("tenancy: {walked} server-function calls walked");

    // The owner's own calls reach the objects; deletes, and revoking the key, last.
    let owner = app.merchant(&w.owner).await;
    let last = |e: &str| e.ends_with("/delete") || e == "api_keys/revoke";
    let (deletes, others): (Vec<_>, Vec<_>) = SFN_BY_ID.iter().partition(|(e, _, _)| last(e));
    for (endpoint, form, _) in others.into_iter().chain(deletes) {
        let form = fill(form);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = owner.sfn(endpoint, &pairs).await;
        assert!(r.status.as_u16() != 404 && r.status.as_u16() < 500, "the owner's {endpoint} does not reach the object: {} {}", r.status, r.body);
    }
}

async fn dashboard_as_another_tenants_merchant(app: TestApp) {
    let (app, w, b) = world(app).await;
    let other = app.merchant(&b).await;
    dashboard_walk(&app, &w, &other, true).await;
}

async fn dashboard_in_the_other_environment(app: TestApp) {
    let (app, w, _) = world(app).await;
    let live = app.merchant(&w.owner).await;
    live.switch_to(Environment::Live).await;
    dashboard_walk(&app, &w, &live, false).await;
}

/// Every operation the server documents is in one table above, or exempt with a reason; and
/// every table entry is an operation the server has.
async fn every_api_operation_is_walked(app: TestApp) {
    let doc = document(&app).await;
    let served: BTreeSet<String> = operations(&doc).into_iter().map(|(path, method, _)| format!("{} {path}", method.to_uppercase())).collect();
    let mut tables: BTreeMap<String, &str> = BTreeMap::new();
    let mut add = |op: &str, table: &'static str| {
        if let Some(first) = tables.insert(op.to_string(), table) {
            assert!(table == "own references" && first == "by id", "{op} is in {first} and in {table}");
        }
    };
    API_BY_ID.iter().for_each(|(op, _)| add(op, "by id"));
    API_LISTS.iter().for_each(|op| add(op, "lists"));
    API_SINGLETONS.iter().for_each(|op| add(op, "singletons"));
    API_REFERENCES.iter().for_each(|(op, ..)| add(op, "references"));
    API_OWN_SCOPE.iter().for_each(|(op, _)| add(op, "own scope"));
    API_EXEMPT.iter().for_each(|(op, _)| add(op, "exempt"));
    for (op, ..) in API_BY_ID_CODES {
        assert!(API_BY_ID.iter().any(|(o, _)| o == op), "{op} has its own code but is not walked by id");
    }
    for (op, ..) in API_OWN_REFERENCES {
        let (method, path) = split(op);
        let template = path.replace("{own_experience}", "{id}").replace("{own_surface}", "{id}");
        assert!(tables.get(&format!("{method} {template}")) == Some(&"by id"), "{op}: its operation is walked by id too");
    }
    let missing: Vec<&String> = served.iter().filter(|op| !tables.contains_key(*op)).collect();
    assert!(missing.is_empty(), "operations not in the tenancy walk (add each to a table of tests/api/tenancy.rs, or exempt it with the reason): {missing:#?}");
    let stale: Vec<&String> = tables.keys().filter(|op| !served.contains(*op)).collect();
    assert!(stale.is_empty(), "the tenancy walk lists operations the server does not document: {stale:#?}");
    // Every operation that names an object by a path parameter is walked by id.
    for op in served.iter().filter(|op| op.contains('{')) {
        assert!(matches!(tables.get(op), Some(&"by id" | &"exempt")), "{op} names an object: walk it by id (or exempt it with the reason)");
    }
}

/// Every registered server function is in one table above, or exempt with a reason; and every
/// table entry is a registered server function.
#[test]
fn every_server_function_is_walked() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.strip_prefix("/sfn/").unwrap_or_else(|| panic!("{path}: a server function outside /sfn")).to_string())
        .collect();
    assert!(registered.len() > 50, "the registry holds {} server functions", registered.len());
    let mut tables: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    SFN_BY_ID.iter().for_each(|(e, ..)| tables.entry(e).or_default().push("by id"));
    SFN_LISTS.iter().for_each(|(e, _)| tables.entry(e).or_default().push("lists"));
    SFN_REFERENCES.iter().for_each(|(e, ..)| tables.entry(e).or_default().push("references"));
    SFN_ADMIN.iter().for_each(|(e, _)| tables.entry(e).or_default().push("admin"));
    SFN_EXEMPT.iter().for_each(|(e, _)| tables.entry(e).or_default().push("exempt"));
    let missing: Vec<&String> = registered.iter().filter(|e| !tables.contains_key(e.as_str())).collect();
    assert!(
        missing.is_empty(),
        "server functions not in the tenancy walk (add each to a table of tests/api/tenancy.rs, or exempt it with the reason): {missing:#?}"
    );
    let stale: Vec<&&str> = tables.keys().filter(|e| !registered.contains(**e)).collect();
    assert!(stale.is_empty(), "the tenancy walk lists server functions that are not registered: {stale:#?}");
    for (e, in_tables) in &tables {
        assert!(!in_tables.contains(&"exempt") || in_tables.len() == 1, "{e} is exempt and walked ({in_tables:?})");
    }
    // A server function taking an id is walked by id (its form names the owner's object).
    for (e, form, _) in SFN_BY_ID {
        assert!(form.iter().any(|(_, v)| v.starts_with('{')), "{e} is walked by id without naming an object");
    }
}

// Scenario: rows that point at another tenant's or environment's rows are refused by the schema
// itself, and an upsert by id does not touch another scope's row.
async fn the_schema_refuses_cross_scope_references(app: TestApp) {
    let a = app.tenant("Acme", "owner@acme.test").await;
    let b = app.tenant("Globex", "owner@globex.test").await;
    let a_api = app.secret_key(&a, Environment::Preview);
    let pa = a_api.post("/api/v1/products", r#"{"name":"A's"}"#).await.json();
    let pool = &app.state.db.pool;
    let insert_price = |tenant: String, env: &'static str| {
        let pid = pa["id"].as_str().unwrap().to_string();
        async move {
            sqlx::query(
                "INSERT INTO prices (id, tenant_id, environment, product_id, currency, unit_amount, billing_interval, stripe_price_id, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'gbp', 100, NULL, 'price_x', 'active', 0, 0)",
            )
            .bind(format!("price_{}", uuid::Uuid::new_v4().simple()))
            .bind(tenant)
            .bind(env)
            .bind(pid)
            .execute(pool)
            .await
        }
    };
    assert!(insert_price(b.tenant_id.clone(), "preview").await.is_err(), "another tenant's product");
    assert!(insert_price(a.tenant_id.clone(), "live").await.is_err(), "another environment's product");
    assert!(insert_price(a.tenant_id.clone(), "preview").await.is_ok());
    // An upsert of A's surface id from B's scope changes nothing.
    let s = a_api.post("/api/v1/surfaces", r#"{"name":"Pricing","slug":"pricing","slots":[]}"#).await.json();
    let sid = s["id"].as_str().unwrap();
    let changed =
        offerdeck::server::db::surfaces::upsert(pool, &app.scope(&b.tenant_id, Environment::Preview), sid, ("Hijacked", "hijacked"), "[]", 0).await.unwrap();
    assert!(changed.is_none(), "the upsert answered another scope's row");
    let still = a_api.get(&format!("/api/v1/surfaces/{sid}")).await.json();
    assert_eq!(still["name"], "Pricing");
}

// Scenario: the child tables (an offer's prices, a coupon's per-customer uses) are written only
// through their parent in the caller's scope: from another tenant's or environment's scope the
// write fails or counts nothing, and the owner's rows stay as they were.
async fn child_rows_are_reached_through_their_parent(app: TestApp) {
    let a = app.tenant("Acme", "owner@acme.test").await;
    let b = app.tenant("Globex", "owner@globex.test").await;
    let api = app.secret_key(&a, Environment::Preview);
    let product = api.post("/api/v1/products", r#"{"name":"Pro"}"#).await.json();
    let price =
        api.post("/api/v1/prices", json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "stripePriceId": "price_abc"})).await.json();
    let method = api.post("/api/v1/redemption-methods", r#"{"name":"Walk","schema":"custom"}"#).await.json();
    let offer = api
        .post("/api/v1/offers", json!({"name": "Deal", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Deal"}}))
        .await;
    assert_eq!(offer.status, axum::http::StatusCode::CREATED, "{}", offer.body);
    let oid = offer.json()["id"].as_str().unwrap().to_string();
    let pid = price["id"].as_str().unwrap().to_string();
    let pool = &app.state.db.pool;
    // A's coupon with a per-customer limit, stored as the service stores it.
    sqlx::query(
        "INSERT INTO coupons (id, tenant_id, environment, code, coupon_type, amount, max_per_customer, stripe_coupon_id, status, created_at, updated_at) \
         VALUES ('cpn_a', $1, 'preview', 'SAVE10', 'percent', 10, 5, 'SAVE10', 'active', 0, 0)",
    )
    .bind(&a.tenant_id)
    .execute(pool)
    .await
    .unwrap();
    for scope in [app.scope(&b.tenant_id, Environment::Preview), app.scope(&a.tenant_id, Environment::Live)] {
        let mut tx = pool.begin().await.unwrap();
        let r = offerdeck::server::db::offers::set_prices(&mut tx, &scope, &oid, std::slice::from_ref(&pid)).await;
        assert!(r.is_err(), "set the prices of another scope's offer");
        tx.rollback().await.unwrap();
        let counted = offerdeck::server::db::coupons::take_customer_use(pool, &scope, "cpn_a", "cus_1", 5).await.unwrap();
        assert!(!counted, "a use was counted for a coupon outside the scope");
    }
    let n: i64 = sqlx::Row::get(&sqlx::query("SELECT COUNT(*) FROM coupon_customer_uses").fetch_one(pool).await.unwrap(), 0);
    assert_eq!(n, 0);
    // The owner's own scope counts the use: the statement itself is not what refused.
    let own = app.scope(&a.tenant_id, Environment::Preview);
    assert!(offerdeck::server::db::coupons::take_customer_use(pool, &own, "cpn_a", "cus_1", 5).await.unwrap());
    let still = api.get(&format!("/api/v1/offers/{oid}")).await.json();
    assert_eq!(still["priceIds"], json!([pid]));
}
