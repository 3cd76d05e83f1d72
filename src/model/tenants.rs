//! Tenants and environments: who the signed-in user is, which tenant and environment they act in
//! (`preview`/`live`), their role there, and the platform admin's view of a tenant.
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// Stripe-style modes: `preview` objects never see `live` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Preview,
    Live,
}

wire_names!(Environment { Preview => "preview", Live => "live" });

impl Environment {
    /// The key infix Stripe uses for the mode: `sk_test_…` / `sk_live_…`.
    pub fn key_infix(self) -> &'static str {
        match self {
            Environment::Preview => "test",
            Environment::Live => "live",
        }
    }
}

/// A user's role inside one tenant. Platform admins are a flag on the user, not a tenant role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Merchant,
    Marketer,
}

wire_names!(Role { Merchant => "merchant", Marketer => "marketer" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantChoice {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// IANA time zone the tenant types and reads times in.
    pub time_zone: String,
    /// How long an offer token handed out by a surface decision stays redeemable.
    pub offer_token_ttl_minutes: i64,
    /// A sign-up cart's bill group when its request leaves it out: invoices emailed, the balance
    /// charged automatically (else Stripe sends the invoice), days an invoice is due in.
    pub signup_auto_email_invoice: bool,
    pub signup_collect_automatically: bool,
    pub signup_days_until_due: i64,
}

/// What the shell needs to know about the signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: String,
    pub email: String,
    pub is_admin: bool,
    pub tenants: Vec<TenantChoice>,
    pub current_tenant: Option<TenantChoice>,
    pub environment: Environment,
    /// The version live runs (`None` until one has been deployed): once there is one, live's
    /// configuration pages are read-only.
    #[serde(default)]
    pub live_version: Option<super::LiveVersion>,
}

impl SessionInfo {
    pub fn can_edit(&self) -> bool {
        matches!(self.current_tenant.as_ref().map(|t| t.role), Some(Role::Merchant))
    }

    /// Whether the configuration objects a version carries are read-only here: in live, once
    /// a version has been deployed there.
    pub fn config_locked(&self) -> bool {
        self.environment == Environment::Live && self.live_version.is_some()
    }
}

/// A suspended tenant's users and keys lose access at once; its data stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    Suspended,
}

wire_names!(TenantStatus { Active => "active", Suspended => "suspended" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantView {
    pub id: String,
    pub name: String,
    pub status: TenantStatus,
    pub created_at: String,
}

pub fn validate_tenant_name(name: &str, errors: &mut FieldErrors) {
    let n = name.trim();
    if n.is_empty() {
        errors.add("name", "is required");
    } else if n.chars().count() > 120 {
        errors.add("name", "must be at most 120 characters");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_round_trip() {
        for e in [Environment::Preview, Environment::Live] {
            assert_eq!(Environment::parse(e.as_str()), Some(e));
        }
        assert_eq!(Environment::Preview.key_infix(), "test");
        assert_eq!(Environment::parse("test"), None);
    }
}
