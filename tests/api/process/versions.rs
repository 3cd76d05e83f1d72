//! A deploy seen by real processes: node A deploys version 2 over version 1 while it and node
//! B (PostgreSQL; on SQLite node A alone) keep answering live decisions (at least 200), each
//! wholly version 1 or wholly version 2; node B then follows within moments (NOTIFY).
use super::{env, post_json, start_node};
use crate::helpers::stripe_stub::{GOOD_LIVE_KEY, GOOD_TEST_KEY, StripeStub};
use serde_json::{Value, json};
use std::time::Duration;

process_tests!(a_deploy_switches_every_process_at_once);

async fn a_deploy_switches_every_process_at_once(database: &str) {
    let Some(mut env) = env(database).await else { return };
    let stub = StripeStub::start().await;
    stub.price("price_live_a", 1000);
    env.vars.push(("STRIPE_API_BASE".into(), stub.base.clone()));
    assert!(env.run(&["migrate"], None).0);
    let (ok, out, err) = env.run(&["tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test"], None);
    assert!(ok, "{err}");
    let t: Value = serde_json::from_str(&out).unwrap();
    let (sk, lk) = (t["keys"]["preview"]["secret"].as_str().unwrap().to_string(), t["keys"]["live"]["secret"].as_str().unwrap().to_string());
    let a = start_node(&env, &env.listen());
    let b = if database == "postgres" { Some(start_node(&env, &format!("127.0.0.1:{}", super::free_port()))) } else { None };
    let b_base = b.as_ref().map(|n| n.base.clone()).unwrap_or_else(|| a.base.clone());
    let http = reqwest::Client::new();
    let api = |base: &str, path: &str| format!("{base}/api/v1{path}");
    let send = |method: reqwest::Method, url: String, key: String, body: Value| {
        let http = http.clone();
        async move {
            let r = http.request(method, &url).bearer_auth(key).json(&body).send().await.unwrap();
            assert!(r.status().is_success(), "{url}: {}", r.status());
        }
    };
    send(reqwest::Method::PUT, api(&a.base, "/integrations/stripe"), sk.clone(), json!({"secretKey": GOOD_TEST_KEY})).await;
    send(reqwest::Method::PUT, api(&a.base, "/integrations/stripe"), lk.clone(), json!({"secretKey": GOOD_LIVE_KEY})).await;
    let method = post_json(
        &http,
        api(&a.base, "/redemption-methods"),
        &sk,
        json!({"name": "Checkout", "schema": "stripe-checkout",
            "settings": {"successUrl": "https://shop.test/ok", "cancelUrl": "https://shop.test/no", "signupUrl": "https://shop.test/join"}}),
    )
    .await;
    let product = post_json(&http, api(&a.base, "/products"), &sk, json!({"name": "Premium"})).await;
    let price = post_json(
        &http,
        api(&a.base, "/prices"),
        &sk,
        json!({"productId": product["id"], "currency": "gbp", "unitAmount": 1000, "interval": "month", "stripePriceId": "price_1", "liveStripePriceId": "price_live_a"}),
    )
    .await;
    let offer = post_json(
        &http,
        api(&a.base, "/offers"),
        &sk,
        json!({"name": "Premium", "redemptionMethodId": method["id"], "priceIds": [price["id"]], "presentation": {"title": "Premium v1"}}),
    )
    .await;
    let x = post_json(
        &http,
        api(&a.base, "/experiences"),
        &sk,
        json!({"name": "Banner", "type": "html", "html": "v1 <b>{{offer.title}}</b>", "offers": {"primary": [offer["id"]]}}),
    )
    .await;
    post_json(
        &http,
        api(&a.base, "/surfaces"),
        &sk,
        json!({"name": "Pricing", "slug": "pricing", "slots": [{"key": "main", "facet": "web", "experienceId": x["id"]}]}),
    )
    .await;
    let v1 = post_json(&http, api(&a.base, "/versions"), &sk, json!({"name": "One"})).await;
    post_json(&http, api(&a.base, &format!("/versions/{}/deploy", v1["id"].as_str().unwrap())), &lk, json!({})).await;

    let decide = |base: String| decide_at(http.clone(), base, lk.clone());
    assert_eq!(decide(a.base.clone()).await, "v1 <b>Premium v1</b>");
    assert_eq!(decide(b_base.clone()).await, "v1 <b>Premium v1</b>");
    let (oid, xid) = (offer["id"].as_str().unwrap(), x["id"].as_str().unwrap());
    send(reqwest::Method::PATCH, api(&a.base, &format!("/offers/{oid}")), sk.clone(), json!({"presentation": {"title": "Premium v2"}})).await;
    send(
        reqwest::Method::PATCH,
        api(&a.base, &format!("/experiences/{xid}")),
        sk.clone(),
        json!({"name": "Banner", "type": "html", "html": "v2 <b>{{offer.title}}</b>", "offers": {"primary": [oid]}}),
    )
    .await;
    let v2 = post_json(&http, api(&a.base, "/versions"), &sk, json!({"name": "Two"})).await;

    // Eight callers keep deciding, alternating nodes, until the deploy has returned and 200
    // decisions are in: the first ones overlap the deploy, the last ones follow it.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (done, count, bases) = (done.clone(), count.clone(), [a.base.clone(), b_base.clone()]);
            let (http, lk) = (http.clone(), lk.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    mine.push(decide_at(http.clone(), bases[(w + mine.len()) % 2].clone(), lk.clone()).await);
                    if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= 200 && finished {
                        return mine;
                    }
                }
            })
        })
        .collect();
    let deploy = post_json(&http, api(&a.base, &format!("/versions/{}/deploy", v2["id"].as_str().unwrap())), &lk, json!({})).await;
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(deploy["versionNumber"], 2);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for w in workers {
        for content in w.await.unwrap() {
            *seen.entry(content).or_default() += 1;
        }
    }
    assert!(seen.keys().all(|c| c == "v1 <b>Premium v1</b>" || c == "v2 <b>Premium v2</b>"), "a decision mixed two versions: {seen:?}");
    assert!(seen.values().sum::<usize>() >= 200, "{seen:?}");
    eprintln!("{database}: decisions around the deploy: {seen:?}");
    assert_eq!(decide(a.base.clone()).await, "v2 <b>Premium v2</b>");
    let started = std::time::Instant::now();
    while decide(b_base.clone()).await != "v2 <b>Premium v2</b>" {
        assert!(started.elapsed() < Duration::from_secs(5), "node B did not switch to version 2 within 5 s");
        tokio::task::yield_now().await;
    }
    a.stop();
    if let Some(b) = b {
        b.stop();
    }
}

/// The content of the live decision on `pricing` that the node at `base` answers.
async fn decide_at(http: reqwest::Client, base: String, key: String) -> String {
    let body = json!({"surfaceSlug": "pricing", "identity": {"userIdentifier": "buyer@example.com"}});
    let d = post_json(&http, format!("{base}/api/v1/surface-decisions"), &key, body).await;
    d["slots"][0]["experience"]["content"].as_str().unwrap_or_default().to_string()
}
