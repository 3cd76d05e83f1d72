//! The OpenAPI 3.1 document, generated from the handlers' annotations and types, and a readable
//! reference page rendered from it on the server (no CDN, no script).
use super::ErrorBody;
use crate::model::{
    Audience, Environment, IdentityInput, MethodSchema, MethodSettings, Offer, OfferCreate, OfferPresentation, OfferUpdate, Price, PriceCreate, PriceInterval,
    PriceUpdate, Product, ProductCreate, ProductStatus, ProductUpdate, RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate, StripeAccount,
    StripeIntegration, StripeIntegrationInput, WorkflowVersion,
};
use axum::Json;
use axum::response::Html;
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "offerdeck API", version = "1", description = "Management and runtime API of offerdeck. Authenticate with `Authorization: Bearer sk_test_…` (secret) or `pk_…` (publishable, only where noted). Errors share one body: `{status, statusCode, code, message, fields?, traceId}`. Lists take `limit` (1–100, default 50) and `startingAfter` (the `id` of the last object of the previous page) and answer `{data, hasMore}`, newest first; a `startingAfter` that names no object of the list gives an empty page. Every `POST` and `PATCH` takes an `Idempotency-Key`. The sign-up API lives at `/api/selfService/signup` (MonetizeNow's paths); its errors also carry `sessionId` and `error: true`. Text anywhere (body, query, path) may not contain U+0000: 400 `validation_failed` naming the field (404 in a path)."),
    paths(
        super::products::list, super::products::create, super::products::read, super::products::update, super::products::archive,
        super::prices::list, super::prices::create, super::prices::read, super::prices::update, super::prices::archive,
        super::integrations::read, super::integrations::put, super::integrations::remove, super::integrations::test,
        super::methods::list, super::methods::create, super::methods::read, super::methods::update, super::methods::archive,
        super::methods::save_workflow, super::methods::versions, super::methods::restore, super::methods::test_run,
        super::offers::list, super::offers::create, super::offers::read, super::offers::update, super::offers::archive, super::offers::stats,
        super::rates::list, super::rates::create, super::rates::read, super::rates::update,
        super::redemptions::redeem, super::events::list_events, super::events::read_event,
        super::schemas::list_schemas, super::schemas::create_schema, super::schemas::read_schema, super::schemas::update_schema, super::schemas::delete_schema,
        super::experiences::list_experiences, super::experiences::create_experience, super::experiences::read_experience, super::experiences::update_experience, super::experiences::delete_experience,
        super::surfaces::list_surfaces, super::surfaces::create_surface, super::surfaces::read_surface, super::surfaces::update_surface, super::surfaces::delete_surface, super::surfaces::decide,
        super::coupons::list, super::coupons::create, super::coupons::validate, super::coupons::campaigns, super::coupons::export,
        super::coupons::read, super::coupons::archive, super::coupons::list_redemptions, super::coupons::redeem,
        super::coupons::list_batches, super::coupons::create_batch, super::coupons::read_batch, super::coupons::export_batch,
        super::analytics::list_campaigns, super::analytics::campaign, super::analytics::offer, super::analytics::coupons,
        super::webhooks::list_endpoints, super::webhooks::create_endpoint, super::webhooks::read_endpoint, super::webhooks::update_endpoint,
        super::webhooks::delete_endpoint, super::webhooks::deliveries, super::webhooks::resend, super::settings::rotate_redirect_secret, super::settings::read_origins, super::settings::put_origins,
        super::checkout::list, super::checkout::create, super::checkout::read, super::checkout::expire,
        super::checkout::apply_discount_code, super::checkout::recompute_discounts, super::checkout::remove_discount,
        super::discounts::list, super::discounts::create, super::discounts::read, super::discounts::update, super::discounts::remove, super::discounts::evaluate,
        super::signup::create, super::signup::update, super::signup::read,
        super::versions::list, super::versions::create, super::versions::read, super::versions::diff, super::versions::deploy, super::versions::deployments,
    ),
    components(schemas(ErrorBody, crate::model::Version, crate::model::VersionCreate, crate::model::VersionDiff, crate::model::ObjectChange, crate::model::ChangeKind,
        crate::model::ChangeSummary, crate::model::Deployment, Product, ProductCreate, ProductUpdate, ProductStatus, Environment,
        Price, PriceCreate, PriceUpdate, PriceInterval,
        StripeIntegration, StripeIntegrationInput, StripeAccount,
        RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate, MethodSchema, MethodSettings, WorkflowVersion,
        super::methods::WorkflowIn, super::methods::WorkflowSaved,
        super::methods::TestRunIn, super::methods::TestRunOut, IdentityInput, crate::error::CodeError,
        Offer, OfferCreate, OfferUpdate, crate::model::Rate, crate::model::RateCreate, crate::model::RateUpdate, OfferPresentation, Audience, super::redemptions::RedemptionIn, crate::model::Event, crate::model::EventType, crate::model::EventStatus,
        crate::model::IdentityKind, crate::model::OfferStats,
        crate::model::PresentationSchema, crate::model::PresentationSchemaInput, crate::model::SchemaField, crate::model::FieldType,
        crate::model::Experience, crate::model::ExperienceInput, crate::model::ExperienceKind,
        crate::model::Surface, crate::model::SurfaceInput, crate::model::SurfaceSlot, crate::model::Facet,
        crate::server::services::surfaces::DecisionIn,
        crate::model::Coupon, crate::model::CouponCreate, crate::model::CouponType, crate::model::CouponStatus, crate::model::CouponValidation,
        crate::model::CouponCodeInput, crate::model::CouponRedemptionInput, crate::model::CouponRedemption, crate::model::CampaignCount,
        crate::model::CouponRedemptionSource, crate::model::CouponBatch, crate::model::CouponBatchCreate, crate::model::BatchRules, crate::model::BatchKind,
        crate::model::BatchStatus, crate::model::CampaignReport, crate::model::CampaignSummary, crate::model::SeriesReport, crate::model::SeriesPoint,
        crate::model::Funnel, crate::model::Revenue, crate::model::CodeCount, crate::model::Period, crate::model::Bucket,
        super::redemptions::RedemptionAnswer, super::redemptions::ErrorOrAnswer,
        super::surfaces::DecisionAnswer, super::surfaces::PresentedOffer, super::surfaces::DecidedSlot, super::surfaces::DecidedExperience, super::surfaces::DecisionIdentity,
        crate::model::WebhookEndpoint, crate::model::WebhookEndpointInput, crate::model::WebhookEndpointUpdate, crate::model::WebhookDelivery,
        crate::model::WebhookDeliveryStatus, crate::model::WebhookAttempt, super::webhooks::DeliveryWithAttempts, super::settings::RedirectSigningSecret, super::settings::AllowedOrigins, super::settings::OriginText,
        crate::model::CheckoutSession, crate::model::CheckoutSessionCreate, crate::model::CheckoutCustomerInput, crate::model::CheckoutCustomer,
        crate::model::CheckoutDiscount, crate::model::CheckoutStatus, crate::model::UiMode, crate::model::DiscountUpdates,
        crate::model::DiscountRule, crate::model::DiscountRuleInput, crate::model::DiscountRuleType, crate::model::DiscountTier, crate::model::DiscountTrial,
        crate::model::DiscountTrialResult, crate::model::RuleDiscount, crate::model::DiscountOutcome, crate::model::DiscountRequest,
        crate::model::SignUpRequest, crate::model::SignUpResponse, crate::model::SignUpAction, crate::model::SignUpPerformed, crate::model::CartState,
        crate::model::SignUpCustomerInput, crate::model::BillingAddress, crate::model::BillGroupInput, crate::model::SignUpQuoteInput,
        crate::model::SignUpOfferingInput, crate::model::SignUpItemInput, crate::model::PaymentMethodInput, crate::model::SignUpCustomer,
        crate::model::SignUpQuote, crate::model::QuoteOffering, crate::model::QuoteItem, crate::model::QuoteStatus, crate::model::QuoteDiscount,
        crate::model::SignUpInvoice, crate::model::SignUpPayment, crate::model::IdOnly, crate::model::BillGroup, crate::model::PaymentMethodInit,
        crate::model::StripePaymentMethodInit, crate::model::SavedPaymentMethod, super::signup::SignUpRequestError)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "products", description = "Catalogue products"), (name = "prices", description = "Catalogue prices (minor units + currency)"),
        (name = "integrations", description = "The environment's Stripe account"),
        (name = "redemption-methods", description = "Redemption methods and their workflows"),
        (name = "offers", description = "Offers"),
        (name = "offer-redemptions", description = "Redeeming presented offers"),
        (name = "experiences", description = "Presentation schemas and experiences"),
        (name = "surfaces", description = "Surfaces and surface decisions"),
        (name = "coupons", description = "Coupons: limits, expiry, Stripe mirroring, validation and redemptions"),
        (name = "analytics", description = "Campaign, offer and coupon series and funnels (what the campaign page shows), from exact rolled-up counters"),
        (name = "webhooks", description = "Outgoing webhook endpoints and their delivery log"),
        (name = "checkout", description = "Checkout sessions on Stripe Checkout: request ids, locked emails, reserved coupons, signed redirects"),
        (name = "discount-rules", description = "Discount rules that checkout sessions' recompute-discounts applies"),
        (name = "versions", description = "Preview configuration frozen into versions and deployed to live"),
        (name = "sign-up", description = "Self-service sign-up carts (MonetizeNow's API): quotes from offers' rates, Stripe SetupIntents, subscriptions"),
        (name = "settings", description = "The environment's settings: the redirect signing secret of checkout sessions"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// What every operation may answer besides its own statuses, added here once: 401, 403 and 500
/// on every secured operation; on every `POST` and `PATCH` the `Idempotency-Key` header with its 400 (a key
/// longer than 255 characters) and 409 (`idempotency_key_reused`); 400 on every operation with
/// a JSON body (malformed JSON, a wrong type, a missing or unknown field).
struct CommonResponses;

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::Required;
        use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        fn add(op: &mut Operation, status: &str, description: &str) {
            op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
        }
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, item.get.as_mut()),
                (false, item.put.as_mut()),
                (true, item.post.as_mut()),
                (true, item.patch.as_mut()),
                (false, item.delete.as_mut()),
            ];
            for (is_post, op) in ops {
                let Some(op) = op else { continue };
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add(op, "401", "`unauthenticated`: no key, an unknown or revoked key, or a suspended tenant");
                    add(op, "403", "`forbidden`: this key may not do this (a publishable key outside the endpoints marked publishable)");
                }
                if op.request_body.is_some() {
                    add(op, "400", "`validation_failed`: malformed JSON, a wrong type, a missing or unknown field (named in `fields`)");
                }
                if is_post {
                    let params = op.parameters.get_or_insert_with(Vec::new);
                    if !params.iter().any(|p| p.name.eq_ignore_ascii_case("Idempotency-Key")) {
                        params.push(
                            ParameterBuilder::new()
                                .name("Idempotency-Key")
                                .parameter_in(ParameterIn::Header)
                                .required(Required::False)
                                .description(Some("The same key with the same body replays the first answer; with another body it is 409 `idempotency_key_reused`. Kept 24 hours."))
                                .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
                                .build(),
                        );
                    }
                    add(op, "400", "`validation_failed`: an `Idempotency-Key` longer than 255 characters");
                    add(op, "409", "`idempotency_key_reused`: this `Idempotency-Key` came with another body, or its first request is still running");
                }
                add(op, "500", "`internal`: an unexpected error (logged with the `traceId`)");
            }
        }
    }
}

