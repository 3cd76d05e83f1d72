//! Campaigns (`services::analytics`, `services::batches`): the funnel of a scripted campaign is
//! exact, also under concurrency (decisions, offer redemptions, completed checkouts, coupon
//! redemptions, against the raw tables); local days and weeks follow the tenant's zone across a
//! DST change; a 10,000-code batch is unique, valid, resumes after a stop mid-way and exports
//! every code; imports report each bad row and store nothing; marketers read but cannot create.
use crate::checkout::send_stripe;
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{TestApp, assert_error, assert_sfn_error};
use crate::stripe_events::stripe_event;
use axum::http::StatusCode;
use offerdeck::server::services::batches;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

db_tests!(
    a_scripted_campaign_counts_exactly,
    days_and_weeks_follow_the_zone_across_dst,
    a_batch_of_ten_thousand_resumes_and_exports,
    imports_and_batch_rules,
    kept_counts_match_the_raw_rows,
);

struct World {
    app: TestApp,
    stub: StripeStub,
    t: offerdeck::server::services::tenants::Bootstrap,
    sk: String,
    product: String,
    integration: String,
}

async fn world(app: TestApp) -> World {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let sk = t.keys.preview.secret.clone();
    let api = app.client(&sk);
    let r = api.put("/api/v1/integrations/stripe", json!({"secretKey": GOOD_TEST_KEY, "webhookSecret": "whsec_stripe_test_secret"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let product =
        api.create("/api/v1/products", json!({"name": "Pro", "successUrl": "https://shop.test/thanks", "cancelUrl": "https://shop.test/pricing"})).await;
    api.create(
        "/api/v1/prices",
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 2000, "interval": "month", "stripePriceId": "price_pro_m"}),
    )
    .await;
    stub.price("price_pro_m", 2000);
    let integration = api.get("/api/v1/integrations/stripe").await.id();
    World { product: product["id"].as_str().unwrap().to_string(), app, stub, t, sk, integration }
}

async fn count(app: &TestApp, sql: &str, tenant: &str) -> i64 {
    sqlx::Row::get(&sqlx::query(sql).bind(tenant).fetch_one(&app.state.db.pool).await.unwrap(), 0)
}

fn coupon(code: &str, campaign: Option<&str>) -> Value {
    json!({"code": code, "type": "percentage", "amount": 25, "campaign": campaign})
}

// Scenario: an offer tagged BF26 is presented 27 times (20 of them concurrently) and redeemed
// 3 times; two checkouts with BF26 codes complete (one with another campaign's code does not
// count); 21 direct redemptions of BF26 codes run concurrently. The campaign's funnel, series,
// revenue and top codes say exactly that, match the raw tables, and the other campaign and the
// offer's and coupons' series count theirs.
async fn a_scripted_campaign_counts_exactly(app: TestApp) {
    let w = world(app).await;
    let api = w.app.client(&w.sk);
    let (offer, _) = crate::surfaces::small_recipe(&w.app, &w.sk).await;
    let oid = offer["id"].as_str().unwrap().to_string();
    let tagged = api.patch(&format!("/api/v1/offers/{oid}"), json!({"campaign": " BF26 "})).await;
    assert_eq!(tagged.json()["campaign"], "BF26", "{}", tagged.body);
    for (code, campaign) in [("BF-A", Some("BF26")), ("BF-B", Some("BF26")), ("OTHER-1", Some("Spring")), ("PLAIN", None)] {
        assert_eq!(api.post("/api/v1/coupons", coupon(code, campaign)).await.status, StatusCode::CREATED);
    }
    let decide = |who: String| json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": who}});
    let mut tokens = Vec::new();
    for i in 0..7 {
        let d = api.post("/api/v1/surface-decisions", decide(format!("u{i}"))).await.json();
        tokens.push(d["offer"]["token"].as_str().unwrap().to_string());
    }
    let app = Arc::new(w.app);
    let mut handles = Vec::new();
    for i in 0..20 {
        let (app, sk) = (app.clone(), w.sk.clone());
        let body = decide(format!("c{i}"));
        handles.push(tokio::spawn(async move { app.client(&sk).post("/api/v1/surface-decisions", body).await.status }));
    }
    for i in 0..21 {
        let (app, sk) = (app.clone(), w.sk.clone());
        let code = if i % 3 == 0 { "BF-A" } else { "BF-B" };
        handles.push(tokio::spawn(async move {
            app.client(&sk).post(&format!("/api/v1/coupons/{code}/redemptions"), json!({"subscriptionId": format!("sub_direct_{i}")})).await.status
        }));
    }
    for h in handles {
        assert!(h.await.unwrap().is_success());
    }
    let api = app.client(&w.sk);
    for (i, token) in tokens.iter().take(3).enumerate() {
        let r = api.post("/api/v1/offer-redemptions", json!({"identity": {"userIdentifier": format!("u{i}")}, "offerToken": token})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // A failed redemption (a token of someone else) counts nothing.
    assert!(!api.post("/api/v1/offer-redemptions", json!({"identity": {"userIdentifier": "x"}, "offerToken": tokens[4]})).await.status.is_success());
    let mut totals = (0, 0);
    for (i, code) in ["BF-A", "BF-B", "OTHER-1"].iter().enumerate() {
        let body = json!({"productId": w.product, "customer": {"email": format!("b{i}@shop.test")}, "discountCode": code});
        let cs = api.create("/api/v1/checkout-sessions", body).await;
        let paid = w.stub.complete(cs["stripeCheckoutSessionId"].as_str().unwrap());
        let r = send_stripe(&app, &w.integration, &stripe_event(&format!("evt_paid_{i}"), "checkout.session.completed", paid)).await;
        assert!(r.status.is_success(), "{}", r.body);
        let done = api.get(&format!("/api/v1/checkout-sessions/{}", cs["id"].as_str().unwrap())).await.json();
        assert_eq!(done["status"], "completed");
        if i < 2 {
            totals.0 += done["amountTotal"].as_i64().unwrap();
            totals.1 += done["amountDiscount"].as_i64().unwrap();
        }
    }
    app.state.recorder.flush().await;

    let r = api.get("/api/v1/analytics/campaigns/BF26").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep = r.json();
    assert_eq!(rep["funnel"], json!({"presented": 27, "redeemed": 3, "completed": 2, "checkouts": 2, "signups": 0, "coupons": 23}));
    assert_eq!((rep["coupons"].as_i64(), rep["offers"].as_i64()), (Some(2), Some(1)));
    assert_eq!(rep["revenue"], json!([{"currency": "gbp", "revenue": totals.0, "discount": totals.1}]));
    assert_eq!(totals, (3000, 1000), "two 20.00 checkouts at 25 % off");
    let series = rep["series"].as_array().unwrap();
    assert_eq!(series.len(), 30, "the last 30 days by default");
    let sum = |k: &str| series.iter().map(|p| p[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!((sum("presented"), sum("redeemed"), sum("checkouts"), sum("coupons")), (27, 3, 2, 23));
    assert_eq!(series.last().unwrap()["coupons"], 23, "everything happened today");
    let top: Vec<(String, i64)> =
        rep["topCodes"].as_array().unwrap().iter().map(|c| (c["code"].as_str().unwrap().to_string(), c["redemptions"].as_i64().unwrap())).collect();
    assert_eq!(top, [("BF-B".to_string(), 15), ("BF-A".to_string(), 8)]);

    // The counters agree with the recorded events themselves.
    let tid = w.t.tenant_id.as_str();
    let raw =
        count(&app, "SELECT COUNT(*) FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id WHERE c.tenant_id = $1 AND c.campaign = 'BF26'", tid).await;
    let shown = count(&app, "SELECT COUNT(*) FROM impressions WHERE tenant_id = $1", tid).await;
    assert_eq!((raw, shown), (23, 27));

    let spring = api.get("/api/v1/analytics/campaigns/Spring").await.json();
    assert_eq!(spring["funnel"], json!({"presented": 0, "redeemed": 0, "completed": 1, "checkouts": 1, "signups": 0, "coupons": 1}));
    let of_offer = api.get(&format!("/api/v1/analytics/offers/{oid}?bucket=week")).await.json();
    assert_eq!((of_offer["funnel"]["presented"].as_i64(), of_offer["funnel"]["redeemed"].as_i64()), (Some(27), Some(3)));
    assert_eq!(of_offer["period"]["bucket"], "week");
    let all = api.get("/api/v1/analytics/coupons").await.json();
    assert_eq!(all["funnel"]["coupons"], 24, "every coupon redemption of the environment");
    let list = api.get("/api/v1/analytics/campaigns").await.json();
    let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|c| c["campaign"].as_str().unwrap()).collect();
    assert_eq!(names, ["BF26", "Spring"]);

    // Bad periods and unknown campaigns are the contract's errors; live sees none of it.
    assert_error(&api.get("/api/v1/analytics/campaigns/BF26?from=2026-13-01").await, 400, "validation_failed");
    assert_error(&api.get("/api/v1/analytics/campaigns/BF26?bucket=month").await, 400, "validation_failed");
    assert_error(&api.get("/api/v1/analytics/campaigns/BF26?from=2024-01-01&to=2026-01-01").await, 400, "validation_failed");
    assert_error(&api.get("/api/v1/analytics/campaigns/BF26?since=1").await, 400, "validation_failed");
    assert_error(&api.get("/api/v1/analytics/campaigns/Nope").await, 404, "not_found");
    assert_error(&app.client(&w.t.keys.live.secret).get("/api/v1/analytics/campaigns/BF26").await, 404, "not_found");
    assert_error(&app.client(&w.t.keys.preview.publishable).get("/api/v1/analytics/campaigns/BF26").await, 403, "forbidden");

    // The campaign page and its CSV, as a marketer.
    let m = app.marketer(&w.t).await;
    let page = m.page("/campaigns/BF26").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("role=\"img\"") && page.body.contains("Coupons redeemed: 23"), "the funnel's SVG with its numbers");
    let csv = m.page("/campaigns/BF26/series.csv").await;
    assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let rows: Vec<&str> = csv.body.lines().collect();
    assert_eq!(rows[0], "start,presented,redeemed,checkouts,signups,coupons");
    assert_eq!(rows.iter().filter(|l| l.ends_with(",27,3,2,0,23")).count(), 2, "today's row and the total: {}", csv.body);
    assert!(rows.contains(&"total,27,3,2,0,23"));
    assert!(csv.body.contains("currency,revenue,discount\ngbp,3000,1000"));
    let cmp = m.page("/campaigns/BF26?compare=Spring").await;
    assert!(cmp.body.contains("Comparison") && cmp.body.contains("Spring · "), "side by side");
    campaign_counts_are_raw(&app, &w.t.tenant_id).await;
}

/// The per-campaign coupon counts the schema's triggers keep equal a count of the coupons.
async fn campaign_counts_are_raw(app: &TestApp, tenant: &str) {
    use offerdeck::model::Environment;
    let scope = app.scope(tenant, Environment::Preview);
    let kept = offerdeck::server::db::coupons::campaign_counts(&app.state.db.pool, &scope).await.unwrap();
    let kept: Vec<(Option<String>, i64, i64)> = kept.into_iter().map(|c| (c.campaign, c.coupons, c.redemptions)).collect();
    let sql = "SELECT campaign, COUNT(*), CAST(SUM(times_redeemed) AS BIGINT) FROM coupons WHERE tenant_id = $1 AND environment = 'preview' \
               AND status <> 'pending' GROUP BY campaign ORDER BY 3 DESC, campaign";
    let rows = sqlx::query(sql).bind(tenant).fetch_all(&app.state.db.pool).await.unwrap();
    let mut raw: Vec<(Option<String>, i64, i64)> = rows.iter().map(|r| (sqlx::Row::get(r, 0), sqlx::Row::get(r, 1), sqlx::Row::get(r, 2))).collect();
    // Both orders put ties by name, NULL where each database sorts it: compare as sets.
    let mut kept = kept;
    kept.sort();
    raw.sort();
    assert_eq!(kept, raw, "kept per-campaign counts against the coupons themselves");
}

// Scenario: decisions recorded either side of 15-minute boundaries, and redemptions; an offer's
// statistics over windows that start and end inside buckets, on them, or inside one bucket are
// exactly the raw impressions and redemption events of the window. Coupons created, redeemed
// concurrently, archived and activated by a batch keep exact per-campaign counts.
async fn kept_counts_match_the_raw_rows(app: TestApp) {
    use offerdeck::model::{Environment, EventStatus, IdentityKind};
    use offerdeck::server::db::{analytics::BUCKET_MS, impressions};
    let w = world(app).await;
    let api = w.app.client(&w.sk);
    let (offer, _) = crate::surfaces::small_recipe(&w.app, &w.sk).await;
    let oid = offer["id"].as_str().unwrap().to_string();
    let scope = w.app.scope(&w.t.tenant_id, Environment::Preview);
    let base = (w.app.state.clock.now_ms() / BUCKET_MS - 10) * BUCKET_MS;
    // Offsets from `base`: a boundary, just before and after it, mid-bucket, several buckets on.
    let offsets = [0, 1, BUCKET_MS - 1, BUCKET_MS, BUCKET_MS + 1, BUCKET_MS + 450_000, 3 * BUCKET_MS - 1, 3 * BUCKET_MS, 5 * BUCKET_MS + 7];
    let rows: Vec<impressions::Decision> = offsets
        .iter()
        .enumerate()
        .map(|(i, off)| impressions::Decision {
            scope: scope.clone(),
            event_id: format!("evt_edge_{i}"),
            status: EventStatus::Presented,
            identity_kind: IdentityKind::Authenticated,
            identity: format!("u{i}"),
            request: "{}".into(),
            response: "{}".into(),
            offer_ids: vec![oid.clone()],
            campaigns: vec![None],
            at_ms: base + off,
        })
        .collect();
    let mut tx = w.app.state.db.begin_write().await.unwrap();
    impressions::insert_decisions(&mut tx, w.app.state.db.backend, &rows).await.unwrap();
    tx.commit().await.unwrap();
    let raw = |from: i64, to: i64| offsets.iter().filter(|o| base + **o >= from && base + **o < to).count() as i64;
    let mut windows = Vec::new();
    for a in [-1, 0, 1, BUCKET_MS - 1, BUCKET_MS, BUCKET_MS + 2, 2 * BUCKET_MS + 5] {
        for b in [1, 2, BUCKET_MS - 1, BUCKET_MS, BUCKET_MS + 1, 3 * BUCKET_MS, 6 * BUCKET_MS] {
            windows.push((base + a, base + a + b));
        }
    }
    for (from, to) in windows {
        let (shown, _, _) = impressions::offer_counts(&w.app.state.db.pool, &scope, &oid, from, to).await.unwrap();
        assert_eq!(shown, raw(from, to), "impressions in [{from}, {to}) (base {base})");
    }
    // Redemptions and redeemers through the API, against the events.
    for i in 0..3 {
        let d =
            api.post("/api/v1/surface-decisions", json!({"surfaceSlug": "pricing-page", "identity": {"userIdentifier": format!("r{}", i % 2)}})).await.json();
        let r = api.post("/api/v1/offer-redemptions", json!({"identity": {"userIdentifier": format!("r{}", i % 2)}, "offerToken": d["offer"]["token"]})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    w.app.state.recorder.flush().await;
    let stats = api.get(&format!("/api/v1/offers/{oid}/stats")).await.json();
    let tid = w.t.tenant_id.as_str();
    let shown = count(&w.app, "SELECT COUNT(*) FROM impressions WHERE tenant_id = $1", tid).await;
    let ok = count(&w.app, "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND event_type = 'offer.redemption' AND status = 'succeeded'", tid).await;
    assert_eq!((stats["impressions"].as_i64(), stats["redemptions"].as_i64(), stats["redeemers"].as_i64()), (Some(shown), Some(ok), Some(2)), "{stats}");
    assert_eq!((shown, ok), (offsets.len() as i64 + 3, 3));

    // Coupon counts per campaign through creation, concurrent redemptions and archiving.
    for (code, campaign) in [("K-A", Some("Kept")), ("K-B", Some("Kept")), ("K-C", Some("Other")), ("K-D", None), ("K-E", None)] {
        assert_eq!(api.post("/api/v1/coupons", coupon(code, campaign)).await.status, StatusCode::CREATED);
    }
    let app = Arc::new(w.app);
    let api = app.client(&w.sk);
    let mut handles = Vec::new();
    for i in 0..24 {
        let (app, sk) = (app.clone(), w.sk.clone());
        let code = ["K-A", "K-B", "K-C", "K-D"][i % 4];
        handles.push(tokio::spawn(async move {
            app.client(&sk).post(&format!("/api/v1/coupons/{code}/redemptions"), json!({"subscriptionId": format!("sub_kept_{i}")})).await.status
        }));
    }
    for h in handles {
        assert!(h.await.unwrap().is_success());
    }
    campaign_counts_are_raw(&app, tid).await;
    assert_eq!(api.post("/api/v1/coupons/K-B/archive", "").await.json()["status"], "archived");
    let camps = api.get("/api/v1/coupons/campaigns").await.json();
    let kept = camps["data"].as_array().unwrap().iter().find(|c| c["campaign"] == "Kept").cloned().unwrap();
    assert_eq!((kept["coupons"].as_i64(), kept["redemptions"].as_i64()), (Some(2), Some(12)), "archived coupons still count, as before");
    let untagged = camps["data"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!((untagged["campaign"].clone(), untagged["coupons"].as_i64(), untagged["redemptions"].as_i64()), (Value::Null, Some(2), Some(6)));
    // A generated batch counts once it completes, not while its codes are pending.
    let r = api.post("/api/v1/coupons/batches", json!({"campaign": "Kept", "template": "KB-??????", "count": 5, "type": "percentage", "amount": 10})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    campaign_counts_are_raw(&app, tid).await;
    assert_eq!(batches::work(&app.state).await, 1);
    campaign_counts_are_raw(&app, tid).await;
    let summary = api.get("/api/v1/analytics/campaigns/Kept").await.json();
    assert_eq!(summary["coupons"], 7, "{summary}");
}

fn at(app: &TestApp, rfc3339: &str) {
    let target = offerdeck::server::db::rfc3339_to_ms(rfc3339).unwrap();
    app.state.clock.advance(target - app.state.clock.now_ms());
}

// Scenario: in New York, clocks went back on 2026-11-01. Redemptions at 23:30 on 31 October,
// 00:30 and 23:30 on 1 November and 00:30 on 2 November (local) land in their local days and
// weeks, which UTC days would not give; a zone with a half-hour offset splits days too.
async fn days_and_weeks_follow_the_zone_across_dst(app: TestApp) {
    let w = world(app).await;
    let api = w.app.client(&w.sk);
    let owner = w.app.merchant(&w.t).await;
    assert_eq!(owner.sfn("tenant/time_zone", &[("time_zone", "America/New_York")]).await.status, StatusCode::OK);
    api.post("/api/v1/coupons", coupon("FALL", Some("Fall"))).await;
    for (i, t) in ["2026-11-01T03:30:00Z", "2026-11-01T04:30:00Z", "2026-11-02T04:30:00Z", "2026-11-02T05:30:00Z"].iter().enumerate() {
        at(&w.app, t);
        let r = api.post("/api/v1/coupons/FALL/redemptions", json!({"subscriptionId": format!("sub_{i}")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let days = api.get("/api/v1/analytics/campaigns/Fall?from=2026-10-31&to=2026-11-02").await.json();
    let per_day: Vec<(String, i64)> =
        days["series"].as_array().unwrap().iter().map(|p| (p["start"].as_str().unwrap().to_string(), p["coupons"].as_i64().unwrap())).collect();
    assert_eq!(per_day, [("2026-10-31".into(), 1), ("2026-11-01".into(), 2), ("2026-11-02".into(), 1)]);
    assert_eq!(days["period"]["timeZone"], "America/New_York");
    let weeks = api.get("/api/v1/analytics/campaigns/Fall?from=2026-10-31&to=2026-11-08&bucket=week").await.json();
    let per_week: Vec<(String, i64)> =
        weeks["series"].as_array().unwrap().iter().map(|p| (p["start"].as_str().unwrap().to_string(), p["coupons"].as_i64().unwrap())).collect();
    assert_eq!(per_week, [("2026-10-26".into(), 3), ("2026-11-02".into(), 1)]);
    // The same counters read in Kolkata (UTC+5:30): 03:30Z and 04:30Z are 09:00 and 10:00 on 1 November.
    owner.sfn("tenant/time_zone", &[("time_zone", "Asia/Kolkata")]).await;
    let india = api.get("/api/v1/analytics/campaigns/Fall?from=2026-10-31&to=2026-11-02").await.json();
    let per_day: Vec<i64> = india["series"].as_array().unwrap().iter().map(|p| p["coupons"].as_i64().unwrap()).collect();
    assert_eq!(per_day, [0, 2, 2]);
}

async fn batch(app: &TestApp, id: &str, sk: &str) -> Value {
    app.client(sk).get(&format!("/api/v1/coupons/batches/{id}")).await.json()
}

// Scenario: a marketer cannot generate a batch; the merchant asks for 10,000 codes; the worker
// stops after three chunks (as a killed node would): nothing is usable or listed yet, and the
// batch is held until its lease runs out; then another worker finishes it. Every code is unique,
// follows the template, is active and validates; the CSV exports all 10,000; the batch made one
// Stripe coupon without a per-code limit.
async fn a_batch_of_ten_thousand_resumes_and_exports(app: TestApp) {
    let w = world(app).await;
    let api = w.app.client(&w.sk);
    let body = json!({"campaign": "BF26", "template": "bf26-????-????", "count": 10000, "type": "percentage", "amount": 30, "maxRedemptions": 1,
        "expiresAt": "2099-01-01T00:00:00Z"});
    let marketer = w.app.marketer(&w.t).await;
    let form = [("campaign", "BF26"), ("mode", "generate"), ("template", "BF26-????-????"), ("count", "10"), ("coupon_type", "percentage"), ("amount", "30")];
    assert_sfn_error(&marketer.sfn("batches/create", &form).await, 403, "forbidden");
    assert_error(&w.app.client(&w.t.keys.preview.publishable).post("/api/v1/coupons/batches", body.clone()).await, 403, "forbidden");
    assert!(marketer.page("/coupons/batches/new").await.body.contains("not create batches"), "the form says the role cannot");
    let r = api.post("/api/v1/coupons/batches", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = r.json();
    let id = b["id"].as_str().unwrap().to_string();
    assert_eq!(
        (b["status"].as_str(), b["requested"].as_i64(), b["generated"].as_i64(), b["template"].as_str()),
        (Some("queued"), Some(10000), Some(0), Some("BF26-????-????"))
    );
    let stripe: Vec<_> = w.stub.requests().into_iter().filter(|r| r.method == "POST" && r.path == "/v1/coupons").collect();
    assert_eq!(stripe.len(), 1, "one Stripe coupon for the batch");
    let form = stripe[0].form();
    assert!(form.contains(&("id".into(), id.clone())) && form.contains(&("percent_off".into(), "30".into())));
    assert!(!form.iter().any(|(k, _)| k == "max_redemptions"), "the per-code limit stays here");

    // A node generates three chunks (1,500 codes) and stops.
    let now = w.app.state.clock.now_ms();
    let claimed = offerdeck::server::db::worker::batches::claim_due(&w.app.state.db.pool, now, now + 30_000).await.unwrap().unwrap();
    assert_eq!(claimed.1, id);
    assert!(!batches::run(&w.app.state, &claimed.0, &id, 3).await.unwrap());
    let half = batch(&w.app, &id, &w.sk).await;
    assert_eq!((half["status"].as_str(), half["generated"].as_i64()), (Some("running"), Some(1500)));
    let pending_code =
        w.app.client(&w.sk).get(&format!("/api/v1/coupons/batches/{id}/export.csv")).await.body.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    assert_error(&api.post("/api/v1/coupons/validate", json!({"code": pending_code})).await, 404, "invalid_or_expired");
    assert_eq!(api.get("/api/v1/coupons?campaign=BF26").await.json()["data"], json!([]), "pending codes are not listed");
    campaign_counts_are_raw(&w.app, &w.t.tenant_id).await;
    assert_eq!(batches::work(&w.app.state).await, 0, "held by the stopped node until its lease runs out");
    w.app.state.clock.advance(31_000);
    assert_eq!(batches::work(&w.app.state).await, 1);

    let done = batch(&w.app, &id, &w.sk).await;
    assert_eq!((done["status"].as_str(), done["generated"].as_i64()), (Some("completed"), Some(10000)));
    assert!(done["completedAt"].is_string());
    let csv = api.get(&format!("/api/v1/coupons/batches/{id}/export.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "code,status,redemptions,reserved,expires_at,campaign,batch_id");
    assert_eq!(lines.len(), 10_001);
    let codes: HashSet<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes.len(), 10_000, "unique");
    let alphabet = offerdeck::model::CODE_ALPHABET;
    for l in &lines[1..] {
        let cells: Vec<&str> = l.split(',').collect();
        let c = cells[0].as_bytes();
        assert!(c.len() == 14 && c.starts_with(b"BF26-") && c[9] == b'-', "{l}");
        assert!(c.iter().enumerate().all(|(i, b)| i < 5 || i == 9 || alphabet.contains(b)), "{l}");
        assert_eq!((cells[1], cells[2], cells[5], cells[6]), ("active", "0", "BF26", id.as_str()));
    }
    let stored = count(&w.app, "SELECT COUNT(DISTINCT code) FROM coupons WHERE tenant_id = $1 AND status = 'active'", &w.t.tenant_id).await;
    assert_eq!(stored, 10_000);
    campaign_counts_are_raw(&w.app, &w.t.tenant_id).await;
    let one = lines[1].split(',').next().unwrap().to_lowercase();
    let v = api.post("/api/v1/coupons/validate", json!({"code": one})).await;
    assert_eq!(v.status, StatusCode::OK, "codes are case-insensitive: {}", v.body);
    assert_eq!(api.post(&format!("/api/v1/coupons/{one}/redemptions"), json!({"subscriptionId": "sub_1"})).await.status, StatusCode::CREATED);
    assert_error(&api.post(&format!("/api/v1/coupons/{one}/redemptions"), json!({"subscriptionId": "sub_2"})).await, 404, "invalid_or_expired");
    let rep = api.get("/api/v1/analytics/campaigns/BF26").await.json();
    assert_eq!((rep["coupons"].as_i64(), rep["funnel"]["coupons"].as_i64()), (Some(10_000), Some(1)));
    // The merchant's page shows the batch and its progress; the list of batches too.
    let owner = w.app.merchant(&w.t).await;
    let page = owner.page(&format!("/coupons/batches/{id}")).await;
    assert!(page.body.contains("data-progress=\"10000/10000\""), "progress shown");
    assert_eq!(api.get("/api/v1/coupons/batches").await.json()["data"][0]["id"], id);
    assert!(owner.page(&format!("/coupons/batches/{id}/export.csv")).await.body.lines().count() == 10_001);
    assert_error(&w.app.client(&w.t.keys.live.secret).get(&format!("/api/v1/coupons/batches/{id}")).await, 404, "not_found");
}

// Scenario: bad batch rules are field errors with nothing stored and nothing sent to Stripe; an
// import with bad rows reports each row and imports nothing; a clean import is usable at once;
// a template that cannot make enough codes fails the batch and keeps none.
async fn imports_and_batch_rules(app: TestApp) {
    let w = world(app).await;
    let api = w.app.client(&w.sk);
    api.post("/api/v1/coupons", coupon("TAKEN", None)).await;
    let base = json!({"campaign": "Spring", "type": "percentage", "amount": 20});
    let with = |extra: Value| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    let stripe_calls = || w.stub.requests().iter().filter(|r| r.path == "/v1/coupons").count();
    let before = stripe_calls();
    for (extra, field) in [
        (json!({"template": "SP-???", "count": 10}), "template"),
        (json!({"template": "SP-??????", "count": 100001}), "count"),
        (json!({"template": "SP-??????", "count": 100000}), "template"),
        (json!({"template": "SP-??????", "count": 5, "codes": ["A"]}), "template"),
        (json!({"template": "SP-??????", "count": 5, "amount": 101}), "amount"),
        (json!({"template": "SP-??????", "count": 5, "campaign": " "}), "campaign"),
        (json!({"template": "SP-??????", "count": 5, "expiresAt": "2020-01-01T00:00:00Z"}), "expiresAt"),
    ] {
        let e = assert_error(&api.post("/api/v1/coupons/batches", with(extra.clone())).await, 400, "validation_failed");
        assert!(e["fields"][field].is_string(), "{extra}: {e}");
    }
    let e = assert_error(
        &api.post("/api/v1/coupons/batches", with(json!({"codes": ["spring-1", "bad code", "SPRING-1", "taken", "ok-2"]}))).await,
        400,
        "validation_failed",
    );
    assert_eq!(e["fields"].as_object().unwrap().keys().collect::<Vec<_>>(), ["codes[1]", "codes[2]"], "{e}");
    assert!(e["fields"]["codes[2]"].as_str().unwrap().contains("repeats row 1"));
    let e = assert_error(&api.post("/api/v1/coupons/batches", with(json!({"codes": ["spring-1", "taken"]}))).await, 400, "validation_failed");
    assert_eq!(e["fields"]["codes[1]"], "TAKEN already exists in this environment");
    assert_eq!(stripe_calls(), before, "nothing reached Stripe");
    assert_eq!(count(&w.app, "SELECT COUNT(*) FROM coupon_batches WHERE tenant_id = $1", &w.t.tenant_id).await, 0);

    let r = api.post("/api/v1/coupons/batches", with(json!({"codes": ["spring-1", "Spring-2", "SPRING-3"]}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["kind"].as_str(), r.json()["generated"].as_i64()), (Some("completed"), Some("import"), Some(3)));
    assert_eq!(api.post("/api/v1/coupons/validate", json!({"code": "spring-2"})).await.status, StatusCode::OK);
    assert_eq!(api.get("/api/v1/coupons?campaign=Spring").await.json()["data"].as_array().unwrap().len(), 3);
    // The dashboard's import: CSV with a header, per-row report on a bad row.
    let owner = w.app.merchant(&w.t).await;
    let form =
        |codes: &'static str| [("campaign", "Spring"), ("mode", "import"), ("codes", codes), ("coupon_type", "fixed"), ("amount", "5.00"), ("currency", "gbp")];
    let bad = owner.sfn("batches/create", &form("code\nSPRING-9\nspring-1\n")).await;
    let e = assert_sfn_error(&bad, 400, "validation_failed");
    assert_eq!(e["fields"]["codes[1]"], "SPRING-1 already exists in this environment");
    let ok = owner.sfn("batches/create", &form("code,note\nSPRING-9,first\nSPRING-10,second\n")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let nine = api.get("/api/v1/coupons/SPRING-9").await.json();
    assert_eq!((nine["type"].as_str(), nine["amount"].as_i64(), nine["currency"].as_str()), (Some("fixed"), Some(500), Some("gbp")));

    // Archiving one code of a batch leaves the shared Stripe coupon for the others.
    let deletes = || w.stub.requests().iter().filter(|r| r.method == "DELETE").count();
    let d0 = deletes();
    assert_eq!(api.post("/api/v1/coupons/SPRING-9/archive", "").await.json()["status"], "archived");
    assert_eq!(deletes(), d0);
    assert_eq!(api.post("/api/v1/coupons/validate", json!({"code": "SPRING-10"})).await.status, StatusCode::OK);

    // A small generated batch: usable once completed, each code carrying the batch's rules.
    let r = api.post("/api/v1/coupons/batches", with(json!({"template": "SP-??????", "count": 3, "maxRedemptionsPerCustomer": 1}))).await;
    let id = r.id();
    assert_eq!(batches::work(&w.app.state).await, 1);
    assert_eq!(batch(&w.app, &id, &w.sk).await["status"], "completed");
    let csv = api.get(&format!("/api/v1/coupons/batches/{id}/export.csv")).await.body;
    let code = csv.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let c = api.get(&format!("/api/v1/coupons/{code}")).await.json();
    assert_eq!((c["amount"].as_i64(), c["maxRedemptionsPerCustomer"].as_i64(), c["campaign"].as_str()), (Some(20), Some(1), Some("Spring")));
    assert_eq!(count(&w.app, "SELECT COUNT(*) FROM coupons WHERE tenant_id = $1 AND status = 'pending'", &w.t.tenant_id).await, 0);
}
