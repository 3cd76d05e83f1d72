//! Versions (API.md §14): freeze the preview configuration, diff it against live, deploy it in
//! one transaction, roll back by deploying an older version; live ids stay across deploys,
//! tokens of offers a deploy removed stop working, a price without a matching live Stripe price
//! changes nothing, live configuration is read-only once deployed, and two nodes answering
//! decisions during a deploy each answer from exactly one version.
use crate::helpers::stripe_stub::{GOOD_LIVE_KEY, GOOD_TEST_KEY, StripeStub};
use crate::helpers::{ApiClient, TestApp, assert_error, assert_sfn_error};
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(
    freeze_diff_deploy_and_roll_back,
    a_deploy_that_cannot_be_made_changes_nothing,
    versions_are_the_tenants_own,
    two_nodes_see_one_version_at_a_time,
    concurrent_freezes_and_deploys_take_turns,
    the_first_deploy_replaces_what_live_built_by_hand,
);

/// The preview configuration of one pricing page: a Stripe Checkout method, a product with a
/// price (live Stripe price `price_live_a`), an offer, a schema, an experience and the surface
/// `pricing`. Answers the preview ids of the offer and the experience.
async fn build_preview(api: ApiClient<'_>, headline: &str) -> (Value, Value) {
    let method = api
        .create(
            "/api/v1/redemption-methods",
            json!({"name": "Checkout", "schema": "stripe-checkout",
                "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
        )
        .await;
    let product = api.create("/api/v1/products", json!({"name": "Premium"})).await;
    let price = api
        .create(
            "/api/v1/prices",
            json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_test_a",
                "liveStripePriceId": "price_live_a"}),
        )
        .await;
    let offer = api
        .create(
            "/api/v1/offers",
            json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium v1"}}),
        )
        .await;
    let schema = api
        .create(
            "/api/v1/presentation-schemas",
            json!({"name": "Banner", "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}], "offerSlots": ["primary"]}),
        )
        .await;
    let exp = api
        .create(
            "/api/v1/experiences",
            json!({"name": "Banner", "type": "app", "schemaId": schema["id"], "content": {"headline": headline}, "offers": {"primary": [offer["id"]]}}),
        )
        .await;
    api.create("/api/v1/surfaces", json!({"name": "Pricing", "slug": "pricing", "slots": [{"key": "main", "facet": "json", "experienceId": exp["id"]}]})).await;
    (offer, exp)
}

/// The app talking to a fresh Stripe stub and the tenant Acme; `connected`: both environments
/// have their Stripe integration, and live Stripe knows `price_live_a` at 10.00.
async fn acme(app: TestApp, connected: bool) -> (TestApp, StripeStub, offerdeck::server::services::tenants::Bootstrap) {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    if connected {
        connect_stripe(app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live)).await;
        stub.price("price_live_a", 1000);
    }
    (app, stub, t)
}

async fn connect_stripe(preview: ApiClient<'_>, live: ApiClient<'_>) {
    let r = preview.put("/api/v1/integrations/stripe", json!({"secretKey": GOOD_TEST_KEY})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = live.put("/api/v1/integrations/stripe", json!({"secretKey": GOOD_LIVE_KEY})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// (offer id, title, headline) of a decision on `pricing`, and the offer token.
async fn decide(api: ApiClient<'_>) -> (String, String, String, String) {
    let d = api.create("/api/v1/surface-decisions", json!({"surfaceSlug": "pricing", "identity": {"userIdentifier": "buyer@example.com"}})).await;
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (s(&d["offer"]["id"]), s(&d["offer"]["presentation"]["title"]), s(&d["slots"][0]["experience"]["content"]["headline"]), s(&d["offer"]["token"]))
}

async fn redeem(api: ApiClient<'_>, token: &str) -> crate::helpers::Resp {
    api.post("/api/v1/offer-redemptions", json!({"identity": {"userIdentifier": "buyer@example.com"}, "offerToken": token})).await
}

// Scenario: v1 frozen from preview is deployed to live, where the decision presents it under a
// live id and Checkout charges the live Stripe price; live refuses direct edits; v2 changes
// the title and adds an offer, deploys, keeps the live id and v1's token working; rolling back
// to v1 answers as before, and the token of the offer v2 added stops working.
async fn freeze_diff_deploy_and_roll_back(app: TestApp) {
    let (app, stub, t) = acme(app, true).await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    let (offer, _) = build_preview(preview, "Go premium").await;

    assert_error(&live.post("/api/v1/versions", json!({"name": "Launch"})).await, 403, "forbidden");
    let v1 = preview.create("/api/v1/versions", json!({"name": "Launch", "note": "first"})).await;
    assert_eq!((v1["number"].as_i64(), v1["live"].as_bool()), (Some(1), Some(false)), "{v1}");
    assert_eq!(v1["summary"], json!({"added": 7, "changed": 0, "removed": 0}));
    assert_eq!(v1["objects"]["offer"], 1);
    assert_eq!(v1["createdBy"].as_str().map(|b| b.starts_with("API key")), Some(true), "{v1}");
    let v1_id = v1["id"].as_str().unwrap().to_string();
    let diff = live.get(&format!("/api/v1/versions/{v1_id}/diff")).await.json();
    assert_eq!(diff["changes"].as_array().map(Vec::len), Some(7), "{diff}");
    assert!(diff["changes"].as_array().unwrap().iter().all(|c| c["change"] == "added" && c["liveId"].is_null()), "{diff}");

    assert_error(&preview.post(&format!("/api/v1/versions/{v1_id}/deploy"), "").await, 403, "forbidden");
    let before = live.post("/api/v1/surface-decisions", json!({"surfaceSlug": "pricing", "identity": {"userIdentifier": "buyer@example.com"}})).await;
    assert_error(&before, 404, "not_found");
    let d = live.create(&format!("/api/v1/versions/{v1_id}/deploy"), "").await;
    assert_eq!((d["versionNumber"].as_i64(), d["fromVersionId"].is_null()), (Some(1), true), "{d}");
    assert_eq!(d["summary"]["added"], 7);
    assert_eq!(live.get(&format!("/api/v1/versions/{v1_id}")).await.json()["live"], true);
    let (live_offer, title, headline, token_v1) = decide(live).await;
    assert_eq!((title.as_str(), headline.as_str()), ("Premium v1", "Go premium"));
    assert!(live_offer.starts_with("off_") && live_offer != offer["id"].as_str().unwrap(), "a live id of its own: {live_offer}");
    let diff = live.get(&format!("/api/v1/versions/{v1_id}/diff")).await.json();
    assert_eq!(diff["changes"], json!([]), "live runs v1 exactly: {diff}");
    // Live's copy charges the live Stripe price.
    let r = redeem(live, &token_v1).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let session = stub.requests().into_iter().rev().find(|r| r.path == "/v1/checkout/sessions").unwrap();
    assert!(session.form().contains(&("line_items[0][price]".into(), "price_live_a".into())), "{:?}", session.form());
    assert_eq!(session.header("authorization").as_deref(), Some(format!("Bearer {GOOD_LIVE_KEY}").as_str()));
    // Live's configuration now changes only by deploys.
    assert_error(&live.post("/api/v1/products", json!({"name": "Sneaky"})).await, 409, "conflict");
    let r = live.patch(&format!("/api/v1/offers/{live_offer}"), json!({"name": "Sneaky"})).await;
    assert_error(&r, 409, "conflict");
    assert_eq!(live.get(&format!("/api/v1/offers/{live_offer}")).await.json()["name"], "Premium");

    // v2: a new title, and a second offer on a second surface.
    let pid = offer["id"].as_str().unwrap();
    let r = preview.patch(&format!("/api/v1/offers/{pid}"), json!({"presentation": {"title": "Premium v2"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let extra = preview
        .create(
            "/api/v1/offers",
            json!({"name": "Extra", "redemptionMethodId": offer["redemptionMethodId"], "priceIds": offer["priceIds"], "presentation": {"title": "Extra"}}),
        )
        .await;
    let exp =
        preview.create("/api/v1/experiences", json!({"name": "Extra", "type": "html", "html": "<p>Extra</p>", "offers": {"primary": [extra["id"]]}})).await;
    preview.create("/api/v1/surfaces", json!({"name": "Extra", "slug": "extra", "slots": [{"key": "main", "facet": "json", "experienceId": exp["id"]}]})).await;
    let v2 = preview.create("/api/v1/versions", json!({"name": "Summer"})).await;
    assert_eq!(v2["summary"], json!({"added": 3, "changed": 1, "removed": 0}), "{v2}");
    let v2_id = v2["id"].as_str().unwrap().to_string();
    let diff = live.get(&format!("/api/v1/versions/{v2_id}/diff")).await.json();
    let changed: Vec<&Value> = diff["changes"].as_array().unwrap().iter().filter(|c| c["change"] == "changed").collect();
    assert_eq!(changed.len(), 1, "{diff}");
    assert_eq!((changed[0]["kind"].as_str(), changed[0]["liveId"].as_str()), (Some("offer"), Some(live_offer.as_str())));
    assert_eq!(changed[0]["fields"], json!(["presentation"]));
    let d = live.create(&format!("/api/v1/versions/{v2_id}/deploy"), "").await;
    assert_eq!(d["fromVersionId"].as_str(), Some(v1_id.as_str()));
    let (id2, title2, _, _) = decide(live).await;
    assert_eq!((id2.as_str(), title2.as_str()), (live_offer.as_str(), "Premium v2"), "the same live id, the new title");
    assert_eq!(redeem(live, &token_v1).await.status, StatusCode::OK, "a token of an offer that stays keeps working");
    let e = live.create("/api/v1/surface-decisions", json!({"surfaceSlug": "extra", "identity": {"userIdentifier": "buyer@example.com"}})).await;
    let token_extra = e["offer"]["token"].as_str().unwrap().to_string();

    // Roll back: deploy v1 again.
    let d = live.create(&format!("/api/v1/versions/{v1_id}/deploy"), "").await;
    assert_eq!((d["versionNumber"].as_i64(), d["fromVersionNumber"].as_i64()), (Some(1), Some(2)), "{d}");
    assert_eq!(d["summary"], json!({"added": 0, "changed": 1, "removed": 3}), "{d}");
    let (id1, title1, headline1, _) = decide(live).await;
    assert_eq!((id1.as_str(), title1.as_str(), headline1.as_str()), (live_offer.as_str(), "Premium v1", "Go premium"));
    assert_error(
        &live.post("/api/v1/surface-decisions", json!({"surfaceSlug": "extra", "identity": {"userIdentifier": "buyer@example.com"}})).await,
        404,
        "not_found",
    );
    let r = redeem(live, &token_extra).await;
    let body = assert_error(&r, 400, "invalid_offer_token");
    assert!(body["message"].as_str().unwrap().contains("no longer available"), "{body}");
    let history = live.get("/api/v1/versions/deployments").await.json();
    let numbers: Vec<i64> = history.as_array().unwrap().iter().map(|d| d["versionNumber"].as_i64().unwrap()).collect();
    assert_eq!(numbers, vec![1, 2, 1], "newest first: {history}");
    assert!(history[0]["deployedBy"].as_str().unwrap().starts_with("API key"));
    let list = preview.get("/api/v1/versions").await.json();
    assert_eq!(
        list["data"].as_array().map(|d| d.iter().map(|v| (v["number"].as_i64().unwrap(), v["live"].as_bool().unwrap())).collect::<Vec<_>>()),
        Some(vec![(2, false), (1, true)])
    );
    // Preview never changed through any of it.
    assert_eq!(preview.get(&format!("/api/v1/offers/{pid}")).await.json()["presentation"]["title"], "Premium v2");
}

async fn live_state(app: &TestApp, live: ApiClient<'_>, tenant_id: &str) -> (i64, Value, Value) {
    (app.product_count(tenant_id, Environment::Live).await, live.get("/api/v1/versions/deployments").await.json(), live.get("/api/v1/offers").await.json())
}

// Scenario: every way a deploy can be refused — no live Stripe integration, a price without a
// live Stripe price id, one live Stripe does not know, one with another amount, a Stripe that
// fails — is a clear error, and live is left exactly as it was each time.
async fn a_deploy_that_cannot_be_made_changes_nothing(app: TestApp) {
    let (app, stub, t) = acme(app, false).await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    let (offer, _) = build_preview(preview, "Go premium").await;
    let price_id = offer["priceIds"][0].as_str().unwrap().to_string();
    let v = preview.create("/api/v1/versions", json!({"name": "Launch"})).await;
    let deploy = format!("/api/v1/versions/{}/deploy", v["id"].as_str().unwrap());
    let before = live_state(&app, live, &t.tenant_id).await;

    let body = assert_error(&live.post(&deploy, "").await, 409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("no Stripe integration"), "{body}");
    assert_eq!(live_state(&app, live, &t.tenant_id).await, before);

    connect_stripe(preview, live).await;
    // A price without its live Stripe price id: named, nothing changes.
    let r = preview.patch(&format!("/api/v1/prices/{price_id}"), json!({"liveStripePriceId": ""})).await;
    assert_eq!(r.json()["liveStripePriceId"], Value::Null, "{}", r.body);
    let v2 = preview.create("/api/v1/versions", json!({"name": "No live price"})).await;
    let deploy2 = format!("/api/v1/versions/{}/deploy", v2["id"].as_str().unwrap());
    let body = assert_error(&live.post(&deploy2, "").await, 409, "conflict");
    assert!(body["message"].as_str().unwrap().contains(&price_id), "names the price: {body}");
    assert!(body["fields"]["liveStripePriceId"].is_string(), "{body}");
    assert_eq!(live_state(&app, live, &t.tenant_id).await, before);
    // Live prices are set on the preview price only.
    assert_error(&live.patch(&format!("/api/v1/prices/{price_id}"), json!({"liveStripePriceId": "price_x"})).await, 404, "not_found");

    // v1 names price_live_a, which the live account does not have yet.
    let body = assert_error(&live.post(&deploy, "").await, 409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("price_live_a does not exist"), "{body}");
    stub.price("price_live_a", 999);
    let body = assert_error(&live.post(&deploy, "").await, 409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("charges 999"), "{body}");
    stub.price("price_live_a", 1000);
    let failing = json!({"error": {"type": "api_error", "message": "Stripe is down"}});
    stub.script(vec![(500, failing.clone()), (500, failing.clone()), (500, failing)]);
    assert_error(&live.post(&deploy, "").await, 502, "stripe_error");
    assert_eq!(live_state(&app, live, &t.tenant_id).await, before);
    assert_eq!(live.get("/api/v1/versions").await.json()["data"][0]["live"], false);

    // Fixed: the same version deploys.
    let d = live.create(&deploy, "").await;
    assert_eq!(d["versionNumber"], 1);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Live).await, 1);
}

// Scenario: another tenant's keys find none of the versions; a marketer sees the Versions page
// but cannot freeze or deploy; the dashboard's deploy asks for confirmation and then deploys.
async fn versions_are_the_tenants_own(app: TestApp) {
    let (app, _stub, t) = acme(app, true).await;
    let other = app.tenant("Other", "owner@other.test").await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    build_preview(preview, "Go premium").await;
    let v = preview.create("/api/v1/versions", json!({"name": "Launch"})).await;
    let id = v["id"].as_str().unwrap();
    for env in [Environment::Preview, Environment::Live] {
        let foreign = app.secret_key(&other, env);
        assert_error(&foreign.get(&format!("/api/v1/versions/{id}")).await, 404, "not_found");
        assert_error(&foreign.get(&format!("/api/v1/versions/{id}/diff")).await, 404, "not_found");
        assert_error(&foreign.post(&format!("/api/v1/versions/{id}/deploy"), "").await, 404, "not_found");
        assert_eq!(foreign.get("/api/v1/versions").await.json()["data"], json!([]));
        assert_eq!(foreign.get("/api/v1/versions/deployments").await.json(), json!([]));
    }
    assert_error(&app.publishable_key(&t, Environment::Live).post(&format!("/api/v1/versions/{id}/deploy"), "").await, 403, "forbidden");

    let marketer = app.marketer(&t).await;
    let page = marketer.sfn("versions/page", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.json()["versions"][0]["id"], id);
    assert_sfn_error(&marketer.sfn("versions/deploy", &[("id", id), ("confirm", "yes")]).await, 403, "forbidden");
    assert_sfn_error(&marketer.sfn("versions/create", &[("name", "Mine")]).await, 403, "forbidden");

    let merchant = app.merchant(&t).await;
    let r = merchant.sfn("versions/deploy", &[("id", id)]).await;
    let e = assert_sfn_error(&r, 400, "validation_failed");
    assert!(e.to_string().contains("confirm"), "{e}");
    assert!(live.get("/api/v1/versions/deployments").await.json().as_array().unwrap().is_empty());
    let r = merchant.sfn("versions/deploy", &[("id", id), ("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = live.get("/api/v1/versions/deployments").await.json();
    assert_eq!(history[0]["deployedBy"], "owner@acme.test");
    // The dashboard in live: the pages of versioned objects are read-only, with a way to Versions.
    merchant.switch_to(Environment::Live).await;
    let info = merchant.sfn("session", &[]).await.json();
    assert_eq!(info["live_version"]["number"], 1, "{info}");
    let products = merchant.page("/catalogue/products").await;
    assert!(products.body.contains("read-only here") && products.body.contains("href=\"/versions\""), "{}", products.body);
    assert!(!products.body.contains("Create product"), "no create form in locked live");
    let r = merchant.sfn("products/create", &[("name", "Sneaky"), ("description", "")]).await;
    assert_sfn_error(&r, 409, "conflict");
    assert_eq!(app.product_count(&t.tenant_id, Environment::Live).await, 1);
}

// Scenario: two nodes on one database keep answering live decisions (at least 200) while node A
// deploys v2 over v1; every decision is wholly v1 (title and headline) or wholly v2, never a
// mix; after the deploy node A answers v2.
async fn two_nodes_see_one_version_at_a_time(app: TestApp) {
    let (app, _stub, t) = acme(app, true).await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    let (offer, exp) = build_preview(preview, "Headline v1").await;
    let v1 = preview.create("/api/v1/versions", json!({"name": "One"})).await;
    live.create(&format!("/api/v1/versions/{}/deploy", v1["id"].as_str().unwrap()), "").await;
    let (pid, xid) = (offer["id"].as_str().unwrap(), exp["id"].as_str().unwrap());
    preview.patch(&format!("/api/v1/offers/{pid}"), json!({"presentation": {"title": "Premium v2"}})).await;
    let r = preview
        .patch(
            &format!("/api/v1/experiences/{xid}"),
            json!({"name": "Banner", "type": "app", "schemaId": exp["schemaId"], "content": {"headline": "Headline v2"}, "offers": {"primary": [pid]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v2 = preview.create("/api/v1/versions", json!({"name": "Two"})).await;
    let b = app.second_node();
    let live_b = b.secret_key(&t, Environment::Live);
    // Both nodes hold v1 in memory before the deploy begins.
    assert_eq!(decide(live).await.1, "Premium v1");
    assert_eq!(decide(live_b).await.1, "Premium v1");

    // Eight callers keep deciding, alternating nodes, until the deploy has returned and 200
    // decisions are in: the first ones overlap the deploy, the last ones follow it.
    let deploy = format!("/api/v1/versions/{}/deploy", v2["id"].as_str().unwrap());
    let done = std::sync::atomic::AtomicBool::new(false);
    let count = std::sync::atomic::AtomicUsize::new(0);
    let worker = |w: usize| {
        let (done, count) = (&done, &count);
        async move {
            let mut mine = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let client = if (w + mine.len()).is_multiple_of(2) { live } else { live_b };
                mine.push(decide(client).await);
                if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= 200 && finished {
                    return mine;
                }
            }
        }
    };
    let deploying = async {
        let r = live.post(&deploy, "").await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    };
    let (answers, d) = tokio::join!(futures::future::join_all((0..8).map(worker)), deploying);
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let mut seen = std::collections::BTreeMap::new();
    for (_, title, headline, _) in answers.iter().flatten() {
        let version = match (title.as_str(), headline.as_str()) {
            ("Premium v1", "Headline v1") => 1,
            ("Premium v2", "Headline v2") => 2,
            other => panic!("a decision mixed two versions: {other:?}"),
        };
        *seen.entry(version).or_insert(0) += 1;
    }
    assert!(seen.values().sum::<i32>() >= 200, "{seen:?}");
    assert!(seen.contains_key(&2), "decisions after the deploy answer version 2: {seen:?}");
    eprintln!("decisions around the deploy, by version: {seen:?}");
    let (_, title, headline, _) = decide(live).await;
    assert_eq!((title.as_str(), headline.as_str()), ("Premium v2", "Headline v2"));
}

// Scenario: ten freezes at once get the numbers 1–10, each once; two deploys at once both
// succeed one after the other, and live runs the one recorded last.
async fn concurrent_freezes_and_deploys_take_turns(app: TestApp) {
    let (app, _stub, t) = acme(app, true).await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    build_preview(preview, "Go premium").await;
    let freezes = (0..10).map(|i| async move { preview.post("/api/v1/versions", json!({"name": format!("V{i}")})).await });
    let answers = futures::future::join_all(freezes).await;
    let mut numbers: Vec<i64> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["number"].as_i64().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    let ids: Vec<String> = answers.iter().take(2).map(|r| r.id()).collect();
    let (first, second) = (format!("/api/v1/versions/{}/deploy", ids[0]), format!("/api/v1/versions/{}/deploy", ids[1]));
    let (a, b) = tokio::join!(live.post(&first, ""), live.post(&second, ""));
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{} {}", a.body, b.body);
    let history = live.get("/api/v1/versions/deployments").await.json();
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let last = history[0]["versionId"].as_str().unwrap();
    assert_eq!(history[0]["fromVersionId"], history[1]["versionId"], "the second deploy started from the first: {history}");
    assert_eq!(live.get(&format!("/api/v1/versions/{last}")).await.json()["live"], true);
    assert_eq!(app.product_count(&t.tenant_id, Environment::Live).await, 1, "one live copy, whatever the order");
}

// Scenario: before any deploy, live holds objects built there by hand; the diff lists them as
// removed, and the first deploy archives the product and deletes the surface, so that live
// holds exactly the version; live's own coupons are untouched.
async fn the_first_deploy_replaces_what_live_built_by_hand(app: TestApp) {
    let (app, _stub, t) = acme(app, true).await;
    let (preview, live) = (app.secret_key(&t, Environment::Preview), app.secret_key(&t, Environment::Live));
    let by_hand = live.create("/api/v1/products", json!({"name": "Hand-made"})).await;
    let hand_price = live
        .create("/api/v1/prices", json!({"productId": by_hand["id"], "currency": "gbp", "unitAmount": 500, "interval": null, "stripePriceId": "price_hand"}))
        .await;
    let hand_method = live.create("/api/v1/redemption-methods", json!({"name": "Hand", "schema": "custom"})).await;
    live.create(
        "/api/v1/offers",
        json!({"name": "Hand offer", "redemptionMethodId": hand_method["id"], "priceIds": [hand_price["id"]], "presentation": {"title": "Hand"}}),
    )
    .await;
    let hand_exp = live.create("/api/v1/experiences", json!({"name": "Hand", "type": "html", "html": "<p>hand</p>"})).await;
    live.create("/api/v1/surfaces", json!({"name": "Old", "slug": "pricing", "slots": [{"key": "main", "facet": "web", "experienceId": hand_exp["id"]}]}))
        .await;
    live.create("/api/v1/coupons", json!({"code": "LIVE10", "type": "percentage", "amount": 10})).await;
    build_preview(preview, "Go premium").await;
    let v = preview.create("/api/v1/versions", json!({"name": "Launch"})).await;
    assert_eq!(v["summary"], json!({"added": 7, "changed": 0, "removed": 6}), "{v}");
    let diff = live.get(&format!("/api/v1/versions/{}/diff", v["id"].as_str().unwrap())).await.json();
    let removed: Vec<&str> = diff["changes"].as_array().unwrap().iter().filter(|c| c["change"] == "removed").map(|c| c["liveId"].as_str().unwrap()).collect();
    assert!(removed.contains(&by_hand["id"].as_str().unwrap()), "{diff}");
    live.create(&format!("/api/v1/versions/{}/deploy", v["id"].as_str().unwrap()), "").await;
    let product = live.get(&format!("/api/v1/products/{}", by_hand["id"].as_str().unwrap())).await.json();
    assert_eq!(product["status"], "archived", "kept for history, archived: {product}");
    let surfaces = live.get("/api/v1/surfaces").await.json();
    assert_eq!(surfaces["data"].as_array().map(Vec::len), Some(1), "{surfaces}");
    assert_eq!(surfaces["data"][0]["slug"], "pricing");
    assert_ne!(surfaces["data"][0]["slots"][0]["experienceId"], hand_exp["id"], "the version's surface, the version's experience");
    assert_eq!(decide(live).await.1, "Premium v1");
    assert_eq!(live.get("/api/v1/coupons/LIVE10").await.status, StatusCode::OK, "coupons never travel");
}
