//! The API is what its OpenAPI document says (`api::docs`): every operation has a unique id,
//! every secured one documents 401, every list takes `limit` and `startingAfter` and answers
//! `{data, hasMore}`; and walking every list page by page meets each object exactly once.
//! Health checks and the reference page. (`scripts/fuzz-api` checks the rest against a running
//! server: schemathesis and the OpenAPI 3.1 validator.)
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

db_tests!(
    health_openapi_and_docs,
    operations_are_named_secured_and_documented,
    lists_share_one_shape,
    list_limits_and_unknown_cursors,
    coupon_redemptions_walk_every_item_once,
    newly_paginated_lists_walk_every_item_once,
);

// Scenario: health endpoints, the OpenAPI document and the reference page.
async fn health_openapi_and_docs(app: TestApp) {
    let h = app.get("/healthz", None).await;
    assert_eq!((h.status, h.body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(h.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(h.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(h.header("x-trace-id").is_some_and(|t| t.len() == 32));
    let r = app.get("/readyz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/products"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/products/{id}"]["patch"].is_object());
    assert!(doc["paths"]["/api/v1/coupons/validate"]["post"]["responses"]["429"].is_object());
    assert!(doc["paths"]["/api/v1/coupons/{code}/redemptions"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/webhook-deliveries/{id}/resend"]["post"].is_object());
    assert!(doc["components"]["schemas"]["CouponCreate"]["properties"]["maxRedemptionsPerCustomer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["traceId"].is_object());
    let page = app.get("/api/docs", None).await;
    assert!(page.body.contains("/api/v1/products/{id}") && page.body.contains("ProductCreate"));
    app.state.db.pool.close().await;
    let down = app.get("/readyz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

pub(crate) const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// The list operations the API has; a new one must be added here and satisfy the same rules.
const LIST_OPERATIONS: [&str; 20] = [
    "listVersions",
    "listCampaigns",
    "listCouponBatches",
    "listRates",
    "listCheckoutSessions",
    "listDiscountRules",
    "listProducts",
    "listPrices",
    "listRedemptionMethods",
    "listWorkflowVersions",
    "listOffers",
    "listEvents",
    "listPresentationSchemas",
    "listExperiences",
    "listSurfaces",
    "listCoupons",
    "listCouponCampaigns",
    "listCouponRedemptions",
    "listWebhookEndpoints",
    "listWebhookDeliveries",
];

pub(crate) async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

/// Every (path, method, operation) of the document.
pub(crate) fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((path.clone(), m.to_string(), op.clone()));
            }
        }
    }
    out
}

/// Follows `$ref`s into `#/components/schemas`.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("dangling {r}"))),
        None => v,
    }
}

fn ok_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    op.pointer("/responses/200/content/application~1json/schema").map(|s| resolve(doc, s))
}

/// An operation is a list when its 200 answer is an object with a `data` array.
pub(crate) fn is_list(doc: &Value, op: &Value) -> bool {
    ok_schema(doc, op).and_then(|s| s.pointer("/properties/data/type")).and_then(Value::as_str) == Some("array")
}

/// The response's body is the contract's error body (or one of which it is an alternative, or
/// the sign-up API's, which is the contract's plus the seed's `sessionId` and `error`).
fn is_error_body(doc: &Value, response: &Value) -> bool {
    const ERROR: &str = "#/components/schemas/ErrorBody";
    let Some(schema) = response.pointer("/content/application~1json/schema") else { return false };
    if schema["$ref"] == "#/components/schemas/SignUpRequestError" {
        let all = resolve(doc, schema)["allOf"].as_array().cloned().unwrap_or_default();
        return all.iter().any(|s| s["$ref"] == ERROR);
    }
    schema["$ref"] == ERROR || resolve(doc, schema)["oneOf"].as_array().is_some_and(|a| a.iter().any(|s| s["$ref"] == ERROR))
}

async fn operations_are_named_secured_and_documented(app: TestApp) {
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let ops = operations(&doc);
    assert!(ops.len() >= 60, "{} operations", ops.len());
    let mut ids = BTreeMap::new();
    for (path, method, op) in &ops {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(id.len() > 3 && id.chars().next().unwrap().is_ascii_lowercase() && id.chars().all(|c| c.is_ascii_alphanumeric()), "{id} is not camelCase");
        if let Some(other) = ids.insert(id.to_string(), format!("{method} {path}")) {
            panic!("operationId {id} is used by {other} and by {method} {path}");
        }
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        assert!(secured, "{method} {path} is not secured");
        let responses = op["responses"].as_object().unwrap();
        for status in ["401", "403", "500"] {
            let r = responses.get(status).unwrap_or_else(|| panic!("{id} does not document {status}"));
            assert!(is_error_body(&doc, r), "{id} {status}: {r}");
        }
        // Every error status has a body schema (ErrorBody, or the redemption's either-or).
        for (status, r) in responses {
            assert!(!r["description"].as_str().unwrap_or("").is_empty(), "{id} {status} has no description");
            if (status.starts_with('4') || status.starts_with('5')) && !(id == "redeemOffer" && status == "502") {
                assert!(is_error_body(&doc, r), "{id} {status} has no error body schema");
            }
        }
        if method == "post" {
            assert!(responses.contains_key("409"), "{id}: a POST may answer 409 idempotency_key_reused");
            let params = op["parameters"].as_array().unwrap();
            assert!(params.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"), "{id} takes Idempotency-Key");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("400"), "{id} has a body and may answer 400");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{id} names an object and may answer 404");
        }
        // A DELETE that archives says so.
        if method == "delete" && responses.contains_key("200") {
            let text = format!("{} {}", op["summary"].as_str().unwrap_or(""), op["description"].as_str().unwrap_or("")).to_lowercase();
            assert!(text.contains("archive"), "{id}: a DELETE answering 200 archives and must say so: {text}");
        }
    }
    for id in ["listProducts", "createCoupon", "getProduct", "updateProduct", "archiveProduct", "redeemOffer", "decideSurface", "listCouponRedemptions"] {
        assert!(ids.contains_key(id), "{id} missing");
    }
    // Statuses the server answers where they apply.
    let op = |id: &str| ops.iter().find(|(_, _, o)| o["operationId"] == id).map(|(_, _, o)| o.clone()).unwrap();
    for (id, statuses) in [
        ("createCoupon", &["201", "400", "409", "502"][..]),
        ("archiveCoupon", &["200", "404", "502"]),
        ("validateCoupon", &["200", "404", "429"]),
        ("decideSurface", &["200", "400", "404", "429"]),
        ("redeemOffer", &["200", "400", "403", "409", "429", "531"]),
        ("testStripeIntegration", &["200", "404", "502"]),
        ("deletePresentationSchema", &["204", "409"]),
    ] {
        let o = op(id);
        for s in statuses {
            assert!(o["responses"].get(*s).is_some(), "{id} does not document {s}");
        }
    }
    // Constraints the server enforces are in the schema.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["CouponCreate"]["properties"]["code"]["pattern"], "^[A-Za-z0-9_-]{1,64}$");
    assert_eq!(schemas["CouponCreate"]["properties"]["type"]["$ref"], "#/components/schemas/CouponType");
    assert_eq!(schemas["CouponType"]["enum"], json!(["percentage", "fixed", "first_n_months"]));
    assert_eq!(schemas["ProductCreate"]["properties"]["name"]["maxLength"], 200);
    assert_eq!(schemas["PriceCreate"]["properties"]["unitAmount"]["maximum"], 99_999_999);
    assert_eq!(schemas["IdentityInput"]["oneOf"].as_array().map(Vec::len), Some(3));
    assert_eq!(schemas["WebhookEndpointInput"]["properties"]["events"]["items"]["enum"], json!(offerdeck::model::WEBHOOK_EVENT_TYPES));
}

async fn lists_share_one_shape(app: TestApp) {
    let doc = document(&app).await;
    let mut lists = BTreeSet::new();
    for (path, method, op) in operations(&doc) {
        if method != "get" || !is_list(&doc, &op) {
            continue;
        }
        let id = op["operationId"].as_str().unwrap().to_string();
        let s = ok_schema(&doc, &op).unwrap();
        assert_eq!(s.pointer("/properties/hasMore/type").and_then(Value::as_str), Some("boolean"), "{id}: hasMore");
        let required: Vec<&str> = s["required"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        assert!(required.contains(&"data") && required.contains(&"hasMore"), "{id}: data and hasMore are required: {required:?}");
        let params = op["parameters"].as_array().unwrap_or_else(|| panic!("{id} has no parameters"));
        let param = |name: &str| params.iter().find(|p| p["name"] == name && p["in"] == "query").unwrap_or_else(|| panic!("{id} ({path}) has no {name}"));
        let limit = &param("limit")["schema"];
        assert_eq!(
            (limit["type"].as_str(), limit["minimum"].as_i64(), limit["maximum"].as_i64(), limit["default"].as_i64()),
            (Some("integer"), Some(1), Some(100), Some(50)),
            "{id}: limit"
        );
        assert_eq!(param("startingAfter")["schema"]["type"], "string", "{id}: startingAfter");
        lists.insert(id);
    }
    let expected: BTreeSet<String> = LIST_OPERATIONS.iter().map(|s| s.to_string()).collect();
    assert_eq!(lists, expected, "the list operations");
}

struct World {
    sk: String,
    /// Values for the path parameters of the list operations.
    params: BTreeMap<&'static str, String>,
}

/// A tenant with a Stripe integration, a coupon with redemptions, a webhook endpoint that got
/// deliveries and a redemption method with several workflow versions.
async fn world(app: &TestApp, n: usize) -> World {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let api = app.client(&sk);
    let ok = |r: &crate::helpers::Resp, what: &str| assert!(r.status.is_success(), "{what}: {} {}", r.status, r.body);
    let r = api.put("/api/v1/integrations/stripe", json!({"secretKey": GOOD_TEST_KEY})).await;
    ok(&r, "integration");
    let r = api.post("/api/v1/webhook-endpoints", r#"{"url":"http://127.0.0.1:9/hook","events":["coupon.redeemed"]}"#).await;
    ok(&r, "endpoint");
    let endpoint = r.id();
    let r = api.post("/api/v1/coupons", r#"{"code":"walk10","type":"percentage","amount":10,"campaign":"walk"}"#).await;
    ok(&r, "coupon");
    for i in 0..n {
        let r = api.post("/api/v1/coupons/WALK10/redemptions", json!({"subscriptionId": format!("sub_{i}")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = api.post("/api/v1/redemption-methods", r#"{"name":"Walk","schema":"custom"}"#).await;
    ok(&r, "method");
    let method = r.id();
    for i in 1..n {
        let code = format!("export default async function () {{ return {{ success: true, message: \"v{i}\" }}; }}");
        let r = api.put(&format!("/api/v1/redemption-methods/{method}/workflow"), json!({ "code": code })).await;
        ok(&r, "workflow");
    }
    let product = api.create("/api/v1/products", json!({"name": "Walk"})).await["id"].as_str().unwrap().to_string();
    let price = api.create("/api/v1/prices", json!({"productId": product, "currency": "gbp", "unitAmount": 100, "stripePriceId": "price_walk"})).await;
    let offer =
        api.create("/api/v1/offers", json!({"name": "Walk", "redemptionMethodId": method, "priceIds": [price["id"]], "presentation": {"title": "Walk"}})).await;
    let offer = offer["id"].as_str().unwrap().to_string();
    for i in 0..n {
        let r = api.post(&format!("/api/v1/offers/{offer}/rates"), json!({"name": format!("rate {i}"), "priceIds": [price["id"]]})).await;
        ok(&r, "rate");
    }
    World { sk, params: BTreeMap::from([("code", "WALK10".to_string()), ("endpoint", endpoint), ("method", method), ("offer", offer)]) }
}

/// The list's path with its path parameter filled from the world.
fn list_path(path: &str, w: &World) -> String {
    path.replace("{code}", &w.params["code"])
        .replace("/webhook-endpoints/{id}", &format!("/webhook-endpoints/{}", w.params["endpoint"]))
        .replace("/redemption-methods/{id}", &format!("/redemption-methods/{}", w.params["method"]))
        .replace("/offers/{id}", &format!("/offers/{}", w.params["offer"]))
}

/// Walks a list `limit` at a time; returns the ids (or `key` values) in order, checking that
/// `hasMore` is true exactly on the pages that are followed by another.
async fn walk(app: &TestApp, sk: &str, path: &str, limit: usize, key: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &after {
            None => format!("{path}{sep}limit={limit}"),
            Some(a) => format!("{path}{sep}limit={limit}&startingAfter={}", urlencode(a)),
        };
        let r = app.api("GET", &url, sk, None).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        let page = r.json();
        let data = page["data"].as_array().unwrap().clone();
        assert!(data.len() <= limit, "{url}: {} items", data.len());
        let more = page["hasMore"].as_bool().unwrap();
        for item in &data {
            seen.push(item[key].as_str().map(str::to_string).unwrap_or_else(|| item[key].to_string()));
        }
        if !more {
            return seen;
        }
        assert_eq!(data.len(), limit, "{url}: a page followed by more is full");
        after = Some(seen.last().unwrap().clone());
    }
    panic!("{path}: the walk did not end");
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn assert_once(what: &str, walked: &[String], all: &BTreeSet<String>) {
    let unique: BTreeSet<String> = walked.iter().cloned().collect();
    assert_eq!(unique.len(), walked.len(), "{what}: an item came twice: {walked:?}");
    assert_eq!(&unique, all, "{what}: every item exactly once");
}

async fn list_limits_and_unknown_cursors(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let w = world(&app, 2).await;
    let doc = document(&app).await;
    for (path, method, op) in operations(&doc) {
        if method != "get" || !is_list(&doc, &op) {
            continue;
        }
        let id = op["operationId"].as_str().unwrap();
        let url = list_path(&path, &w);
        for bad in ["0", "101", "-1", "ten"] {
            let r = app.api("GET", &format!("{url}?limit={bad}"), &w.sk, None).await;
            assert_error(&r, 400, "validation_failed");
            assert!(r.json()["fields"]["limit"].is_string(), "{id} limit={bad} names limit: {}", r.body);
        }
        for good in ["1", "100"] {
            let r = app.api("GET", &format!("{url}?limit={good}"), &w.sk, None).await;
            assert_eq!(r.status, StatusCode::OK, "{id} limit={good}: {}", r.body);
        }
        // An unknown cursor (never existed) gives an empty page, on every list.
        for cursor in ["nope_0000", "zzzz", "a"] {
            let r = app.api("GET", &format!("{url}?startingAfter={cursor}"), &w.sk, None).await;
            assert_eq!(r.status, StatusCode::OK, "{id} startingAfter={cursor}: {}", r.body);
            assert_eq!(
                (r.json()["data"].as_array().map(Vec::len), r.json()["hasMore"].as_bool()),
                (Some(0), Some(false)),
                "{id} startingAfter={cursor}: {}",
                r.body
            );
        }
        // A blank cursor is the first page.
        let first = app.api("GET", &format!("{url}?startingAfter="), &w.sk, None).await.json();
        let plain = app.api("GET", &url, &w.sk, None).await.json();
        assert_eq!(first["data"].as_array().map(Vec::len), plain["data"].as_array().map(Vec::len), "{id}");
    }
}

async fn coupon_redemptions_walk_every_item_once(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let n = 7;
    let w = world(&app, n).await;
    let all = app.api("GET", "/api/v1/coupons/walk10/redemptions?limit=100", &w.sk, None).await.json();
    let everything: Vec<String> = all["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(everything.len(), n);
    assert_eq!(all["hasMore"], false);
    let subs: BTreeSet<&str> = all["data"].as_array().unwrap().iter().map(|r| r["subscriptionId"].as_str().unwrap()).collect();
    assert_eq!(subs.len(), n);
    // Newest first.
    let times: Vec<i64> =
        all["data"].as_array().unwrap().iter().map(|r| offerdeck::server::db::rfc3339_to_ms(r["createdAt"].as_str().unwrap()).unwrap()).collect();
    assert!(times.windows(2).all(|p| p[0] >= p[1]), "{times:?}");
    for limit in [1, 2, 3, 7, 8] {
        let walked = walk(&app, &w.sk, "/api/v1/coupons/WALK10/redemptions", limit, "id").await;
        assert_eq!(walked, everything, "limit {limit}: the same order, every redemption once");
    }
    // A cursor from another coupon is unknown to this list: an empty page.
    let r = app.api("POST", "/api/v1/coupons", &w.sk, Some(r#"{"code":"OTHER","type":"percentage","amount":5}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let page = app.api("GET", &format!("/api/v1/coupons/OTHER/redemptions?startingAfter={}", everything[0]), &w.sk, None).await.json();
    assert_eq!((page["data"].as_array().map(Vec::len), page["hasMore"].as_bool()), (Some(0), Some(false)));
    let unknown = app.api("GET", "/api/v1/coupons/NOPE/redemptions", &w.sk, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn newly_paginated_lists_walk_every_item_once(app: TestApp) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let n = 5;
    let w = world(&app, n).await;
    let sk = &w.sk;
    let api = app.client(sk);
    let mut made: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let create = async |path: &str, body: Value| -> String {
        let r = api.post(path, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
        r.id()
    };
    for i in 0..n {
        let s = create("/api/v1/presentation-schemas", json!({"name": format!("Schema {i}"), "fields": [], "offerSlots": ["primary"]})).await;
        made.entry("schemas").or_default().insert(s);
        let x = create("/api/v1/experiences", json!({"name": format!("Experience {i}"), "type": "html", "html": "<p>hi</p>"})).await;
        made.entry("experiences").or_default().insert(x);
        let f = create("/api/v1/surfaces", json!({"name": format!("Surface {i}"), "slug": format!("surface-{i}"), "slots": []})).await;
        made.entry("surfaces").or_default().insert(f);
        if i > 0 {
            let e = create("/api/v1/webhook-endpoints", json!({"url": format!("http://127.0.0.1:9/hook{i}"), "events": ["offer.redeemed"]})).await;
            made.entry("endpoints").or_default().insert(e);
        }
        if i < 3 {
            let r = app
                .api(
                    "POST",
                    "/api/v1/coupons",
                    sk,
                    Some(&json!({"code": format!("CAMP{i}"), "type": "percentage", "amount": 5, "campaign": format!("c{i}")}).to_string()),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    made.entry("endpoints").or_default().insert(w.params["endpoint"].clone());
    let r = api.post("/api/v1/coupons", r#"{"code":"UNTAGGED","type":"percentage","amount":5}"#).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    for (what, path) in [
        ("schemas", "/api/v1/presentation-schemas"),
        ("experiences", "/api/v1/experiences"),
        ("surfaces", "/api/v1/surfaces"),
        ("endpoints", "/api/v1/webhook-endpoints"),
    ] {
        for limit in [1, 2, 3, 100] {
            let walked = walk(&app, sk, path, limit, "id").await;
            assert_once(&format!("{what} by {limit}"), &walked, &made[what]);
            let mut newest_first = walked.clone();
            newest_first.sort_by(|a, b| b.cmp(a));
            assert_eq!(walked, newest_first, "{what}: newest first");
        }
    }

    // Deliveries of the first endpoint: one per redemption.
    let deliveries = format!("/api/v1/webhook-endpoints/{}/deliveries", w.params["endpoint"]);
    let all: BTreeSet<String> = walk(&app, sk, &deliveries, 100, "id").await.into_iter().collect();
    assert_eq!(all.len(), n);
    for limit in [1, 2, 4] {
        assert_once(&format!("deliveries by {limit}"), &walk(&app, sk, &deliveries, limit, "id").await, &all);
    }

    // Workflow versions: the default one and n - 1 saves, newest first.
    let versions = format!("/api/v1/redemption-methods/{}/workflow/versions", w.params["method"]);
    let all = api.get(&format!("{versions}?limit=100")).await.json();
    let numbers: Vec<i64> = all["data"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, (1..=n as i64).rev().collect::<Vec<_>>());
    let ids: BTreeSet<String> = all["data"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect();
    for limit in [1, 2, 3] {
        assert_once(&format!("versions by {limit}"), &walk(&app, sk, &versions, limit, "id").await, &ids);
    }

    // Campaigns: walk, then redemption counts and tags decide the order, untagged last.
    // (`walk` reads a `null` campaign as the text `null`.)
    let tags: BTreeSet<String> = ["walk", "c0", "c1", "c2", "null"].iter().map(|s| s.to_string()).collect();
    for limit in [1, 2, 3, 100] {
        let walked = walk(&app, sk, "/api/v1/coupons/campaigns", limit, "campaign").await;
        assert_once(&format!("campaigns by {limit}"), &walked, &tags);
        assert_eq!(walked.first().map(String::as_str), Some("walk"), "the most redeemed first");
        assert_eq!(walked.last().map(String::as_str), Some("null"), "coupons without a campaign last");
    }
    let p = api.get("/api/v1/coupons/campaigns?startingAfter=nosuchtag").await.json();
    assert_eq!((p["data"].as_array().map(Vec::len), p["hasMore"].as_bool()), (Some(0), Some(false)));

    // A deleted cursor no longer names an object of the list: an empty page, not an error.
    let gone = made["surfaces"].iter().next().unwrap().clone();
    assert_eq!(api.delete(&format!("/api/v1/surfaces/{gone}")).await.status, StatusCode::NO_CONTENT);
    let p = api.get(&format!("/api/v1/surfaces?startingAfter={gone}")).await.json();
    assert_eq!((p["data"].as_array().map(Vec::len), p["hasMore"].as_bool()), (Some(0), Some(false)));
    // Another environment's objects are unknown cursors too.
    let t = app.tenant("Other", "owner@other.test").await;
    let p =
        app.api("GET", &format!("/api/v1/experiences?startingAfter={}", made["experiences"].iter().last().unwrap()), &t.keys.preview.secret, None).await.json();
    assert_eq!(p["data"].as_array().map(Vec::len), Some(0));
}
