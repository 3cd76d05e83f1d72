//! The OpenAPI 3.1 document, generated from the handlers' annotations and types, and a readable
//! reference page rendered from it on the server (no CDN, no script).
use super::ErrorBody;
use crate::model::{Audience, IdentityInput, MethodSchema, MethodSettings, Offer, OfferCreate, OfferPresentation, OfferUpdate, RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate, WorkflowVersion, StripeAccount, StripeIntegration, StripeIntegrationInput, Environment, Price, PriceCreate, PriceInterval, PriceUpdate, Product, ProductCreate, ProductStatus, ProductUpdate};
use axum::Json;
use axum::response::Html;
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "offerdeck API", version = "1", description = "Management and runtime API of offerdeck. Authenticate with `Authorization: Bearer sk_test_…` (secret) or `pk_…` (publishable, only where noted). Errors share one body: `{status, statusCode, code, message, fields?, traceId}`."),
    paths(
        super::products::list, super::products::create, super::products::read, super::products::update, super::products::archive,
        super::prices::list, super::prices::create, super::prices::read, super::prices::update, super::prices::archive,
        super::integrations::read, super::integrations::put, super::integrations::remove, super::integrations::test,
        super::methods::list, super::methods::create, super::methods::read, super::methods::update, super::methods::archive,
        super::methods::save_workflow, super::methods::versions, super::methods::restore, super::methods::test_run,
        super::offers::list, super::offers::create, super::offers::read, super::offers::update, super::offers::archive, super::offers::stats,
        super::redemptions::redeem, super::redemptions::list_events, super::redemptions::read_event,
        super::surfaces::list_schemas, super::surfaces::create_schema, super::surfaces::read_schema, super::surfaces::update_schema, super::surfaces::delete_schema,
        super::surfaces::list_experiences, super::surfaces::create_experience, super::surfaces::read_experience, super::surfaces::update_experience, super::surfaces::delete_experience,
        super::surfaces::list_surfaces, super::surfaces::create_surface, super::surfaces::read_surface, super::surfaces::update_surface, super::surfaces::delete_surface, super::surfaces::decide,
        super::coupons::list, super::coupons::create, super::coupons::validate, super::coupons::campaigns, super::coupons::export,
        super::coupons::read, super::coupons::archive, super::coupons::list_redemptions, super::coupons::redeem,
        super::coupons::list_endpoints, super::coupons::create_endpoint, super::coupons::read_endpoint, super::coupons::update_endpoint,
        super::coupons::delete_endpoint, super::coupons::deliveries, super::coupons::resend,
    ),
    components(schemas(ErrorBody, Product, ProductCreate, ProductUpdate, ProductStatus, Environment, super::products::ProductPage,
        Price, PriceCreate, PriceUpdate, PriceInterval, super::prices::PricePage,
        StripeIntegration, StripeIntegrationInput, StripeAccount,
        RedemptionMethod, RedemptionMethodCreate, RedemptionMethodUpdate, MethodSchema, MethodSettings, WorkflowVersion,
        super::methods::MethodPage, super::methods::WorkflowIn, super::methods::WorkflowSaved, super::methods::VersionList,
        super::methods::TestRunIn, super::methods::TestRunOut, IdentityInput, crate::error::CodeError,
        Offer, OfferCreate, OfferUpdate, OfferPresentation, Audience, super::offers::OfferPage, super::redemptions::RedemptionIn, super::redemptions::EventPage, crate::model::Event, crate::model::OfferStats,
        crate::model::PresentationSchema, crate::model::PresentationSchemaInput, crate::model::SchemaField, crate::model::FieldType,
        crate::model::Experience, crate::model::ExperienceInput, crate::model::ExperienceKind,
        crate::model::Surface, crate::model::SurfaceInput, crate::model::SurfaceSlot, crate::model::Facet,
        crate::server::services::surfaces::DecisionIn,
        crate::model::Coupon, crate::model::CouponCreate, crate::model::CouponType, crate::model::CouponStatus, crate::model::CouponValidation,
        crate::model::CouponCodeInput, crate::model::CouponRedemptionInput, crate::model::CouponRedemption, crate::model::CampaignCount,
        super::coupons::CouponPage, super::coupons::CampaignList, super::coupons::RedemptionList,
        crate::model::WebhookEndpoint, crate::model::WebhookEndpointInput, crate::model::WebhookEndpointUpdate, crate::model::WebhookDelivery,
        crate::model::WebhookAttempt, super::coupons::EndpointList, super::coupons::DeliveryList, super::coupons::DeliveryWithAttempts)),
    modifiers(&BearerAuth),
    tags((name = "products", description = "Catalogue products"), (name = "prices", description = "Catalogue prices (minor units + currency)"),
        (name = "integrations", description = "The environment's Stripe account"),
        (name = "redemption-methods", description = "Redemption methods and their workflows"),
        (name = "offers", description = "Offers"),
        (name = "offer-redemptions", description = "Redeeming presented offers"),
        (name = "experiences", description = "Presentation schemas and experiences"),
        (name = "surfaces", description = "Surfaces and surface decisions"),
        (name = "coupons", description = "Coupons: limits, expiry, Stripe mirroring, validation and redemptions"),
        (name = "webhooks", description = "Outgoing webhook endpoints and their delivery log"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
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
        Some(Value::String(t)) if t == "array" => format!("{}[]", v.get("items").map(schema_name).unwrap_or_default()),
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

/// `GET /api/docs`: every operation with its parameters, body and responses, then every schema.
pub async fn reference_page() -> Html<String> {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
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
                let Some(op) = item.get(method) else { continue };
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
                    out.push_str("<table><caption>Parameters</caption><thead><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>");
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
                        out.push_str(&format!(
                            "<li><strong>{}</strong> {} {}</li>",
                            esc(code),
                            body,
                            esc(r.get("description").and_then(Value::as_str).unwrap_or(""))
                        ));
                    }
                    out.push_str("</ul>");
                }
                out.push_str("</section>");
            }
        }
    }
    out.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, s) in schemas {
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
    }
    out.push_str("</main></body></html>");
    Html(out)
}
