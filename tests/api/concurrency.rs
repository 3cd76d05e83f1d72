//! Concurrent writes are normal input (issue 11): 32 clients at once mixing creates, PATCHes,
//! archives, deletes and redemptions over every resource get only the contract's answers —
//! never a 5xx (on SQLite that was "database is locked" from transactions that read first and
//! upgraded their lock late) — and the final state adds up. On SQLite and on PostgreSQL.
use crate::helpers::TestApp;
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use axum::http::StatusCode;
use offerdeck::model::{Environment, Identity, IdentityKind};
use offerdeck::server::tokens;
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

db_tests!(thirty_two_clients_mixing_writes_get_no_5xx_and_a_consistent_state);

const CLIENTS: usize = 32;
const COUPON_LIMIT: i64 = 10;

struct Shared {
    key: String,
    product: String,
    offer: Value,
    offer_id: String,
    schema: String,
    tenant: String,
}

/// Status counts per operation, and the ids that must exist at the end.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<&'static str, BTreeMap<u16, usize>>,
    products: Vec<String>,
    surfaces_left: usize,
    /// One answer body per operation and status, for the failure message.
    samples: BTreeMap<(&'static str, u16), String>,
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

async fn client(app: Arc<TestApp>, s: Arc<Shared>, n: usize, tally: Arc<Mutex<Tally>>) {
    let k = s.key.as_str();
    let mut seen: Vec<(&'static str, StatusCode, String)> = Vec::new();
    macro_rules! call {
        ($op:expr, $method:expr, $path:expr, $body:expr) => {{
            let path: String = $path.into();
            let r = app.api($method, &path, k, $body.as_deref()).await;
            seen.push(($op, r.status, r.body.clone()));
            r
        }};
    }
    // Products: create, rename twice, archive.
    let p = call!("product.create", "POST", "/api/v1/products", Some(json!({"name": format!("P{n}")}).to_string()));
    let pid = id(&p.json());
    for round in 0..2 {
        call!("product.patch", "PATCH", format!("/api/v1/products/{pid}"), Some(json!({"name": format!("P{n} v{round}")}).to_string()));
    }
    // The shared product is renamed by everyone at once (the case that failed 45 % of the time).
    call!("product.patch_shared", "PATCH", format!("/api/v1/products/{}", s.product), Some(json!({"name": format!("Shared by {n}")}).to_string()));
    // Prices on the shared product.
    let price = call!(
        "price.create",
        "POST",
        "/api/v1/prices",
        Some(json!({"productId": s.product, "currency": "gbp", "unitAmount": 100 + n, "interval": "month", "stripePriceId": format!("price_{n}")}).to_string())
    );
    let price_id = id(&price.json());
    call!("price.patch", "PATCH", format!("/api/v1/prices/{price_id}"), Some(json!({"stripePriceId": format!("price_{n}_b")}).to_string()));
    // The shared offer renamed by everyone.
    let mut offer = s.offer.clone();
    offer["name"] = json!(format!("Offer by {n}"));
    call!("offer.patch", "PATCH", format!("/api/v1/offers/{}", s.offer_id), Some(offer.to_string()));
    // Surfaces: create, patch; every other one deleted.
    let sf = call!("surface.create", "POST", "/api/v1/surfaces", Some(json!({"name": format!("S{n}"), "slug": format!("s-{n}"), "slots": []}).to_string()));
    let sid = id(&sf.json());
    call!(
        "surface.patch",
        "PATCH",
        format!("/api/v1/surfaces/{sid}"),
        Some(json!({"name": format!("S{n}!"), "slug": format!("s-{n}"), "slots": [{"key": "main", "facet": "web"}]}).to_string())
    );
    if n.is_multiple_of(2) {
        call!("surface.delete", "DELETE", format!("/api/v1/surfaces/{sid}"), None::<String>);
    }
    // Experiences over the shared schema.
    call!(
        "experience.create",
        "POST",
        "/api/v1/experiences",
        Some(json!({"name": format!("X{n}"), "type": "app", "schemaId": s.schema, "content": {}, "offers": {"primary": [s.offer_id]}}).to_string())
    );
    // One coupon with a limit, redeemed by every client for its own subscription.
    call!(
        "coupon.redeem",
        "POST",
        "/api/v1/coupons/LIMITED/redemptions",
        Some(json!({"subscriptionId": format!("sub_{n}"), "customerId": format!("cus_{n}")}).to_string())
    );
    call!("coupon.create", "POST", "/api/v1/coupons", Some(json!({"code": format!("C{n}"), "type": "percentage", "amount": 10}).to_string()));
    call!("coupon.archive", "POST", format!("/api/v1/coupons/C{n}/archive"), Some("{}".to_string()));
    // An offer redemption (workflow, Stripe stub, event, replay row).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let who = format!("buyer{n}@example.com");
    let scope = app.scope(&s.tenant, Environment::Preview);
    let tok =
        tokens::mint(&app.state.config.secret_key, &scope, &s.offer_id, &Identity { kind: IdentityKind::Authenticated, identifier: who.clone() }, 1800, now);
    call!("offer.redeem", "POST", "/api/v1/offer-redemptions", Some(json!({"identity": {"userIdentifier": who}, "offerToken": tok}).to_string()));
    // Archive the own product last.
    call!("product.archive", "DELETE", format!("/api/v1/products/{pid}"), None::<String>);

    let mut t = tally.lock().unwrap();
    for (op, status, body) in seen {
        assert!(status.as_u16() < 500, "{op}: {status} {body}");
        *t.statuses.entry(op).or_default().entry(status.as_u16()).or_default() += 1;
        t.samples.entry((op, status.as_u16())).or_insert(body);
    }
    t.products.push(pid);
    if !n.is_multiple_of(2) {
        t.surfaces_left += 1;
    }
}

async fn thirty_two_clients_mixing_writes_get_no_5xx_and_a_consistent_state(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let key = t.keys.preview.secret.clone();
    assert_eq!(app.api("PUT", "/api/v1/integrations/stripe", &key, Some(&json!({"secretKey": GOOD_TEST_KEY}).to_string())).await.status, StatusCode::OK);
    let m = app
        .api("POST", "/api/v1/redemption-methods", &key, Some(r#"{"name":"Checkout","schema":"stripe-checkout","settings":{"successUrl":"https://shop.test/ok","cancelUrl":"https://shop.test/no","signupUrl":"https://shop.test/join"}}"#))
        .await
        .json();
    let product = id(&app.api("POST", "/api/v1/products", &key, Some(r#"{"name":"Shared"}"#)).await.json());
    let price = app
        .api(
            "POST",
            "/api/v1/prices",
            &key,
            Some(&json!({"productId": product, "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_main"}).to_string()),
        )
        .await
        .json();
    let offer = json!({"name": "Premium", "redemptionMethodId": m["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium"}});
    let offer_id = id(&app.api("POST", "/api/v1/offers", &key, Some(&offer.to_string())).await.json());
    let schema = id(&app
        .api(
            "POST",
            "/api/v1/presentation-schemas",
            &key,
            Some(r#"{"name":"Card","fields":[{"key":"headline","type":"string","label":"Headline","required":false}],"offerSlots":["primary"]}"#),
        )
        .await
        .json());
    let r = app
        .api("POST", "/api/v1/coupons", &key, Some(&json!({"code": "LIMITED", "type": "percentage", "amount": 20, "maxRedemptions": COUPON_LIMIT}).to_string()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let shared = Arc::new(Shared { key, product, offer, offer_id, schema, tenant: t.tenant_id.clone() });
    let app = Arc::new(app);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut set = tokio::task::JoinSet::new();
    for n in 0..CLIENTS {
        set.spawn(client(app.clone(), shared.clone(), n, tally.clone()));
    }
    while let Some(r) = set.join_next().await {
        r.expect("a client failed");
    }
    let t = std::mem::take(&mut *tally.lock().unwrap());
    let only = |op: &str, expected: &[(u16, usize)]| {
        let got: Vec<(u16, usize)> = t.statuses.get(op).map(|m| m.iter().map(|(k, v)| (*k, *v)).collect()).unwrap_or_default();
        let bodies: Vec<&String> = t.samples.iter().filter(|((o, _), _)| *o == op).map(|(_, b)| b).collect();
        assert_eq!(got, expected, "{op}: {bodies:?}");
    };
    let all = CLIENTS;
    only("product.create", &[(201, all)]);
    only("product.patch", &[(200, 2 * all)]);
    only("product.patch_shared", &[(200, all)]);
    only("product.archive", &[(200, all)]);
    only("price.create", &[(201, all)]);
    only("price.patch", &[(200, all)]);
    only("offer.patch", &[(200, all)]);
    only("surface.create", &[(201, all)]);
    only("surface.patch", &[(200, all)]);
    only("surface.delete", &[(204, all / 2)]);
    only("experience.create", &[(201, all)]);
    only("coupon.create", &[(201, all)]);
    only("coupon.archive", &[(200, all)]);
    only("offer.redeem", &[(200, all)]);
    // Exactly the limit of redemptions succeeded; the others were told the code is used up.
    only("coupon.redeem", &[(201, COUPON_LIMIT as usize), (404, all - COUPON_LIMIT as usize)]);

    // The final state adds up.
    let pool = &app.state.db.pool;
    let count = |sql: &'static str| async move { sqlx::query(sql).fetch_one(pool).await.unwrap().get::<i64, _>(0) };
    assert_eq!(count("SELECT COUNT(*) FROM products WHERE status = 'archived'").await, all as i64);
    assert_eq!(count("SELECT COUNT(*) FROM products").await, all as i64 + 1);
    assert_eq!(count("SELECT COUNT(*) FROM prices").await, all as i64 + 1);
    assert_eq!(count("SELECT COUNT(*) FROM surfaces").await, t.surfaces_left as i64);
    assert_eq!(count("SELECT COUNT(*) FROM experiences").await, all as i64);
    assert_eq!(count("SELECT times_redeemed FROM coupons WHERE code = 'LIMITED'").await, COUPON_LIMIT);
    assert_eq!(count("SELECT COUNT(*) FROM coupon_redemptions").await, COUPON_LIMIT);
    assert_eq!(count("SELECT COUNT(*) FROM coupons WHERE status = 'archived'").await, all as i64);
    assert_eq!(count("SELECT COUNT(*) FROM events WHERE event_type = 'offer.redemption'").await, all as i64);
    let shared_name: String = sqlx::query("SELECT name FROM products WHERE id = $1").bind(&shared.product).fetch_one(pool).await.unwrap().get(0);
    assert!(shared_name.starts_with("Shared by "), "{shared_name}");
    for pid in &t.products {
        let name: String = sqlx::query("SELECT name FROM products WHERE id = $1").bind(pid).fetch_one(pool).await.unwrap().get(0);
        assert!(name.ends_with(" v1"), "the last rename of {pid} stuck: {name}");
    }
}