fn event_type_schema() -> Value {
    serde_json::json!({"type": "string", "enum": crate::model::WEBHOOK_EVENT_TYPES})
}

/// Constraints the derive cannot state, patched into the component schemas of the JSON
/// document (JSON Schema keywords utoipa's types do not all model, such as `const`): the
/// identity's "exactly one of", patterns and enums of array items and map keys, uniqueness.
/// Lengths the server counts in UTF-8 bytes are given as the number of characters that always
/// fits (a quarter), so that every string the schema allows is accepted.
fn constrain(doc: &mut Value) {
    for (path, value) in patches() {
        if let Some(slot) = doc.pointer_mut(&format!("/components/schemas{path}")) {
            *slot = value;
        }
    }
    describe_responses(doc);
}

/// The component schemas [`constrain`] replaces, by JSON pointer below `components/schemas`.
fn patches() -> Vec<(&'static str, Value)> {
    use serde_json::json;
    let key = json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"});
    let identifier = |what: &str| {
        json!({"type": "string", "minLength": 1, "maxLength": 63, "pattern": "\\S",
        "description": format!("{what}: 1–255 bytes (UTF-8) after trimming; 63 characters always fit")})
    };
    let mut patches: Vec<(&str, Value)> = vec![
        (
            "/IdentityInput",
            json!({
            "description": "Exactly one of `userIdentifier` (secret keys only), `anonymousIdentifier`, or `createAnonymousIdentifier: true` (the server mints an `anonymousIdentifier`).",
            "oneOf": [
                {"type": "object", "required": ["userIdentifier"], "additionalProperties": false,
                 "properties": {"userIdentifier": identifier("The merchant's id of a signed-in user")}},
                {"type": "object", "required": ["anonymousIdentifier"], "additionalProperties": false,
                 "properties": {"anonymousIdentifier": identifier("An `anon_…` identifier handed out before")}},
                {"type": "object", "required": ["createAnonymousIdentifier"], "additionalProperties": false,
                 "properties": {"createAnonymousIdentifier": {"const": true}}}
            ]}),
        ),
        ("/PresentationSchemaInput/properties/offerSlots", json!({"type": "array", "items": key, "maxItems": 20, "uniqueItems": true})),
        (
            "/OfferCreate/properties/priceIds",
            json!({"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": 20, "uniqueItems": true}),
        ),
        (
            "/OfferUpdate/properties/priceIds",
            json!({"type": ["array", "null"], "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": 20, "uniqueItems": true}),
        ),
        ("/WebhookEndpointInput/properties/events", json!({"type": "array", "items": event_type_schema(), "minItems": 1, "maxItems": 32})),
        ("/WebhookEndpointUpdate/properties/events", json!({"type": ["array", "null"], "items": event_type_schema(), "minItems": 1, "maxItems": 32})),
        (
            "/ExperienceInput/properties/offers",
            json!({"type": ["object", "null"],
            "description": "Offer slot → offer ids of this environment, highest priority first.",
            "maxProperties": 20, "propertyNames": key, "additionalProperties": {"type": "array", "maxItems": 50, "items": {"type": "string"}}}),
        ),
        ("/DecisionIn/properties/surfaceSlug", json!({"type": "string", "minLength": 1, "description": "The surface's `slug`."})),
        (
            "/CouponRedemptionInput/properties/subscriptionId",
            json!({"type": "string", "minLength": 1, "maxLength": 63, "pattern": "\\S",
            "description": "The Stripe subscription (`sub_…`): 1–255 bytes (UTF-8) after trimming; 63 characters always fit."}),
        ),
        (
            "/CouponRedemptionInput/properties/customerId",
            json!({"type": ["string", "null"], "maxLength": 63,
            "description": "The Stripe customer (`cus_…`), needed when the coupon has a per-customer limit: at most 255 bytes (UTF-8)."}),
        ),
    ];
    let url = json!({"type": "string", "maxLength": 500, "pattern": "^(https?://\\S{2,})?$", "description": "At most 2000 bytes (UTF-8)."});
    for path in ["/MethodSettings/properties/successUrl", "/MethodSettings/properties/cancelUrl", "/MethodSettings/properties/signupUrl"] {
        patches.push((path, url.clone()));
    }
    patches
}

