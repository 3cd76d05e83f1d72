//! Presentation schemas and experiences (`services::experiences`): content checked against the
//! schema, escaped HTML placeholders, schemas and experiences in use kept, and the dashboard's
//! server functions building the recipe.
use crate::helpers::TestApp;
use crate::surfaces::small_recipe;
use axum::http::StatusCode;
use offerdeck::model::Environment;
use serde_json::{Value, json};

db_tests!(schema_and_experience_rules, dashboard_builds_the_recipe,);

// Scenario: app content is checked against the schema; an HTML experience fills escaped
// placeholders; a schema in use cannot be deleted and the answer names the experience.
async fn schema_and_experience_rules(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let k = t.keys.preview.secret.as_str();
    let api = app.secret_key(&t, Environment::Preview);
    let schema = api.create("/api/v1/presentation-schemas", json!({"name": "Card",
        "fields": [{"key": "headline", "type": "string", "label": "Headline", "required": true}, {"key": "rank", "type": "number", "label": "Rank", "required": false}],
        "offerSlots": ["primary"]})).await;
    let bad = app
        .api(
            "POST",
            "/api/v1/experiences",
            k,
            Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"rank": "first", "colour": "red"}}).to_string()),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let f = &bad.json()["fields"];
    assert_eq!(f["content.headline"], "is required");
    assert_eq!(f["content.rank"], "must be a number");
    assert_eq!(f["content.colour"], "is not a field of the schema");
    let bad_slot = app
        .api(
            "POST",
            "/api/v1/experiences",
            k,
            Some(&json!({"name": "X", "type": "app", "schemaId": schema["id"], "content": {"headline": "h"}, "offers": {"sidebar": []}}).to_string()),
        )
        .await;
    assert!(bad_slot.json()["fields"]["offers.sidebar"].is_string());
    api.create("/api/v1/experiences", json!({"name": "Card one", "type": "app", "schemaId": schema["id"], "content": {"headline": "h", "rank": 1}})).await;
    let del = api.delete(&format!("/api/v1/presentation-schemas/{}", schema["id"].as_str().unwrap())).await;
    assert_eq!(del.status, StatusCode::CONFLICT);
    assert!(del.json()["message"].as_str().unwrap().contains("Card one"));

    let html = api.create("/api/v1/experiences", json!({"name": "Banner", "type": "html", "html": "<h2>{{offer.title}}</h2>"})).await;
    api.create("/api/v1/surfaces", json!({"name": "Home", "slug": "home", "slots": [{"key": "top", "facet": "web", "experienceId": html["id"]}]})).await;
    let dup = api.post("/api/v1/surfaces", r#"{"name":"Home 2","slug":"home","slots":[]}"#).await;
    assert!(dup.json()["fields"]["slug"].as_str().unwrap().contains("already used"));
    let bad_slug = api.post("/api/v1/surfaces", r#"{"name":"X","slug":"Not A Slug","slots":[]}"#).await;
    assert!(bad_slug.json()["fields"]["slug"].is_string());
    let d = api.create("/api/v1/surface-decisions", json!({"surfaceSlug": "home", "identity": {"anonymousIdentifier": "anon_1"}})).await;
    assert!(d["offer"].is_null(), "no offer in the experience: offer is null");
    assert_eq!(d["slots"][0]["experience"]["content"], "<h2></h2>");
}

// Scenario: the dashboard's server functions build a schema, an app experience with two offers
// reordered by the arrange buttons, and a surface; row errors name the row as typed; another
// tenant's merchant gets 404 for the experience.
async fn dashboard_builds_the_recipe(app: TestApp) {
    let t = app.tenant("Acme", "owner@acme.test").await;
    let k = t.keys.preview.secret.as_str();
    let api = app.secret_key(&t, Environment::Preview);
    let (offer, _) = small_recipe(&app, k).await;
    let method_id = api.get("/api/v1/redemption-methods").await.json()["data"][0]["id"].as_str().unwrap().to_string();
    let second = api
        .create(
            "/api/v1/offers",
            json!({"name": "Annual", "redemptionMethodId": method_id, "priceIds": offer["priceIds"], "presentation": {"title": "Annual"}}),
        )
        .await;
    app.member("m@acme.test", &t.tenant_id, offerdeck::model::Role::Merchant).await;
    let cookie = app.login("m@acme.test", "password-123").await;
    let c = Some(cookie.as_str());

    // A blank row in the middle: the error names row 3 as typed.
    let r = app
        .sfn(
            "schemas/save",
            &[
                ("id", ""),
                ("name", "Card"),
                ("field_keys[0]", "headline"),
                ("field_types[0]", "string"),
                ("field_labels[0]", "Headline"),
                ("field_required[0]", "required"),
                ("field_keys[1]", ""),
                ("field_types[1]", "string"),
                ("field_labels[1]", ""),
                ("field_required[1]", "optional"),
                ("field_keys[2]", "bad key"),
                ("field_types[2]", "number"),
                ("field_labels[2]", "Rank"),
                ("field_required[2]", "optional"),
                ("offer_slots", "primary"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("fields[2].key"), "{}", r.body);
    let r = app
        .sfn(
            "schemas/save",
            &[
                ("id", ""),
                ("name", "Card"),
                ("field_keys[0]", "headline"),
                ("field_types[0]", "string"),
                ("field_labels[0]", "Headline"),
                ("field_required[0]", "required"),
                ("field_keys[1]", "rank"),
                ("field_types[1]", "number"),
                ("field_labels[1]", "Rank"),
                ("field_required[1]", "optional"),
                ("field_keys[2]", "featured"),
                ("field_types[2]", "boolean"),
                ("field_labels[2]", "Featured"),
                ("field_required[2]", "optional"),
                ("offer_slots", "primary, secondary"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let schema: Value = r.json();
    assert_eq!(schema["offerSlots"], json!(["primary", "secondary"]));
    let sid = schema["id"].as_str().unwrap();

    // Typed content: a number that is not one is a field error; a good form stores types.
    let r = app
        .sfn(
            "experiences/save",
            &[("id", ""), ("name", "Card one"), ("kind", "app"), ("schema_id", sid), ("content[headline]", "Hi"), ("content[rank]", "first")],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("content.rank"), "{}", r.body);
    let r = app
        .sfn(
            "experiences/save",
            &[
                ("id", ""),
                ("name", "Card one"),
                ("kind", "app"),
                ("schema_id", sid),
                ("content[headline]", "Hi"),
                ("content[rank]", "2"),
                ("content[featured]", "true"),
            ],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let x: Value = r.json();
    assert_eq!(x["content"], json!({"headline": "Hi", "rank": 2.0, "featured": true}));
    let xid = x["id"].as_str().unwrap();
    let (o1, o2) = (offer["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    for o in [o1, o2] {
        let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o), ("op", "add")], c).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o2), ("op", "up")], c).await;
    assert_eq!(r.json()["offers"]["primary"], json!([o2, o1]));
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "sidebar"), ("offer_id", o1), ("op", "add")], c).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a slot the schema does not have");
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o1), ("op", "remove")], c).await;
    assert_eq!(r.json()["offers"]["primary"], json!([o2]));

    let r = app
        .sfn(
            "surfaces/save",
            &[("id", ""), ("name", "Home"), ("slug", "pricing-page"), ("slot_keys[0]", "main"), ("slot_facets[0]", "web"), ("slot_experiences[0]", xid)],
            c,
        )
        .await;
    assert!(r.body.contains("already used"), "slug taken by the recipe's surface: {}", r.body);
    let r = app
        .sfn(
            "surfaces/save",
            &[("id", ""), ("name", "Home"), ("slug", "home"), ("slot_keys[0]", "main"), ("slot_facets[0]", "json"), ("slot_experiences[0]", xid)],
            c,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = api.create("/api/v1/surface-decisions", json!({"surfaceSlug": "home", "identity": {"anonymousIdentifier": "anon_9"}})).await;
    assert_eq!(d["offer"]["id"], second["id"], "the reordered list decides: {d}");
    assert_eq!(d["slots"][0]["facet"], "json");

    // The experience in use cannot be deleted; the answer names the surface.
    let r = app.sfn("experiences/delete", &[("id", xid)], c).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Home"), "{}", r.body);

    // Another tenant's merchant cannot read or change it.
    let other = app.tenant("Other", "owner@other.test").await;
    app.member("m@other.test", &other.tenant_id, offerdeck::model::Role::Merchant).await;
    let oc = app.login("m@other.test", "password-123").await;
    let r = app.sfn("experiences/get", &[("id", xid), ("kind", ""), ("schema_id", "")], Some(&oc)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.sfn("experiences/arrange", &[("id", xid), ("slot", "primary"), ("offer_id", o2), ("op", "remove")], Some(&oc)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A marketer reads but does not write.
    app.member("mk@acme.test", &t.tenant_id, offerdeck::model::Role::Marketer).await;
    let mc = app.login("mk@acme.test", "password-123").await;
    let r = app.sfn("offers/stats", &[("id", o1), ("days", "7")], Some(&mc)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["offerId"], offer["id"]);
    let r = app.sfn("surfaces/delete", &[("id", "srf_any")], Some(&mc)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
