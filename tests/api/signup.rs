//! Sign-up carts (`services::signup`, API.md §12): the seed's quick start step by step with the
//! exact forms Stripe receives, free carts, pending carts, ESTIMATE with a publishable key,
//! CANCEL, the state machine's refusals, foreign SetupIntents, 20 concurrent FINALIZE, a
//! decline, the coupon counted once, Idempotency-Key on PATCH, and the dashboard's pages.
use crate::checkout::{events, rows};
use crate::coupons::create as create_coupon;
use crate::helpers::stripe_stub::{GOOD_TEST_KEY, StripeStub};
use crate::helpers::{Resp, TestApp, assert_error};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

db_tests!(
    the_quick_start_step_by_step,
    free_carts_pending_carts_and_estimates,
    refusals_cancel_and_foreign_setup_intents,
    concurrent_finalize_creates_one_subscription,
    a_decline_is_402_and_the_cart_stays_pending,
    the_coupon_is_held_then_counted_once,
    the_dashboard_shows_carts_and_the_funnel,
);

const PATH: &str = "/api/selfService/signup";
const PK_STRIPE: &str = "pk_test_51PublishableKeyForStripeJs0";

pub(crate) struct Shop {
    pub app: TestApp,
    pub stub: StripeStub,
    pub sk: String,
    pub pk: String,
    pub tenant_id: String,
    pub t: offerdeck::server::services::tenants::Bootstrap,
    pub offer: String,
    pub rate: String,
    pub free_rate: String,
    pub seats: String,
    pub storage: String,
}

/// A tenant with Stripe (and its publishable key), an offer over Seats (15.00/month) and
/// Storage (5.00/month), a rate of both, and a free rate of a third product.
pub(crate) async fn shop(app: TestApp) -> Shop {
    let stub = StripeStub::start().await;
    let app = app.with_stripe(&stub.base);
    let t = app.tenant("Acme", "owner@acme.test").await;
    let (sk, pk) = (t.keys.preview.secret.clone(), t.keys.preview.publishable.clone());
    let api = app.client(&sk);
    let body = json!({"secretKey": GOOD_TEST_KEY, "webhookSecret": "whsec_stripe_test_secret", "publishableKey": PK_STRIPE});
    let r = api.put("/api/v1/integrations/stripe", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let method = api.create("/api/v1/redemption-methods", json!({"name": "Sign-up", "schema": "custom"})).await["id"].as_str().unwrap().to_string();
    let product = |n: &'static str| api.create("/api/v1/products", json!({"name": n}));
    let price = |p: String, amount: i64, sp: &'static str| {
        api.create("/api/v1/prices", json!({"productId": p, "currency": "gbp", "unitAmount": amount, "interval": "month", "stripePriceId": sp}))
    };
    let seats = product("Seats").await.id_str();
    let storage = product("Storage").await.id_str();
    let free = product("Starter").await.id_str();
    let seats_m = price(seats.clone(), 1500, "price_seats_m").await.id_str();
    let storage_m = price(storage.clone(), 500, "price_storage_m").await.id_str();
    let free_m = price(free.clone(), 0, "price_free_m").await.id_str();
    stub.price("price_seats_m", 1500);
    stub.price("price_storage_m", 500);
    stub.price("price_free_m", 0);
    let offer = api
        .create(
            "/api/v1/offers",
            json!({"name": "Team", "redemptionMethodId": method, "priceIds": [seats_m, storage_m, free_m], "presentation": {"title": "Team"}}),
        )
        .await
        .id_str();
    let rate = api.create(&format!("/api/v1/offers/{offer}/rates"), json!({"name": "Team monthly", "priceIds": [seats_m, storage_m]})).await.id_str();
    let free_rate = api.create(&format!("/api/v1/offers/{offer}/rates"), json!({"name": "Starter", "priceIds": [free_m]})).await.id_str();
    Shop { stub, sk, pk, tenant_id: t.tenant_id.clone(), t, offer, rate, free_rate, seats, storage, app }
}

trait IdStr {
    fn id_str(&self) -> String;
}
impl IdStr for Value {
    fn id_str(&self) -> String {
        self["id"].as_str().unwrap_or_else(|| panic!("no id in {self}")).to_string()
    }
}