/// Responses without a description get the status's usual one.
fn describe_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for (status, r) in responses.iter_mut() {
                if r.get("description").and_then(Value::as_str).is_some_and(str::is_empty) {
                    r["description"] = Value::from(match status.as_str() {
                        "200" => "OK",
                        "201" => "Created",
                        "204" => "No content",
                        "400" => "`validation_failed`: a field is missing or breaks a rule (named in `fields`)",
                        "404" => "`not_found`: no such object in this environment",
                        "409" => "`conflict`",
                        _ => "See the error body",
                    });
                }
            }
        }
    }
}

/// Every list answers the generic `Page<T>`, which utoipa registers as `Page_T` with `T`'s
/// schema copied into `data`. Each becomes `TPage` (`ProductPage`, `CouponRedemptionPage`, …)
/// whose `data` items reference `T`, so that clients and the reference page see one named type
/// per list and each object's schema once.
fn name_pages(doc: &mut Value) {
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    let generic: Vec<String> = schemas.keys().filter(|k| k.starts_with("Page_")).cloned().collect();
    let mut renamed = std::collections::HashMap::new();
    for old in generic {
        let item = &old["Page_".len()..];
        let Some(mut page) = schemas.remove(&old) else { continue };
        if let (Some(items), Some(component)) = (page.pointer_mut("/properties/data/items"), schemas.get(item))
            && items == component
        {
            *items = serde_json::json!({ "$ref": format!("#/components/schemas/{item}") });
        }
        let new = format!("{item}Page");
        schemas.insert(new.clone(), page);
        renamed.insert(format!("#/components/schemas/{old}"), format!("#/components/schemas/{new}"));
    }
    fn rename_refs(v: &mut Value, renamed: &std::collections::HashMap<String, String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(r)) = o.get_mut("$ref")
                    && let Some(new) = renamed.get(r.as_str())
                {
                    *r = new.clone();
                }
                o.values_mut().for_each(|v| rename_refs(v, renamed));
            }
            Value::Array(a) => a.iter_mut().for_each(|v| rename_refs(v, renamed)),
            _ => {}
        }
    }
    rename_refs(doc, &renamed);
}

