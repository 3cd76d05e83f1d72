//! API keys: their kinds (secret or publishable) and the keys as the dashboard lists them (never
//! the secret itself).
use super::Environment;
use serde::{Deserialize, Serialize};

/// A secret key (`sk_…`) is the merchant's server; a publishable key (`pk_…`) may sit in a
/// browser and reaches only the endpoints marked publishable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Secret,
    Publishable,
}

wire_names!(KeyKind { Secret => "secret", Publishable => "publishable" });

impl KeyKind {
    /// The key text's prefix: `sk_…` / `pk_…`.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Secret => "sk",
            KeyKind::Publishable => "pk",
        }
    }
}

/// An API key as listed: the secret itself is never stored, only its keyed hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub kind: KeyKind,
    pub environment: Environment,
    pub last4: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// The API keys page: the keys of the current tenant and environment, and the keys that were
/// just created (their full text is shown exactly once), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyList {
    pub keys: Vec<ApiKeyView>,
    pub new_keys: Vec<String>,
    /// Whether the environment has a redirect signing secret (checkout redirects are signed).
    pub redirect_secret_set: bool,
    /// Redirect signing secrets created since the last view (shown once).
    pub new_redirect_secrets: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_kinds_round_trip() {
        for k in [KeyKind::Secret, KeyKind::Publishable] {
            assert_eq!(KeyKind::parse(k.as_str()), Some(k));
        }
        assert_eq!((KeyKind::Secret.prefix(), KeyKind::Publishable.prefix()), ("sk", "pk"));
        assert_eq!(KeyKind::parse("sk"), None);
    }
}
