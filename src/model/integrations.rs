//! The Stripe integration of an environment: what is shown of it, what `PUT` takes, and the rules
//! for Stripe keys and webhook signing secrets.
use super::Environment;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// The Stripe integration of one environment, as shown: the key masked, never in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripeIntegration {
    /// Used in the incoming webhook URL `/webhooks/stripe/{id}`.
    pub id: String,
    pub environment: Environment,
    /// e.g. `sk_test_…4242`
    pub secret_key: String,
    pub webhook_secret_set: bool,
    /// `pk_test_…` / `pk_live_…` for Stripe.js (custom-mode checkout sessions); `null` when not set.
    pub publishable_key: Option<String>,
    pub updated_at: String,
}

/// Body of `PUT /api/v1/integrations/stripe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StripeIntegrationInput {
    #[cfg_attr(feature = "ssr", schema(pattern = "^(sk|rk)_(test|live)_[A-Za-z0-9_]{12,247}$"))]
    pub secret_key: String,
    /// `whsec_…`; omitted or empty keeps the stored one.
    #[cfg_attr(feature = "ssr", schema(pattern = "^(whsec_[!-~]{4,249})?$"))]
    pub webhook_secret: Option<String>,
    /// Stripe's publishable key of the same account (`pk_test_…` in preview, `pk_live_…` in
    /// live), handed to Stripe.js with custom-mode checkout sessions; omitted keeps the stored
    /// one, empty clears it.
    #[cfg_attr(feature = "ssr", schema(pattern = "^((pk)_(test|live)_[A-Za-z0-9_]{12,247})?$"))]
    pub publishable_key: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StripeAccount {
    pub id: String,
    pub email: Option<String>,
    pub business_name: Option<String>,
    pub country: Option<String>,
}

/// A Stripe secret or restricted key must match the environment: test keys in preview, live keys in live.
pub fn validate_stripe_secret_key(key: &str, env: Environment, e: &mut FieldErrors) {
    let key = key.trim();
    let (test, live) = (["sk_test_", "rk_test_"], ["sk_live_", "rk_live_"]);
    let is_test = test.iter().any(|p| key.starts_with(p));
    let is_live = live.iter().any(|p| key.starts_with(p));
    if key.is_empty() {
        e.add("secretKey", "is required");
    } else if !is_test && !is_live {
        e.add("secretKey", "must be a Stripe secret key (sk_test_… or sk_live_…)");
    } else if env == Environment::Preview && is_live {
        e.add("secretKey", "is a live key; the preview environment takes a test key (sk_test_…)");
    } else if env == Environment::Live && is_test {
        e.add("secretKey", "is a test key; the live environment takes a live key (sk_live_…)");
    } else if key.len() < 20 || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        e.add("secretKey", "does not look like a Stripe key");
    }
}

/// A Stripe publishable key must match the environment like the secret key (empty: none).
pub fn validate_stripe_publishable_key(key: &str, env: Environment, e: &mut FieldErrors) {
    let key = key.trim();
    let want = if env == Environment::Live { "pk_live_" } else { "pk_test_" };
    if key.is_empty() {
        return;
    }
    if !key.starts_with("pk_test_") && !key.starts_with("pk_live_") {
        e.add("publishableKey", "must be a Stripe publishable key (pk_test_… or pk_live_…)");
    } else if !key.starts_with(want) {
        e.add("publishableKey", format!("the {} environment takes a {want}… key", env.as_str()));
    } else if key.len() < 20 || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        e.add("publishableKey", "does not look like a Stripe key");
    }
}

pub fn validate_webhook_secret(secret: &str, e: &mut FieldErrors) {
    let s = secret.trim();
    if !s.starts_with("whsec_") || s.len() < 10 || s.len() > 255 || s.contains(char::is_whitespace) {
        e.add("webhookSecret", "must be a Stripe webhook signing secret (whsec_…)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn keys_match_their_environment() {
        let check = |k: &str, env| {
            let mut e = FieldErrors::new();
            validate_stripe_secret_key(k, env, &mut e);
            e.into_result().err().map(|e| e.fields["secretKey"].clone())
        };
        assert_eq!(check("sk_test_51Habcdefghijklmnop", Environment::Preview), None);
        assert_eq!(check("sk_live_51Habcdefghijklmnop", Environment::Live), None);
        assert!(check("sk_live_51Habcdefghijklmnop", Environment::Preview).unwrap().contains("live key"));
        assert!(check("sk_test_51Habcdefghijklmnop", Environment::Live).unwrap().contains("test key"));
        assert!(check("pk_test_51Habcdefghijklmnop", Environment::Preview).is_some());
        assert!(check("", Environment::Preview).is_some());
    }
}
