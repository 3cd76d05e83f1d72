//! Checkout sessions (API.md §10, Creem's fields in camelCase): the wire types of
//! `/api/v1/checkout-sessions`, the rules of a new session that need no database (units,
//! customer, metadata, URLs, modes), and the dashboard's session page.
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CheckoutStatus {
    Pending,
    Completed,
    Expired,
}

wire_names!(CheckoutStatus { Pending => "pending", Completed => "completed", Expired => "expired" });

/// `hosted`: Stripe's Checkout page; `custom`: the merchant's own page with Stripe.js
/// (Elements), which gets a `clientSecret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum UiMode {
    #[default]
    Hosted,
    Custom,
}

wire_names!(UiMode { Hosted => "hosted", Custom => "custom" });

/// `server_only`: discounts change only through offerdeck's discount endpoints (API.md §11);
/// needs `uiMode: "custom"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscountUpdates {
    #[default]
    None,
    ServerOnly,
}

wire_names!(DiscountUpdates { None => "none", ServerOnly => "server_only" });

/// Exactly one of `email` (locked on the Checkout page) or `id` (a Stripe customer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutCustomerInput {
    #[cfg_attr(feature = "ssr", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
    /// A Stripe customer id, `cus_…`.
    #[cfg_attr(feature = "ssr", schema(pattern = "^cus_[A-Za-z0-9]{1,100}$"))]
    pub id: Option<String>,
}

/// Body of `POST /api/v1/checkout-sessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutSessionCreate {
    /// `prod_…`
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64))]
    pub product_id: String,
    /// `price_…` of the product; required when it has more than one active price.
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub price_id: Option<String>,
    /// Quantity of the line item, 1–1000 (default 1).
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 1000))]
    pub units: Option<i64>,
    /// The merchant's own reference (an order id), carried to every later webhook.
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 255))]
    pub request_id: Option<String>,
    pub customer: Option<CheckoutCustomerInput>,
    /// A coupon code, checked like `POST /coupons/validate` and shown pre-applied.
    #[cfg_attr(feature = "ssr", schema(max_length = 64))]
    pub discount_code: Option<String>,
    /// Overrides the product's default (http or https).
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^https?://\\S{2,}$"))]
    pub success_url: Option<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 500, pattern = "^https?://\\S{2,}$"))]
    pub cancel_url: Option<String>,
    /// At most 50 keys of at most 40 characters; values are strings (≤ 500 characters),
    /// numbers or booleans.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub metadata: Option<Map<String, Value>>,
    pub ui_mode: Option<UiMode>,
    pub discount_updates: Option<DiscountUpdates>,
}

/// The locked email, or the Stripe customer, of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckoutCustomer {
    pub email: Option<String>,
    pub stripe_customer_id: Option<String>,
}

/// The discount now on a session: a coupon code or a discount rule (API.md §11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckoutDiscount {
    /// `code` or `rule`.
    pub source: String,
    pub code: Option<String>,
    /// `drl_…` for a rule.
    pub rule_id: Option<String>,
    pub amount: i64,
}

resource! {
    /// A checkout session: one payment or subscription sign-up of one buyer, on Stripe Checkout.
    pub struct CheckoutSession {
        /// `cs_…`
        pub id: String,
        pub status: CheckoutStatus,
        /// Stripe's Checkout page (hosted mode; `null` in custom mode).
        pub checkout_url: Option<String>,
        pub request_id: Option<String>,
        pub product_id: String,
        pub price_id: String,
        pub units: i64,
        /// `payment` or `subscription` (the price has an interval).
        pub mode: String,
        pub customer: CheckoutCustomer,
        pub discount_code: Option<String>,
        pub success_url: String,
        pub cancel_url: String,
        #[cfg_attr(feature = "ssr", schema(value_type = Object))]
        pub metadata: Map<String, Value>,
        pub ui_mode: UiMode,
        pub discount_updates: DiscountUpdates,
        /// For Stripe.js in custom mode only; `null` otherwise.
        pub client_secret: Option<String>,
        /// The integration's publishable key for Stripe.js (custom mode; `null` otherwise).
        pub publishable_key: Option<String>,
        pub stripe_checkout_session_id: Option<String>,
        pub stripe_subscription_id: Option<String>,
        pub amount_subtotal: i64,
        pub amount_discount: i64,
        pub amount_total: i64,
        pub currency: String,
        pub discount: Option<CheckoutDiscount>,
        /// RFC 3339, UTC
        pub expires_at: String,
        /// RFC 3339, UTC
        pub completed_at: Option<String>,
    }
}

/// One entry of a session's timeline: what happened and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CheckoutTimelineEntry {
    /// `created`, `completed`, `expired`, `discount`, `webhook`, `stripe_event` or `return`.
    pub kind: String,
    pub detail: String,
    /// RFC 3339, UTC
    pub created_at: String,
}

/// The dashboard's page of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutSessionDetail {
    pub session: CheckoutSession,
    pub timeline: Vec<CheckoutTimelineEntry>,
    pub discounts: Vec<super::DiscountApplication>,
    pub product_name: String,
    pub price_display: String,
    pub time_zone: String,
}

pub const METADATA_MAX_KEYS: usize = 50;
pub const METADATA_KEY_MAX: usize = 40;
pub const METADATA_VALUE_MAX: usize = 500;
pub const UNITS_MAX: i64 = 1000;
pub const REQUEST_ID_MAX: usize = 255;

/// Creem's metadata rules: at most 50 keys of 1–40 characters; strings of at most 500
/// characters, numbers or booleans.
pub fn validate_metadata(m: &Map<String, Value>, e: &mut FieldErrors) {
    if m.len() > METADATA_MAX_KEYS {
        e.add("metadata", format!("must have at most {METADATA_MAX_KEYS} keys"));
        return;
    }
    for (k, v) in m {
        let n = k.chars().count();
        if n == 0 || n > METADATA_KEY_MAX {
            e.add("metadata", format!("keys must be 1 to {METADATA_KEY_MAX} characters (\"{}\" is not)", k.chars().take(50).collect::<String>()));
            return;
        }
        let ok = match v {
            Value::String(s) => s.chars().count() <= METADATA_VALUE_MAX,
            Value::Number(_) | Value::Bool(_) => true,
            _ => false,
        };
        if !ok {
            e.add("metadata", format!("the value of \"{k}\" must be a string of at most {METADATA_VALUE_MAX} characters, a number or a boolean"));
            return;
        }
    }
}

/// A plausible email address (one `@`, something on each side, a dot in the domain, no spaces).
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_rules() {
        let check = |v: Value| {
            let mut e = FieldErrors::new();
            validate_metadata(v.as_object().unwrap(), &mut e);
            e.get("metadata").cloned()
        };
        assert_eq!(check(json!({"userId": "user_123", "visitCount": 42, "vip": true})), None);
        assert!(check(json!({"nested": {"a": 1}})).is_some());
        assert!(check(json!({"list": [1]})).is_some());
        assert!(check(json!({"n": null})).is_some());
        assert!(check(json!({"long": "x".repeat(501)})).is_some());
        assert_eq!(check(json!({"ok": "x".repeat(500)})), None);
        assert!(check(json!({"k".repeat(41): 1})).is_some());
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(check(Value::Object(many)).is_some());
    }

    #[test]
    fn emails() {
        assert!(plausible_email("buyer@example.com"));
        assert!(!plausible_email("buyer@") && !plausible_email("buyer example.com") && !plausible_email("a@b@c.d"));
    }
}
