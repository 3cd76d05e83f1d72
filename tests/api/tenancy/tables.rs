//! The tenancy walk's tables: every API operation and every server function, by what a foreign
//! caller must get from it. `every_api_operation_is_walked` and `every_server_function_is_walked`
//! fail when the server has one that is in no table here.

/// API operations that name one of the owner's objects in their path: 404 `not_found` for a
/// foreign key. `{id}`-like parameters are filled from the owner's world by the segment before
/// them; the body is one the owner may send (so that a 404 is not a 400 in disguise).
pub(super) const API_BY_ID: &[(&str, Option<&str>)] = &[
    ("GET /api/v1/products/{id}", None),
    ("PATCH /api/v1/products/{id}", Some(r#"{"name":"pwned"}"#)),
    ("DELETE /api/v1/products/{id}", None),
    ("GET /api/v1/prices/{id}", None),
    ("PATCH /api/v1/prices/{id}", Some(r#"{"stripePriceId":"price_pwned"}"#)),
    ("DELETE /api/v1/prices/{id}", None),
    ("GET /api/v1/redemption-methods/{id}", None),
    ("PATCH /api/v1/redemption-methods/{id}", Some(r#"{"name":"pwned"}"#)),
    ("DELETE /api/v1/redemption-methods/{id}", None),
    ("PUT /api/v1/redemption-methods/{id}/workflow", Some(r#"{"code":"export default async function () { return { success: true }; }"}"#)),
    ("GET /api/v1/redemption-methods/{id}/workflow/versions", None),
    ("POST /api/v1/redemption-methods/{id}/workflow/versions/{version}/restore", None),
    ("POST /api/v1/redemption-methods/{id}/workflow/test", Some(r#"{"identity":{"userIdentifier":"x@y.test"},"offerId":"{offer}"}"#)),
    ("GET /api/v1/offers/{id}", None),
    ("PATCH /api/v1/offers/{id}", Some(r#"{"name":"pwned"}"#)),
    ("DELETE /api/v1/offers/{id}", None),
    ("GET /api/v1/offers/{id}/stats", None),
    ("GET /api/v1/offers/{id}/rates", None),
    ("POST /api/v1/offers/{id}/rates", Some(r#"{"name":"pwned","priceIds":["{price}"]}"#)),
    ("GET /api/v1/offers/{id}/rates/{rate_id}", None),
    ("PATCH /api/v1/offers/{id}/rates/{rate_id}", Some(r#"{"name":"pwned"}"#)),
    ("GET /api/v1/events/{id}", None),
    ("GET /api/v1/presentation-schemas/{id}", None),
    ("PATCH /api/v1/presentation-schemas/{id}", Some(r#"{"name":"pwned","fields":[],"offerSlots":["primary"]}"#)),
    ("DELETE /api/v1/presentation-schemas/{id}", None),
    ("GET /api/v1/experiences/{id}", None),
    ("PATCH /api/v1/experiences/{id}", Some(r#"{"name":"pwned","type":"html","html":"<p>pwned</p>"}"#)),
    ("DELETE /api/v1/experiences/{id}", None),
    ("GET /api/v1/surfaces/{id}", None),
    ("PATCH /api/v1/surfaces/{id}", Some(r#"{"name":"pwned","slug":"pwned","slots":[]}"#)),
    ("DELETE /api/v1/surfaces/{id}", None),
    ("GET /api/v1/coupons/{code}", None),
    ("POST /api/v1/coupons/{code}/archive", None),
    ("GET /api/v1/coupons/{code}/redemptions", None),
    ("POST /api/v1/coupons/{code}/redemptions", Some(r#"{"subscriptionId":"sub_pwned","customerId":"cus_pwned"}"#)),
    ("GET /api/v1/coupons/batches/{id}", None),
    ("GET /api/v1/coupons/batches/{id}/export.csv", None),
    ("GET /api/v1/analytics/campaigns/{campaign}", None),
    ("GET /api/v1/analytics/offers/{id}", None),
    ("GET /api/v1/webhook-endpoints/{id}", None),
    ("PATCH /api/v1/webhook-endpoints/{id}", Some(r#"{"status":"disabled"}"#)),
    ("DELETE /api/v1/webhook-endpoints/{id}", None),
    ("GET /api/v1/webhook-endpoints/{id}/deliveries", None),
    ("POST /api/v1/webhook-deliveries/{id}/resend", None),
    ("GET /api/v1/checkout-sessions/{id}", None),
    ("POST /api/v1/checkout-sessions/{id}/expire", None),
    ("POST /api/v1/checkout-sessions/{id}/apply-discount-code", Some(r#"{"code":"{code}"}"#)),
    ("POST /api/v1/checkout-sessions/{id}/recompute-discounts", Some("{}")),
    ("POST /api/v1/checkout-sessions/{id}/remove-discount", Some("{}")),
    ("GET /api/v1/discount-rules/{id}", None),
    ("PATCH /api/v1/discount-rules/{id}", Some(r#"{"name":"pwned","type":"loyalty","minCompletedCheckouts":1,"percentOff":99}"#)),
    ("DELETE /api/v1/discount-rules/{id}", None),
    ("GET /api/selfService/signup/{sessionId}", None),
    ("PATCH /api/selfService/signup/{sessionId}", Some(r#"{"action":"CANCEL"}"#)),
];

/// The by-id operations whose answer for an unknown object is not `not_found`, and why. The walk
/// still requires 404, and the very answer the caller gets for an object that never existed.
pub(super) const API_BY_ID_CODES: &[(&str, &str, &str)] = &[(
    "POST /api/v1/coupons/{code}/redemptions",
    "invalid_or_expired",
    "a code that cannot be redeemed is one answer, unknown included (API.md §5): no oracle for codes",
)];

pub(super) fn expected_code(op: &str) -> &'static str {
    API_BY_ID_CODES.iter().find(|(o, ..)| *o == op).map(|(_, code, _)| *code).unwrap_or("not_found")
}

/// Lists of the caller's environment: 200 without any of the owner's objects.
pub(super) const API_LISTS: &[&str] = &[
    "GET /api/v1/products",
    "GET /api/v1/prices",
    "GET /api/v1/redemption-methods",
    "GET /api/v1/offers",
    "GET /api/v1/events",
    "GET /api/v1/presentation-schemas",
    "GET /api/v1/experiences",
    "GET /api/v1/surfaces",
    "GET /api/v1/coupons",
    "GET /api/v1/coupons/campaigns",
    "GET /api/v1/coupons/export.csv",
    "GET /api/v1/coupons/batches",
    "GET /api/v1/analytics/campaigns",
    "GET /api/v1/analytics/coupons",
    "GET /api/v1/webhook-endpoints",
    "GET /api/v1/checkout-sessions",
    "GET /api/v1/discount-rules",
    "GET /api/v1/settings/allowed-origins",
];

/// One object per environment, named by the key alone: the caller has none, so 404.
pub(super) const API_SINGLETONS: &[&str] = &["GET /api/v1/integrations/stripe", "POST /api/v1/integrations/stripe/test"];

/// Requests without a path parameter whose body names the owner's objects: refused with the
/// status and code given (the reference is unknown in the caller's scope).
pub(super) const API_REFERENCES: &[(&str, &str, u16, &str)] = &[
    ("POST /api/v1/prices", r#"{"productId":"{product}","currency":"gbp","unitAmount":100,"stripePriceId":"price_pwned"}"#, 400, "validation_failed"),
    ("POST /api/v1/offers", r#"{"name":"X","redemptionMethodId":"{method}","priceIds":["{price}"],"presentation":{"title":"X"}}"#, 400, "validation_failed"),
    ("POST /api/v1/experiences", r#"{"name":"X","type":"app","schemaId":"{schema}","content":{},"offers":{"primary":["{offer}"]}}"#, 400, "validation_failed"),
    ("POST /api/v1/surfaces", r#"{"name":"X","slug":"x","slots":[{"key":"main","facet":"web","experienceId":"{experience}"}]}"#, 400, "validation_failed"),
    ("POST /api/v1/surface-decisions", r#"{"surfaceSlug":"{slug}","identity":{"anonymousIdentifier":"anon_x"}}"#, 404, "not_found"),
    ("POST /api/v1/coupons/validate", r#"{"code":"{code}"}"#, 404, "invalid_or_expired"),
    (
        "POST /api/v1/checkout-sessions",
        r#"{"productId":"{product}","successUrl":"https://x.test/ok","cancelUrl":"https://x.test/no"}"#,
        400,
        "validation_failed",
    ),
    ("POST /api/v1/offer-redemptions", r#"{"identity":{"userIdentifier":"buyer@example.com"},"offerToken":"{token}"}"#, 400, "invalid_offer_token"),
    (
        "POST /api/selfService/signup",
        r#"{"action":"CREATE_IN_PENDING","customer":{"accountName":"X","name":"X","email":"x@x.test"},"quote":{"offerings":[{"offeringId":"{offer}","rateId":"{rate}"}]}}"#,
        400,
        "validation_failed",
    ),
];

/// The caller's own objects changed to point at the owner's: refused like a create.
pub(super) const API_OWN_REFERENCES: &[(&str, &str, u16, &str)] = &[
    (
        "PATCH /api/v1/experiences/{own_experience}",
        r#"{"name":"Mine","type":"html","html":"<p>mine</p>","offers":{"primary":["{offer}"]}}"#,
        400,
        "validation_failed",
    ),
    (
        "PATCH /api/v1/surfaces/{own_surface}",
        r#"{"name":"Mine","slug":"mine","slots":[{"key":"main","facet":"web","experienceId":"{experience}"}]}"#,
        400,
        "validation_failed",
    ),
];

/// Creates and writes in the caller's own environment, with no reference to the owner: whatever
/// they answer, the owner's objects stay as they were (checked by the snapshot).
pub(super) const API_OWN_SCOPE: &[(&str, &str)] = &[
    ("POST /api/v1/products", r#"{"name":"Mine"}"#),
    ("POST /api/v1/redemption-methods", r#"{"name":"Mine","schema":"custom"}"#),
    ("POST /api/v1/presentation-schemas", r#"{"name":"Mine","fields":[],"offerSlots":["primary"]}"#),
    ("POST /api/v1/coupons", r#"{"code":"{code}","type":"percentage","amount":5}"#),
    ("POST /api/v1/coupons/batches", r#"{"campaign":"mine","codes":["{code}","OWNERS-B1"],"type":"percentage","amount":5}"#),
    ("POST /api/v1/webhook-endpoints", r#"{"url":"http://127.0.0.1:9/mine","events":["coupon.redeemed"]}"#),
    ("DELETE /api/v1/integrations/stripe", ""),
    ("PUT /api/v1/integrations/stripe", r#"{"secretKey":"sk_test_51MineMineMineMineMine00"}"#),
    ("POST /api/v1/settings/redirect-signing-secret", ""),
    ("POST /api/v1/discount-rules", r#"{"name":"Mine","type":"loyalty","minCompletedCheckouts":1,"percentOff":5}"#),
    ("PUT /api/v1/settings/allowed-origins", r#"{"allowedOrigins":["https://mine.test"]}"#),
    ("POST /api/v1/discount-rules/evaluate", r#"{"subtotal":10000,"currency":"gbp"}"#),
];

/// Operations that are not walked, and why.
const TENANT_WIDE: &str = "versions are tenant-wide (frozen from preview, deployed with a live key), so the other environment's key sees them; \
     versions::versions_are_the_tenants_own walks another tenant's keys through each";
pub(super) const API_EXEMPT: &[(&str, &str)] = &[
    ("GET /api/v1/versions", TENANT_WIDE),
    ("POST /api/v1/versions", TENANT_WIDE),
    ("GET /api/v1/versions/deployments", TENANT_WIDE),
    ("GET /api/v1/versions/{id}", TENANT_WIDE),
    ("GET /api/v1/versions/{id}/diff", TENANT_WIDE),
    ("POST /api/v1/versions/{id}/deploy", TENANT_WIDE),
];

/// A server function's form: field → value, with `{placeholders}` for the owner's objects.
pub(super) type Form = &'static [(&'static str, &'static str)];

/// Server functions that take the id (or code) of one of the owner's objects: 404 `not_found`.
/// `true`: also for the owner's own merchant in the other environment.
pub(super) const SFN_BY_ID: &[(&str, Form, bool)] = &[
    ("products/get", &[("id", "{product}")], true),
    ("products/update", &[("id", "{product}"), ("name", "pwned"), ("description", "")], true),
    ("products/archive", &[("id", "{product}"), ("archived", "true")], true),
    ("prices/archive", &[("id", "{price}"), ("archived", "true")], true),
    ("prices/live", &[("id", "{price}"), ("live_stripe_price_id", "price_pwned")], true),
    ("methods/get", &[("id", "{method}")], true),
    (
        "methods/update",
        &[
            ("id", "{method}"),
            ("name", "pwned"),
            ("slug", "pwned"),
            ("success_url", "https://x.test/ok"),
            ("cancel_url", "https://x.test/no"),
            ("signup_url", "https://x.test/join"),
        ],
        true,
    ),
    ("methods/archive", &[("id", "{method}"), ("archived", "true")], true),
    ("methods/workflow/save", &[("id", "{method}"), ("code", "export default async function () { return { success: true }; }")], true),
    ("methods/workflow/restore", &[("id", "{method}"), ("version", "1")], true),
    ("methods/workflow/test", &[("id", "{method}"), ("offer_id", "{offer}"), ("identity", "user"), ("identifier", "x@y.test")], true),
    ("offers/get", &[("id", "{offer}")], true),
    (
        "offers/update",
        &[
            ("id", "{offer}"),
            ("name", "pwned"),
            ("method_id", "{method}"),
            ("price_ids[0]", "{price}"),
            ("title", "pwned"),
            ("price_label", ""),
            ("description", ""),
            ("instructions", ""),
            ("valid_from", ""),
            ("valid_until", ""),
            ("audience", "all"),
        ],
        true,
    ),
    ("offers/archive", &[("id", "{offer}"), ("archived", "true")], true),
    ("offers/stats", &[("id", "{offer}"), ("days", "7")], true),
    ("offers/rates", &[("id", "{offer}")], true),
    ("offers/rates/create", &[("offer_id", "{offer}"), ("name", "pwned"), ("price_ids[0]", "{price}")], true),
    ("schemas/get", &[("id", "{schema}")], true),
    ("schemas/save", &[("id", "{schema}"), ("name", "pwned"), ("offer_slots", "primary")], true),
    ("schemas/delete", &[("id", "{schema}")], true),
    ("experiences/get", &[("id", "{experience}"), ("kind", ""), ("schema_id", "")], true),
    ("experiences/save", &[("id", "{experience}"), ("name", "pwned"), ("kind", "html"), ("schema_id", ""), ("html", "<p>pwned</p>")], true),
    ("experiences/arrange", &[("id", "{experience}"), ("slot", "primary"), ("offer_id", "{offer}"), ("op", "remove")], true),
    ("experiences/delete", &[("id", "{experience}")], true),
    ("surfaces/get", &[("id", "{surface}")], true),
    ("surfaces/save", &[("id", "{surface}"), ("name", "pwned"), ("slug", "pwned")], true),
    ("surfaces/delete", &[("id", "{surface}")], true),
    ("events/get", &[("id", "{event}")], true),
    ("coupons/get", &[("code", "{code}")], true),
    ("coupons/archive", &[("code", "{code}")], true),
    ("batches/get", &[("id", "{batch}")], true),
    ("campaigns/page", &[("name", "{campaign}")], true),
    ("analytics/offer", &[("id", "{offer}")], true),
    ("webhooks/endpoint", &[("id", "{endpoint}")], true),
    ("webhooks/status", &[("id", "{endpoint}"), ("status", "disabled")], true),
    ("webhooks/delete", &[("id", "{endpoint}")], true),
    ("webhooks/resend", &[("id", "{delivery}")], true),
    ("api_keys/revoke", &[("id", "{key}")], true),
    ("checkout/get", &[("id", "{checkout}")], true),
    ("checkout/expire", &[("id", "{checkout}")], true),
    ("signups/get", &[("id", "{cart}")], true),
    ("discounts/get", &[("id", "{rule}")], true),
    ("discounts/delete", &[("id", "{rule}")], true),
    // The owner may of course switch to the owner's tenant.
    ("switch_tenant", &[("tenant_id", "{tenant}")], false),
];

/// Server functions that read the caller's environment (or its session): the answer never holds
/// one of the owner's ids. A filter naming the owner's object finds nothing.
pub(super) const SFN_LISTS: &[(&str, Form)] = &[
    ("products/list", &[]),
    ("products/count", &[]),
    ("prices/list", &[("product_id", "{product}")]),
    ("methods/list", &[]),
    ("offers/list", &[]),
    ("offers/form", &[]),
    ("schemas/list", &[]),
    ("experiences/list", &[]),
    ("surfaces/list", &[]),
    ("events/list", &[("event_type", ""), ("status", ""), ("offer_id", "{offer}"), ("identity", ""), ("from", ""), ("to", ""), ("after", "")]),
    ("coupons/page", &[]),
    ("coupons/time_zone", &[]),
    ("campaigns/list", &[]),
    ("analytics/coupons", &[]),
    ("webhooks/page", &[]),
    ("api_keys/page", &[]),
    ("api_keys/allowed_origins", &[]),
    ("checkout/page", &[]),
    ("signups/page", &[]),
    ("discounts/list", &[]),
    ("integrations/stripe", &[]),
    ("session", &[]),
];

/// Server functions whose form names the owner's objects without being about one of them:
/// refused with the status and code given.
pub(super) const SFN_REFERENCES: &[(&str, Form, u16, &str)] = &[
    (
        "prices/create",
        &[("product_id", "{product}"), ("currency", "gbp"), ("amount", "1"), ("interval", ""), ("stripe_price_id", "price_pwned")],
        400,
        "validation_failed",
    ),
    (
        "offers/create",
        &[
            ("name", "X"),
            ("method_id", "{method}"),
            ("price_ids[0]", "{price}"),
            ("title", "X"),
            ("price_label", ""),
            ("description", ""),
            ("instructions", ""),
            ("valid_from", ""),
            ("valid_until", ""),
            ("audience", "all"),
        ],
        400,
        "validation_failed",
    ),
    ("experiences/get", &[("id", "new"), ("kind", "app"), ("schema_id", "{schema}")], 404, "not_found"),
    ("experiences/save", &[("id", ""), ("name", "X"), ("kind", "app"), ("schema_id", "{schema}")], 404, "not_found"),
    ("experiences/arrange", &[("id", "{own_experience}"), ("slot", "primary"), ("offer_id", "{offer}"), ("op", "add")], 400, "validation_failed"),
    (
        "surfaces/save",
        &[("id", ""), ("name", "X"), ("slug", "x"), ("slot_keys[0]", "main"), ("slot_facets[0]", "web"), ("slot_experiences[0]", "{experience}")],
        400,
        "validation_failed",
    ),
];

/// Operator functions, some naming the owner's tenant or users: 403 `forbidden` for any merchant.
pub(super) const SFN_ADMIN: &[(&str, Form)] = &[
    ("admin/tenants", &[]),
    ("admin/tenants/create", &[("name", "Mine")]),
    ("admin/tenants/rename", &[("id", "{tenant}"), ("name", "pwned")]),
    ("admin/tenants/suspend", &[("id", "{tenant}"), ("suspended", "true")]),
    ("admin/users", &[]),
    ("admin/users/create", &[("email", "x@pwned.test"), ("password", "long-enough-pw"), ("tenant_id", "{tenant}"), ("role", "merchant")]),
    ("admin/users/password", &[("user_id", "{owner_user}"), ("password", "long-enough-pw")]),
    ("admin/users/active", &[("user_id", "{owner_user}"), ("active", "false")]),
    ("admin/users/membership", &[("user_id", "{caller_user}"), ("tenant_id", "{tenant}"), ("role", "merchant")]),
];

/// Server functions that are not walked, and why.
pub(super) const SFN_EXEMPT: &[(&str, &str)] = &[
    ("login", "takes credentials, not an id; sign-in and throttling are in auth"),
    ("versions/page", TENANT_WIDE),
    ("versions/create", TENANT_WIDE),
    ("versions/get", TENANT_WIDE),
    ("versions/deploy", TENANT_WIDE),
    ("logout", "ends the caller's own session"),
    ("admin_exists", "one platform-wide yes or no, the same for everyone"),
    ("switch_environment", "switches the caller's own session; the walk uses it to reach live"),
    ("tenant/time_zone", "a setting of the caller's own tenant (tenant-wide: no id, no environment)"),
    ("tenant/token_ttl", "a setting of the caller's own tenant (tenant-wide: no id, no environment)"),
    ("tenant/signup_defaults", "a setting of the caller's own tenant (tenant-wide: no id, no environment)"),
    ("products/create", "creates in the caller's environment; names nothing of anyone else's"),
    ("methods/create", "creates in the caller's environment; names nothing of anyone else's"),
    ("coupons/create", "creates in the caller's environment; a code is unique per environment only"),
    ("batches/create", "creates in the caller's environment; codes are unique per environment only (API twin walked as own scope)"),
    ("webhooks/create", "creates in the caller's environment; names nothing of anyone else's"),
    ("api_keys/create", "creates a key of the caller's tenant and environment"),
    ("api_keys/allowed_origins/save", "replaces the allowed origins of the caller's own tenant and environment"),
    ("discounts/create", "creates in the caller's environment; names nothing of anyone else's"),
    ("discounts/try", "evaluates the caller's environment's rules; a customer id of another tenant has no checkouts here"),
    ("api_keys/redirect_secret", "creates or rotates the redirect signing secret of the caller's own tenant and environment"),
    ("integrations/stripe/save", "writes the caller's environment's integration (no id); API twin walked as own scope"),
    ("integrations/stripe/remove", "removes the caller's environment's integration (no id); API twin walked as own scope"),
    ("integrations/stripe/test", "tests the caller's environment's integration (no id); API twin walked as a singleton"),
];