/// The document as served, built once: the annotations' document plus [`constrain`] and
/// [`name_pages`].
pub fn document() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
        constrain(&mut doc);
        name_pages(&mut doc);
        doc
    })
}

pub async fn openapi_json() -> Json<&'static Value> {
    Json(document())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn schema_name(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("{}[]", v.get("items").map(schema_name).unwrap_or_default())
        }
        Some(Value::String(t)) => esc(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(esc).collect::<Vec<_>>().join(" | "),
        _ => v
            .get("oneOf")
            .or_else(|| v.get("anyOf"))
            .and_then(Value::as_array)
            .map(|a| a.iter().map(schema_name).collect::<Vec<_>>().join(" | "))
            .unwrap_or_else(|| "object".into()),
    }
}

/// One operation of the reference page: method and path, text, parameters, body, responses.
fn operation_html(out: &mut String, path: &str, method: &str, op: &Value) {
    out.push_str(&format!(
        "<section class=\"op\"><h2><span class=\"method method-{m}\">{M}</span> <code>{p}</code></h2>",
        m = method,
        M = method.to_uppercase(),
        p = esc(path)
    ));
    for key in ["summary", "description"] {
        if let Some(t) = op.get(key).and_then(Value::as_str) {
            out.push_str(&format!("<p>{}</p>", esc(t)));
        }
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str(
            "<table><caption>Parameters</caption><thead><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>",
        );
        for p in params {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p.get("name").and_then(Value::as_str).unwrap_or("")),
                esc(p.get("in").and_then(Value::as_str).unwrap_or("")),
                p.get("schema").map(schema_name).unwrap_or_default(),
                if p.get("required").and_then(Value::as_bool).unwrap_or(false) { "yes" } else { "no" },
                esc(p.get("description").and_then(Value::as_str).unwrap_or("")),
            ));
        }
        out.push_str("</tbody></table>");
    }
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        out.push_str(&format!("<p>Request body: {}</p>", schema_name(schema)));
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        out.push_str("<ul class=\"responses\">");
        for (code, r) in responses {
            let body = r.pointer("/content/application~1json/schema").map(schema_name).unwrap_or_default();
            out.push_str(&format!("<li><strong>{}</strong> {} {}</li>", esc(code), body, esc(r.get("description").and_then(Value::as_str).unwrap_or(""))));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

/// One component schema of the reference page: description, enum values, fields.
fn schema_html(out: &mut String, name: &str, s: &Value) {
    out.push_str(&format!("<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3>", esc(name)));
    if let Some(d) = s.get("description").and_then(Value::as_str) {
        out.push_str(&format!("<p>{}</p>", esc(d)));
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let vs: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", esc(&v.to_string()))).collect();
        out.push_str(&format!("<p>One of {}</p>", vs.join(", ")));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = s.get("required").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        out.push_str("<table><thead><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>");
        for (field, p) in props {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field),
                schema_name(p),
                if required.contains(&field.as_str()) { "yes" } else { "no" },
                esc(p.get("description").and_then(Value::as_str).unwrap_or("")),
            ));
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</section>");
}

/// `GET /api/docs`: every operation with its parameters, body and responses, then every schema.
pub async fn reference_page() -> Html<String> {
    let doc = document();
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>offerdeck API reference</title><link rel=\"stylesheet\" href=\"/pkg/offerdeck.css\"></head><body class=\"docs\"><main class=\"docs-main\">",
    );
    out.push_str(&format!(
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {})</p>",
        esc(doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API")),
        esc(doc.pointer("/info/description").and_then(Value::as_str).unwrap_or("")),
        esc(doc.get("openapi").and_then(Value::as_str).unwrap_or("")),
    ));
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    operation_html(&mut out, path, method, op);
                }
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, s) in schemas {
            schema_html(&mut out, name, s);
        }
    }
    out.push_str("</main></body></html>");
    Html(out)
}
