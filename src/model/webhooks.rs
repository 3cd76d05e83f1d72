//! Outgoing webhooks: endpoints, the event types they subscribe to, deliveries and attempts, the
//! rules for endpoint URLs and events, and what the webhook pages show.
use super::Environment;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// Every event type an endpoint can subscribe to (API.md §8).
pub const WEBHOOK_EVENT_TYPES: &[&str] =
    &["offer.redeemed", "coupon.redeemed", "checkout.completed", "checkout.expired", "subscription.created", "subscription.cancelled", "signup.finalized"];

resource! {
    pub struct WebhookEndpoint {
        /// `whe_…`
        pub id: String,
        pub url: String,
        pub description: String,
        pub events: Vec<String>,
        /// `enabled` or `disabled`.
        pub status: String,
        /// Only in the answer to the create call: `whsec_…`, shown once.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub secret: Option<String>,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointInput {
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[!-~]*)?$"))]
    pub url: String,
    pub events: Vec<String>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub description: Option<String>,
}

/// `PATCH /api/v1/webhook-endpoints/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookEndpointUpdate {
    #[cfg_attr(feature = "ssr", schema(max_length = 2000, pattern = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[!-~]*)?$"))]
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub description: Option<String>,
    /// `enabled` or `disabled`.
    #[cfg_attr(feature = "ssr", schema(pattern = "^(enabled|disabled)$"))]
    pub status: Option<String>,
}

/// Checks a webhook URL: http(s) with a host; live endpoints need https.
pub fn validate_webhook_url(url: &str, env: Environment, e: &mut FieldErrors) {
    let u = url.trim();
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match rest {
        None => e.add("url", "must start with https:// (or http:// in preview)"),
        Some(r) if r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace) => e.add("url", "must name a host"),
        Some(_) if u.len() > 2000 => e.add("url", "must be at most 2000 characters"),
        Some(_) if env == Environment::Live && !u.starts_with("https://") => e.add("url", "must use https:// in live mode"),
        Some(_) => {}
    }
}

pub fn validate_webhook_events(events: &[String], e: &mut FieldErrors) {
    if events.is_empty() {
        e.add("events", "choose at least one event type");
    } else if let Some(bad) = events.iter().find(|t| !WEBHOOK_EVENT_TYPES.contains(&t.as_str())) {
        e.add("events", format!("has an unknown type {bad}: use {}", WEBHOOK_EVENT_TYPES.join(", ")));
    }
}

/// A delivery is `pending` until it is `delivered` (a 2xx answer) or `failed` (given up after
/// 24 hours, or its endpoint is gone or disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WebhookDeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

wire_names!(WebhookDeliveryStatus { Pending => "pending", Delivered => "delivered", Failed => "failed" });

/// One delivery of one message to one endpoint, with its latest outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// `whd_…`
    pub id: String,
    /// The message id (`evt_…`), also the `webhook-id` header.
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub status: WebhookDeliveryStatus,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub attempted_at: String,
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub response_excerpt: Option<String>,
}

/// Settings → Webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksData {
    pub endpoints: Vec<WebhookEndpoint>,
    /// The secrets of the endpoints just created, shown once, oldest first.
    pub new_secrets: Vec<String>,
}

/// One endpoint's page: the endpoint and its delivery log (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpointDetail {
    pub endpoint: WebhookEndpoint,
    pub deliveries: Vec<WebhookDelivery>,
    /// Attempts of the deliveries shown, by delivery id.
    pub attempts: Vec<(String, Vec<WebhookAttempt>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_and_events() {
        let mut e = FieldErrors::new();
        validate_webhook_url("http://127.0.0.1:9000/hook", Environment::Preview, &mut e);
        assert!(e.is_empty());
        validate_webhook_url("http://example.com/hook", Environment::Live, &mut e);
        assert!(e.get("url").is_some());
        let mut e = FieldErrors::new();
        validate_webhook_events(&["coupon.redeemed".into(), "nope".into()], &mut e);
        assert!(e.get("events").unwrap().contains("nope"));
    }
}