impl Shop {
    fn quote(&self, seats: i64) -> Value {
        json!({"startDate": "2024-01-01", "offerings": [{"offeringId": self.offer, "rateId": self.rate, "items": [{"productId": self.seats, "quantity": seats}]}]})
    }
    fn body(&self, action: &str, seats: i64) -> Value {
        json!({"action": action,
            "customer": {"accountName": "Acme Inc", "name": "John Doe", "email": "John@Acme.test",
                "billingAddress": {"line1": "123 Main St", "city": "San Francisco", "state": "CA", "postalCode": "94107", "country": "US"}},
            "billGroup": {"autoEmailInvoice": true, "collectInvoiceBalanceAutomatically": true},
            "quote": self.quote(seats)})
    }
    async fn post(&self, body: Value) -> Resp {
        self.app.client(&self.sk).post(PATH, body).await
    }
    async fn patch(&self, cart: &str, body: Value) -> Resp {
        self.app.client(&self.sk).patch(&format!("{PATH}/{cart}"), body).await
    }
    /// A cart with a payment method: CREATE_WITH_PAYMENT_METHOD, the test card, UPDATE.
    async fn cart_with_card(&self, body: Value, declines: bool) -> (String, String) {
        let r = self.post(body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let cart = r.json()["sessionId"].as_str().unwrap().to_string();
        let seti = r.json()["paymentMethodInit"]["stripe"]["setupIntentId"].as_str().unwrap().to_string();
        let pm = self.stub.succeed_setup_intent(&seti, "visa", "4242", declines);
        let r = self.patch(&cart, json!({"action": "UPDATE", "paymentMethod": {"paymentMethodName": "visa", "paymentToken": seti}})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        (cart, pm)
    }
}

fn forms(stub: &StripeStub, path: &str) -> Vec<BTreeMap<String, String>> {
    stub.requests().iter().filter(|r| r.method == "POST" && r.path == path).map(|r| r.form().into_iter().collect()).collect()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The seed's error shape inside the contract's: `sessionId`, `error: true`, `code`.
fn seed_error(r: &Resp, status: u16, code: &str, session: Option<&str>) -> Value {
    let j = assert_error(r, status, code);
    assert_eq!(j["error"], true, "{j}");
    assert_eq!(j["sessionId"].as_str(), session, "{j}");
    j
}

// Scenario: the seed's quick start — CREATE_WITH_PAYMENT_METHOD (the customer and a
// SetupIntent in Stripe, the exact forms), the buyer completes Stripe's form, UPDATE with the
// SetupIntent (its payment method the customer's default), FINALIZE (the exact subscription
// form; invoice, payment, contract) — with the fields the seed shows; the client secret is
// never stored; a second FINALIZE and GET answer the first result; events are queued once.
async fn the_quick_start_step_by_step(app: TestApp) {
    let s = shop(app).await;
    let r = s.post(s.body("CREATE_WITH_PAYMENT_METHOD", 2)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    let cart = j["sessionId"].as_str().unwrap().to_string();
    assert!(cart.starts_with("cart_"), "{j}");
    assert_eq!((j["error"].as_bool(), j["action"].as_str(), j["state"].as_str()), (Some(false), Some("CREATE_WITH_PAYMENT_METHOD"), Some("PENDING")));
    let customer = j["paymentMethodInit"]["stripe"]["customerId"].as_str().unwrap().to_string();
    let c = &j["customer"];
    assert_eq!(
        (c["accountName"].as_str(), c["contactName"].as_str(), c["contactEmail"].as_str()),
        (Some("Acme Inc"), Some("John Doe"), Some("john@acme.test"))
    );
    assert_eq!((c["accountId"].as_str(), c["contactId"].as_str()), (Some(customer.as_str()), Some(customer.as_str())));
    assert_eq!(c["billingAddress"]["postalCode"], "94107");
    assert_eq!((j["billGroup"]["autoEmailInvoice"].as_bool(), j["billGroup"]["collectInvoiceBalanceAutomatically"].as_bool()), (Some(true), Some(true)));
    assert!(j["billGroup"]["id"].as_str().unwrap().starts_with("bg_"));
    let q = &j["quote"];
    assert_eq!((q["amountWithoutTax"].as_i64(), q["amount"].as_i64(), q["status"].as_str()), (Some(3500), Some(3500), Some("DRAFT")));
    assert_eq!((q["startDate"].as_str(), q["currency"].as_str()), (Some("2024-01-01"), Some("gbp")));
    let o = &q["offerings"][0];
    assert_eq!((o["offeringId"].as_str(), o["rateId"].as_str(), o["amount"].as_i64()), (Some(s.offer.as_str()), Some(s.rate.as_str()), Some(3500)));
    let items: Vec<(String, i64, i64)> = o["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["productId"].as_str().unwrap().to_string(), i["quantity"].as_i64().unwrap(), i["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(items, vec![(s.seats.clone(), 2, 3000), (s.storage.clone(), 1, 500)], "a product the request leaves out gets quantity 1");
    let init = &j["paymentMethodInit"]["stripe"];
    let seti = init["setupIntentId"].as_str().unwrap().to_string();
    let secret = init["clientSecret"].as_str().unwrap().to_string();
    assert!(secret.starts_with(&format!("{seti}_secret_")), "{init}");
    assert_eq!(init["publicKey"], PK_STRIPE);

    let customers = forms(&s.stub, "/v1/customers");
    assert_eq!(customers.len(), 1);
    let mut want = map(&[
        ("email", "john@acme.test"),
        ("name", "John Doe"),
        ("address[line1]", "123 Main St"),
        ("address[city]", "San Francisco"),
        ("address[state]", "CA"),
        ("address[postal_code]", "94107"),
        ("address[country]", "US"),
        ("metadata[offerdeck_account_name]", "Acme Inc"),
    ]);
    want.insert("metadata[offerdeck_tenant]".into(), s.tenant_id.clone());
    assert_eq!(customers[0], want);
    assert_eq!(
        forms(&s.stub, "/v1/setup_intents"),
        vec![map(&[("customer", &customer), ("usage", "off_session"), ("metadata[offerdeck_signup_cart]", &cart)])]
    );
    for table in ["signup_carts", "signup_cart_history", "idempotency_keys"] {
        let dump = dump(&s.app, table).await;
        assert!(!dump.contains(&secret), "{table} holds the SetupIntent's client secret");
    }

    // Before the buyer completes Stripe's form the SetupIntent is refused.
    let r = s.patch(&cart, json!({"action": "UPDATE", "paymentMethod": {"paymentToken": seti}})).await;
    let e = seed_error(&r, 400, "validation_failed", Some(&cart));
    assert!(e["fields"]["paymentMethod.paymentToken"].as_str().unwrap().contains("not succeeded"), "{e}");
    let pm = s.stub.succeed_setup_intent(&seti, "visa", "4242", false);
    let r = s.patch(&cart, json!({"action": "UPDATE", "paymentMethod": {"paymentMethodName": "visa", "paymentToken": seti}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["action"], "ADD_PAYMENT_METHOD");
    assert_eq!(r.json()["paymentMethod"], json!({"id": pm, "paymentMethodName": "visa", "brand": "visa", "last4": "4242"}));
    assert_eq!(s.stub.customer(&customer)["invoice_settings"]["default_payment_method"], pm.as_str(), "the customer's default");

    let r = s.patch(&cart, json!({"action": "FINALIZE"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = r.json();
    assert_eq!((f["action"].as_str(), f["state"].as_str(), f["quote"]["status"].as_str()), (Some("FINALIZE"), Some("FINALIZED"), Some("PROCESSED")));
    let sub = f["contract"]["id"].as_str().unwrap().to_string();
    assert!(sub.starts_with("sub_"), "{f}");
    assert_eq!((f["invoice"]["amount"].as_i64(), f["invoice"]["amountWithoutTax"].as_i64()), (Some(3500), Some(3500)));
    assert_eq!(f["invoice"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(f["payment"]["amount"], 3500);
    assert!(f["payment"]["id"].as_str().unwrap().starts_with("pi_"));
    let quote_id = f["quote"]["id"].as_str().unwrap().to_string();
    let subs = forms(&s.stub, "/v1/subscriptions");
    assert_eq!(subs.len(), 1);
    assert_eq!(
        subs[0],
        map(&[
            ("customer", &customer),
            ("items[0][price]", "price_seats_m"),
            ("items[0][quantity]", "2"),
            ("items[1][price]", "price_storage_m"),
            ("items[1][quantity]", "1"),
            ("default_payment_method", &pm),
            ("collection_method", "charge_automatically"),
            ("payment_behavior", "error_if_incomplete"),
            ("metadata[offerdeck_signup_cart]", &cart),
            ("metadata[offerdeck_quote]", &quote_id),
            ("expand[0]", "latest_invoice.payment_intent"),
        ])
    );

    let again = s.patch(&cart, json!({"action": "FINALIZE"})).await;
    assert_eq!(again.json(), f, "a second FINALIZE answers the first result");
    let read = s.app.client(&s.sk).get(&format!("{PATH}/{cart}")).await.json();
    assert_eq!((read["action"].as_str(), read["contract"].clone()), (Some("GET"), f["contract"].clone()));
    assert_eq!(forms(&s.stub, "/v1/subscriptions").len(), 1);
    seed_error(&s.patch(&cart, json!({"action": "UPDATE", "quote": s.quote(3)})).await, 409, "conflict", Some(&cart));
    let ev = events(&s.app, &s.tenant_id).await;
    let finalized: Vec<&Value> = ev.iter().filter(|(t, _)| t == "signup.finalized").map(|(_, d)| d).collect();
    assert_eq!(finalized.len(), 1);
    assert_eq!((finalized[0]["sessionId"].as_str(), finalized[0]["contract"]["id"].as_str()), (Some(cart.as_str()), Some(sub.as_str())));
    let created: Vec<&Value> = ev.iter().filter(|(t, _)| t == "subscription.created").map(|(_, d)| d).collect();
    assert_eq!(created.len(), 1);
    assert_eq!((created[0]["processorSubscriptionId"].as_str(), created[0]["signupSessionId"].as_str()), (Some(sub.as_str()), Some(cart.as_str())));
    // Stripe's own event for that subscription is not announced a second time.
    let event = crate::stripe_events::stripe_event(
        "evt_sub_created",
        "customer.subscription.created",
        json!({"id": sub, "object": "subscription", "customer": customer, "metadata": {"offerdeck_signup_cart": cart}}),
    );
    let integration = s.app.client(&s.sk).get("/api/v1/integrations/stripe").await.id();
    assert_eq!(crate::checkout::send_stripe(&s.app, &integration, &event).await.status, StatusCode::OK);
    assert_eq!(events(&s.app, &s.tenant_id).await.iter().filter(|(t, _)| t == "subscription.created").count(), 1);
    let history = sqlx::query("SELECT action FROM signup_cart_history WHERE cart_id = $1 ORDER BY created_at, id")
        .bind(&cart)
        .fetch_all(&s.app.state.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, 0))
        .collect::<Vec<_>>();
    assert_eq!(history, ["CREATE_WITH_PAYMENT_METHOD", "UPDATE", "UPDATE", "FINALIZE", "FINALIZE", "UPDATE"], "every action, refusals too");
}

pub(crate) async fn dump(app: &TestApp, table: &str) -> String {
    let rows = sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&app.state.db.pool).await.unwrap();
    rows.iter()
        .map(|r| (0..sqlx::Row::len(r)).map(|i| sqlx::Row::try_get::<Option<String>, _>(r, i).ok().flatten().unwrap_or_default()).collect::<Vec<_>>().join("|"))
        .collect::<Vec<_>>()
        .join("\n")
}

// Scenario: CREATE_AND_FINALIZE of a free rate needs no payment method and makes the
// subscription at once; a paid, charged cart is refused it; CREATE_IN_PENDING asks nothing of
// Stripe, then INIT_PAYMENT_METHOD makes the customer and SetupIntent, and a second INIT
// reuses the SetupIntent (its secret re-read from Stripe); ESTIMATE with the publishable key
// saves nothing and is the only action that key may send; a future start is a schedule.
async fn free_carts_pending_carts_and_estimates(app: TestApp) {
    let s = shop(app).await;
    let mut free = s.body("CREATE_AND_FINALIZE", 1);
    free["quote"] = json!({"offerings": [{"offeringId": s.offer, "rateId": s.free_rate, "items": []}]});
    let r = s.post(free).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!((j["action"].as_str(), j["state"].as_str(), j["quote"]["amount"].as_i64()), (Some("CREATE_AND_FINALIZE"), Some("FINALIZED"), Some(0)));
    assert!(j["payment"].is_null(), "nothing was paid");
    let sub = forms(&s.stub, "/v1/subscriptions").pop().unwrap();
    assert!(!sub.contains_key("default_payment_method"));
    let e = seed_error(&s.post(s.body("CREATE_AND_FINALIZE", 1)).await, 400, "validation_failed", None);
    assert!(e["fields"]["action"].as_str().unwrap().contains("CREATE_WITH_PAYMENT_METHOD"), "{e}");

    let before = s.stub.requests().len();
    let r = s.post(s.body("CREATE_IN_PENDING", 1)).await;
    assert_eq!((r.status, r.json()["action"].as_str()), (StatusCode::OK, Some("CREATE_IN_PENDING")), "{}", r.body);
    let cart = r.json()["sessionId"].as_str().unwrap().to_string();
    assert!(r.json()["customer"]["accountId"].is_null());
    assert!(r.json()["expiresAt"].is_string());
    assert_eq!(s.stub.requests().len(), before, "a pending cart asks nothing of Stripe");
    let first = s.patch(&cart, json!({"action": "INIT_PAYMENT_METHOD"})).await.json();
    assert_eq!(first["action"], "INIT_PAYMENT_METHOD", "{first}");
    let second = s.patch(&cart, json!({"action": "INIT_PAYMENT_METHOD"})).await.json();
    assert_eq!(first["paymentMethodInit"], second["paymentMethodInit"], "the open SetupIntent again");
    assert_eq!(forms(&s.stub, "/v1/setup_intents").len(), 1);
    assert!(s.stub.requests().iter().any(|r| r.method == "GET" && r.path.starts_with("/v1/setup_intents/")), "re-read from Stripe");

    // ESTIMATE: saves nothing, publishable key allowed for it alone.
    let (carts, history) = (rows(&s.app, "signup_carts").await, rows(&s.app, "signup_cart_history").await);
    let before = s.stub.requests().len();
    let pk = s.app.client(&s.pk);
    let r = pk.post(PATH, json!({"action": "ESTIMATE", "quote": s.quote(3)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let e = r.json();
    assert_eq!((e["sessionId"].clone(), e["state"].clone(), e["quote"]["amount"].as_i64()), (Value::Null, Value::Null, Some(5000)));
    assert!(e["customer"].is_null());
    let patched = pk.patch(&format!("{PATH}/{cart}"), json!({"action": "ESTIMATE", "quote": s.quote(4)})).await.json();
    assert_eq!((patched["sessionId"].as_str(), patched["quote"]["amount"].as_i64()), (Some(cart.as_str()), Some(6500)), "{patched}");
    assert!(patched["customer"].is_null(), "a publishable key does not read the cart's customer");
    assert_eq!((rows(&s.app, "signup_carts").await, rows(&s.app, "signup_cart_history").await), (carts, history), "ESTIMATE saves nothing");
    assert_eq!(s.stub.requests().len(), before);
    assert_eq!(s.app.client(&s.sk).get(&format!("{PATH}/{cart}")).await.json()["quote"]["amount"], 2000, "the cart kept its quote");
    seed_error(&pk.post(PATH, s.body("CREATE_IN_PENDING", 1)).await, 403, "forbidden", None);
    seed_error(&pk.get(&format!("{PATH}/{cart}")).await, 403, "forbidden", Some(&cart));
    seed_error(&pk.patch(&format!("{PATH}/{cart}"), json!({"action": "CANCEL"})).await, 403, "forbidden", Some(&cart));

    // A later start: a subscription schedule from midnight of that day.
    let (later, _) = s
        .cart_with_card(
            json!({"action": "CREATE_WITH_PAYMENT_METHOD", "customer": {"accountName": "Later Ltd", "name": "Ann", "email": "ann@later.test"},
        "quote": {"offerings": [{"offeringId": s.offer, "rateId": s.rate, "items": []}]}}),
            false,
        )
        .await;
    let far = json!({"startDate": "2099-01-01", "offerings": [{"offeringId": s.offer, "rateId": s.rate, "items": []}]});
    let e = seed_error(&s.patch(&later, json!({"action": "FINALIZE", "quote": far})).await, 400, "validation_failed", Some(&later));
    assert!(e["fields"]["quote.startDate"].as_str().unwrap().contains("two years"), "{e}");
    let day = chrono_like_date_in(400);
    let r = s
        .patch(&later, json!({"action": "FINALIZE", "quote": {"startDate": day, "offerings": [{"offeringId": s.offer, "rateId": s.rate, "items": []}]}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["contract"]["id"].as_str().unwrap().starts_with("sub_sched_"), "{}", r.body);
    let sched = forms(&s.stub, "/v1/subscription_schedules").pop().unwrap();
    assert_eq!((sched["phases[0][items][0][price]"].as_str(), sched["end_behavior"].as_str()), ("price_seats_m", "release"));
    assert_eq!(sched["default_settings[collection_method]"], "charge_automatically");
    assert!(sched["default_settings[default_payment_method]"].starts_with("pm_"));
}

/// The date `days` from now, `YYYY-MM-DD` (UTC).
fn chrono_like_date_in(days: i64) -> String {
    let ts = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(24 * days)).unwrap();
    ts.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

// Scenario: every field rule is refused with the field named and nothing saved; an action on
// the wrong verb; an unknown cart is 404 with the path's id; CANCEL ends the cart and every
// later action is 409; a SetupIntent of another cart's customer is 400; errors carry the
// seed's sessionId and error.
async fn refusals_cancel_and_foreign_setup_intents(app: TestApp) {
    let s = shop(app).await;
    let carts = rows(&s.app, "signup_carts").await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = s.body("CREATE_IN_PENDING", 1);
        f(&mut b);
        b
    };
    for (body, field) in [
        (with(&|b| b["customer"]["email"] = json!("not-an-email")), "customer.email"),
        (with(&|b| b["customer"]["accountName"] = json!(" ")), "customer.accountName"),
        (with(&|b| b["customer"]["billingAddress"]["country"] = json!("USA")), "customer.billingAddress.country"),
        (with(&|b| b["quote"]["offerings"][0]["rateId"] = json!("rate_nope")), "quote.offerings[0].rateId"),
        (with(&|b| b["quote"]["offerings"][0]["offeringId"] = json!("off_nope")), "quote.offerings[0].offeringId"),
        (with(&|b| b["quote"]["offerings"][0]["items"][0]["productId"] = json!("prod_nope")), "quote.offerings[0].items[0].productId"),
        (with(&|b| b["quote"]["offerings"][0]["items"][0]["quantity"] = json!(0)), "quote.offerings[0].items[0].quantity"),
        (with(&|b| b["quote"]["startDate"] = json!("01/02/2024")), "quote.startDate"),
        (with(&|b| b["quote"]["offerings"] = json!([])), "quote.offerings"),
        (with(&|b| b["action"] = json!("FINALIZE")), "action"),
        (with(&|b| b["paymentMethod"] = json!({"paymentToken": "seti_x"})), "paymentMethod"),
        (with(&|b| _ = b.as_object_mut().unwrap().remove("customer")), "customer"),
    ] {
        let j = seed_error(&s.post(body.clone()).await, 400, "validation_failed", None);
        assert!(j["fields"][field].is_string(), "{field}: {j}");
    }
    seed_error(&s.post(with(&|b| b["discountCode"] = json!("NOPE"))).await, 404, "invalid_or_expired", None);
    let j = seed_error(&s.post(json!({"action": "CREATE_IN_PENDING", "surprise": 1})).await, 400, "validation_failed", None);
    assert!(j["message"].as_str().unwrap().contains("surprise"), "{j}");
    seed_error(&s.app.client("sk_test_nope").post(PATH, s.body("CREATE_IN_PENDING", 1)).await, 401, "unauthenticated", None);
    assert_eq!(rows(&s.app, "signup_carts").await, carts, "nothing saved");
    seed_error(&s.patch("cart_nope", json!({"action": "UPDATE"})).await, 404, "not_found", Some("cart_nope"));

    let (other, _) = s.cart_with_card(s.body("CREATE_WITH_PAYMENT_METHOD", 1), false).await;
    let mut second = s.body("CREATE_WITH_PAYMENT_METHOD", 1);
    second["customer"]["email"] = json!("someone@else.test");
    let r = s.post(second).await;
    let cart = r.json()["sessionId"].as_str().unwrap().to_string();
    seed_error(
        &s.patch(&cart, json!({"action": "UPDATE", "quote": s.quote(1), "paymentMethod": {"paymentToken": "seti_nope"}})).await,
        400,
        "validation_failed",
        Some(&cart),
    );
    let foreign = forms(&s.stub, "/v1/setup_intents").iter().find(|f| f["metadata[offerdeck_signup_cart]"] == other).unwrap().clone();
    let seti = s.stub.requests().iter().filter(|r| r.path == "/v1/setup_intents").count();
    assert_eq!(seti, 2);
    let other_seti = s.app.client(&s.sk).get(&format!("{PATH}/{other}")).await.json();
    assert_eq!(other_seti["state"], "PENDING");
    let other_seti = sqlx::Row::get::<String, _>(
        &sqlx::query("SELECT setup_intent_id FROM signup_carts WHERE id = $1").bind(&other).fetch_one(&s.app.state.db.pool).await.unwrap(),
        0,
    );
    assert!(!foreign["customer"].is_empty());
    let j =
        seed_error(&s.patch(&cart, json!({"action": "UPDATE", "paymentMethod": {"paymentToken": other_seti}})).await, 400, "validation_failed", Some(&cart));
    assert!(j["fields"]["paymentMethod.paymentToken"].as_str().unwrap().contains("another customer"), "{j}");
    seed_error(&s.patch(&cart, json!({"action": "FINALIZE"})).await, 400, "validation_failed", Some(&cart));

    let r = s.patch(&cart, json!({"action": "CANCEL"})).await;
    assert_eq!((r.status, r.json()["state"].as_str(), r.json()["action"].as_str()), (StatusCode::OK, Some("CANCELED"), Some("CANCEL")));
    for action in ["UPDATE", "FINALIZE", "CANCEL", "INIT_PAYMENT_METHOD"] {
        let j = seed_error(&s.patch(&cart, json!({"action": action})).await, 409, "conflict", Some(&cart));
        assert!(j["message"].as_str().unwrap().contains("CANCELED"), "{j}");
    }
    seed_error(&s.patch(&cart, json!({"action": "CREATE_IN_PENDING"})).await, 400, "validation_failed", Some(&cart));
    // Seven days later a pending cart has expired.
    s.app.state.clock.advance(8 * 24 * 3600 * 1000);
    seed_error(&s.patch(&other, json!({"action": "FINALIZE"})).await, 409, "conflict", Some(&other));
    assert_eq!(s.app.client(&s.sk).get(&format!("{PATH}/{other}")).await.json()["state"], "EXPIRED");
}

// Scenario: 20 concurrent FINALIZE of one cart (with a coupon) create one subscription: every
// call answers the same contract, Stripe is asked once, the events are queued once and the
// coupon is redeemed once.
async fn concurrent_finalize_creates_one_subscription(app: TestApp) {
    let s = shop(app).await;
    assert_eq!(
        create_coupon(&s.app, &s.sk, json!({"code": "TEAM10", "type": "percentage", "amount": 10, "maxRedemptions": 5})).await.status,
        StatusCode::CREATED
    );
    let mut body = s.body("CREATE_WITH_PAYMENT_METHOD", 1);
    body["discountCode"] = json!("team10");
    let (cart, _) = s.cart_with_card(body, false).await;
    let s = Arc::new(s);
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            let cart = cart.clone();
            tokio::spawn(async move { s.patch(&cart, json!({"action": "FINALIZE"})).await })
        })
        .collect();
    let mut answers = Vec::new();
    for c in calls {
        answers.push(c.await.unwrap());
    }
    let contracts: std::collections::HashSet<String> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["contract"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(contracts.len(), 1, "one subscription for every caller");
    assert_eq!(forms(&s.stub, "/v1/subscriptions").len(), 1, "Stripe was asked once");
    assert_eq!(forms(&s.stub, "/v1/subscriptions")[0]["discounts[0][coupon]"], "TEAM10");
    let ev = events(&s.app, &s.tenant_id).await;
    for t in ["signup.finalized", "subscription.created", "coupon.redeemed"] {
        assert_eq!(ev.iter().filter(|(e, _)| e == t).count(), 1, "{t}");
    }
    let coupon = s.app.client(&s.sk).get("/api/v1/coupons/TEAM10").await.json();
    assert_eq!((coupon["timesRedeemed"].as_i64(), coupon["reserved"].as_i64()), (Some(1), Some(0)));
}

// Scenario: a card Stripe declines is 402 payment_failed with Stripe's message and the cart
// stays pending; a new card then finalizes it with a new idempotency key.
async fn a_decline_is_402_and_the_cart_stays_pending(app: TestApp) {
    let s = shop(app).await;
    let (cart, _) = s.cart_with_card(s.body("CREATE_WITH_PAYMENT_METHOD", 1), true).await;
    let j = seed_error(&s.patch(&cart, json!({"action": "FINALIZE"})).await, 402, "payment_failed", Some(&cart));
    assert!(j["message"].as_str().unwrap().contains("Your card was declined."), "{j}");
    let read = s.app.client(&s.sk).get(&format!("{PATH}/{cart}")).await.json();
    assert_eq!(read["state"], "PENDING");
    assert!(events(&s.app, &s.tenant_id).await.iter().all(|(t, _)| t != "signup.finalized"));
    let init = s.patch(&cart, json!({"action": "INIT_PAYMENT_METHOD"})).await.json();
    let seti = init["paymentMethodInit"]["stripe"]["setupIntentId"].as_str().unwrap().to_string();
    s.stub.succeed_setup_intent(&seti, "mastercard", "4444", false);
    let r = s.patch(&cart, json!({"action": "FINALIZE", "paymentMethod": {"paymentToken": seti}})).await;
    assert_eq!((r.status, r.json()["state"].as_str()), (StatusCode::OK, Some("FINALIZED")), "{}", r.body);
    assert_eq!(r.json()["paymentMethod"]["last4"], "4444");
    let keys: Vec<String> =
        s.stub.requests().iter().filter(|r| r.path == "/v1/subscriptions").map(|r| r.header("idempotency-key").unwrap_or_default()).collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a new attempt after a decline");
}

// Scenario: a code limited to one use is held by a pending cart (another cart is refused it),
// given back by CANCEL, held by the next cart and redeemed once at FINALIZE with the cart's id
// on `coupon.redeemed`; the quote is priced with it; `""` removes it; PATCH takes an
// Idempotency-Key.
async fn the_coupon_is_held_then_counted_once(app: TestApp) {
    let s = shop(app).await;
    assert_eq!(
        create_coupon(&s.app, &s.sk, json!({"code": "ONCE", "type": "fixed", "amount": 700, "currency": "gbp", "maxRedemptions": 1})).await.status,
        StatusCode::CREATED
    );
    let mut body = s.body("CREATE_IN_PENDING", 1);
    body["discountCode"] = json!("once");
    let a = s.post(body.clone()).await.json();
    let cart_a = a["sessionId"].as_str().unwrap().to_string();
    assert_eq!((a["quote"]["amount"].as_i64(), a["quote"]["discount"]["amount"].as_i64()), (Some(1300), Some(700)));
    let est = s.app.client(&s.pk).post(PATH, json!({"action": "ESTIMATE", "quote": s.quote(1), "discountCode": "ONCE"})).await;
    seed_error(&est, 404, "invalid_or_expired", None);
    seed_error(&s.post(body.clone()).await, 404, "invalid_or_expired", None);
    let removed = s.patch(&cart_a, json!({"action": "UPDATE", "discountCode": ""})).await.json();
    assert_eq!((removed["quote"]["amount"].as_i64(), removed["quote"]["discount"].clone()), (Some(2000), Value::Null));
    let coupon = s.app.client(&s.sk).get("/api/v1/coupons/ONCE").await.json();
    assert_eq!(coupon["reserved"], 0, "removing the code gave its use back");
    assert_eq!(s.patch(&cart_a, json!({"action": "UPDATE", "discountCode": "ONCE"})).await.status, StatusCode::OK);
    assert_eq!(s.patch(&cart_a, json!({"action": "CANCEL"})).await.status, StatusCode::OK);
    assert_eq!(s.app.client(&s.sk).get("/api/v1/coupons/ONCE").await.json()["reserved"], 0, "CANCEL gave it back");

    let mut paid = s.body("CREATE_WITH_PAYMENT_METHOD", 1);
    paid["discountCode"] = json!("ONCE");
    let (cart, _) = s.cart_with_card(paid, false).await;
    let api = s.app.client(&s.sk);
    let path = format!("{PATH}/{cart}");
    let first = api.send("PATCH", &path, json!({"action": "FINALIZE"}), &[("Idempotency-Key", "fin-1")]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let replay = api.send("PATCH", &path, json!({"action": "FINALIZE"}), &[("Idempotency-Key", "fin-1")]).await;
    assert_eq!((replay.header("idempotent-replayed").as_deref(), replay.json()), (Some("true"), first.json()));
    let reused = api.send("PATCH", &path, json!({"action": "CANCEL"}), &[("Idempotency-Key", "fin-1")]).await;
    seed_error(&reused, 409, "idempotency_key_reused", Some(&cart));
    assert_eq!(first.json()["invoice"]["amount"], 1300);
    let coupon = api.get("/api/v1/coupons/ONCE").await.json();
    assert_eq!((coupon["timesRedeemed"].as_i64(), coupon["reserved"].as_i64()), (Some(1), Some(0)));
    let redeemed: Vec<Value> = events(&s.app, &s.tenant_id).await.into_iter().filter(|(t, _)| t == "coupon.redeemed").map(|(_, d)| d).collect();
    assert_eq!(redeemed.len(), 1);
    assert_eq!((redeemed[0]["signupSessionId"].as_str(), redeemed[0]["source"].as_str()), (Some(cart.as_str()), Some("signup")));
}

// Scenario: the merchant's Sign-ups list shows each cart's state, account, email and amount
// with the funnel of the period; a cart's page shows its quote, card and Stripe ids and the
// history of its actions; a marketer reads both; another tenant sees nothing.
async fn the_dashboard_shows_carts_and_the_funnel(app: TestApp) {
    let s = shop(app).await;
    let (cart, pm) = s.cart_with_card(s.body("CREATE_WITH_PAYMENT_METHOD", 2), false).await;
    let r = s.patch(&cart, json!({"action": "FINALIZE"})).await;
    let sub = r.json()["contract"]["id"].as_str().unwrap().to_string();
    let mut pending = s.body("CREATE_IN_PENDING", 1);
    pending["customer"]["accountName"] = json!("Pending Co");
    pending["customer"]["email"] = json!("p@pending.test");
    assert_eq!(s.post(pending).await.status, StatusCode::OK);
    let merchant = s.app.merchant(&s.t).await;
    let list = merchant.page("/signups").await;
    assert_eq!(list.status, StatusCode::OK);
    for text in ["Acme Inc", "john@acme.test", "Finalized", "Pending Co", "Pending", "£35.00", "2 created", "1 with a payment method", "1 finalized"] {
        assert!(list.body.contains(text), "{text} missing from the list");
    }
    let filtered = merchant.page("/signups?state=FINALIZED").await;
    assert!(filtered.body.contains("Acme Inc") && !filtered.body.contains("Pending Co"));
    let page = merchant.page(&format!("/signups/{cart}")).await;
    for text in [sub.as_str(), pm.as_str(), "visa", "4242", "CREATE_WITH_PAYMENT_METHOD", "FINALIZE", "ADD_PAYMENT_METHOD", "Seats"] {
        assert!(page.body.contains(text), "{text} missing from the cart's page");
    }
    let marketer = s.app.marketer(&s.t).await;
    assert!(marketer.page(&format!("/signups/{cart}")).await.body.contains("4242"));
    assert_eq!(marketer.sfn("tenant/signup_defaults", &[("days_until_due", "14")]).await.status, StatusCode::FORBIDDEN);

    // The Overview's billing defaults: invoiced (not charged) carts, due in 14 days, may be
    // finalized without a payment method.
    let e = merchant.sfn("tenant/signup_defaults", &[("days_until_due", "0")]).await;
    crate::helpers::assert_sfn_error(&e, 400, "validation_failed");
    let r = merchant.sfn("tenant/signup_defaults", &[("auto_email_invoice", "on"), ("days_until_due", "14")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut invoiced = s.body("CREATE_AND_FINALIZE", 1);
    invoiced.as_object_mut().unwrap().remove("billGroup");
    let r = s.post(invoiced).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["billGroup"]["collectInvoiceBalanceAutomatically"].as_bool(), r.json()["invoice"]["status"].as_str()), (Some(false), Some("open")));
    assert!(r.json()["payment"].is_null());
    let sent = forms(&s.stub, "/v1/subscriptions").pop().unwrap();
    assert_eq!((sent["collection_method"].as_str(), sent["days_until_due"].as_str()), ("send_invoice", "14"));
    assert!(!sent.contains_key("payment_behavior") && !sent.contains_key("default_payment_method"));
    let other = s.app.tenant("Other", "owner@other.test").await;
    let stranger = s.app.merchant(&other).await;
    assert!(!stranger.page("/signups").await.body.contains("Acme Inc"));
    assert!(!stranger.page(&format!("/signups/{cart}")).await.body.contains("4242"));
}
