//! Who is calling and what they may do. An `Actor` is either a dashboard user (through the
//! session) or an API key; it carries the tenant/environment scope and the role. Services call
//! `actor.require(..)` and `actor.scope()` before they touch data.
pub mod keys;
pub mod password;
pub mod session_store;

use crate::error::{AppError, AppResult};
use crate::model::{Environment, Role};
use crate::server::db::Scope;

/// Defined with the API key types (the dashboard lists keys by kind).
pub use crate::model::KeyKind;

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    User {
        user_id: String,
        email: String,
        is_admin: bool,
    },
    ApiKey {
        key_id: String,
        kind: KeyKind,
    },
    /// The command line (`offerdeck admin create`, `offerdeck tenant create`).
    Cli,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Lists, analytics, exports of the current tenant.
    TenantRead,
    /// Any change inside the current tenant.
    TenantWrite,
    /// API keys and integrations of the current tenant.
    ManageSecrets,
    /// Tenants and users of the whole platform.
    PlatformAdmin,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub scope: Option<Scope>,
    pub role: Option<Role>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor { principal: Principal::Cli, scope: None, role: None }
    }

    pub fn api_key(key_id: String, kind: KeyKind, scope: Scope) -> Self {
        Actor { principal: Principal::ApiKey { key_id, kind }, scope: Some(scope), role: None }
    }

    pub fn environment(&self) -> Option<Environment> {
        self.scope.as_ref().map(|s| s.env)
    }

    /// The tenant and environment this actor works in; a user without a tenant has none.
    pub fn scope(&self) -> AppResult<&Scope> {
        self.scope.as_ref().ok_or_else(|| AppError::new(crate::error::ErrorCode::Forbidden, "choose a tenant first: you are not a member of any active tenant"))
    }

    pub fn may(&self, p: Permission) -> bool {
        match (&self.principal, p) {
            (Principal::Cli, _) => true,
            (Principal::User { is_admin, .. }, Permission::PlatformAdmin) => *is_admin,
            (Principal::User { .. }, Permission::TenantRead) => self.scope.is_some() && self.role.is_some(),
            (Principal::User { .. }, Permission::TenantWrite | Permission::ManageSecrets) => self.scope.is_some() && self.role == Some(Role::Merchant),
            (Principal::ApiKey { .. }, Permission::PlatformAdmin) => false,
            (Principal::ApiKey { kind, .. }, _) => *kind == KeyKind::Secret,
        }
    }

    /// A publishable (browser) key: only the endpoints the contract marks publishable.
    pub fn is_publishable(&self) -> bool {
        matches!(self.principal, Principal::ApiKey { kind: KeyKind::Publishable, .. })
    }

    /// Reading runtime endpoints that a publishable key may call too (decisions, coupon checks).
    pub fn require_runtime_read(&self) -> AppResult<()> {
        if self.is_publishable() { Ok(()) } else { self.require(Permission::TenantRead) }
    }

    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.may(p) { Ok(()) } else { Err(AppError::forbidden()) }
    }

    /// How the audit log names this actor.
    pub fn label(&self) -> String {
        match &self.principal {
            Principal::User { user_id, .. } => format!("user:{user_id}"),
            Principal::ApiKey { key_id, .. } => format!("key:{key_id}"),
            Principal::Cli => "cli".into(),
        }
    }

    /// How people see this actor (workflow history): the user's email, or the key's id.
    pub fn display(&self) -> String {
        match &self.principal {
            Principal::User { email, .. } => email.clone(),
            Principal::ApiKey { key_id, .. } => format!("API key {key_id}"),
            Principal::Cli => "command line".into(),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { user_id, .. } => Some(user_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Option<Role>, admin: bool) -> Actor {
        Actor {
            principal: Principal::User { user_id: "u".into(), email: "e".into(), is_admin: admin },
            scope: role.map(|_| Scope { tenant_id: "t".into(), env: Environment::Preview }),
            role,
        }
    }

    #[test]
    fn roles() {
        let marketer = user(Some(Role::Marketer), false);
        assert!(marketer.may(Permission::TenantRead));
        assert!(!marketer.may(Permission::TenantWrite));
        assert!(!marketer.may(Permission::ManageSecrets));
        assert!(!marketer.may(Permission::PlatformAdmin));
        let merchant = user(Some(Role::Merchant), false);
        assert!(merchant.may(Permission::TenantWrite) && merchant.may(Permission::ManageSecrets));
        let admin = user(None, true);
        assert!(admin.may(Permission::PlatformAdmin));
        assert!(!admin.may(Permission::TenantRead), "an admin without membership sees no tenant data");
        let scope = Scope { tenant_id: "t".into(), env: Environment::Live };
        assert!(!Actor::api_key("k".into(), KeyKind::Publishable, scope.clone()).may(Permission::TenantWrite));
        assert!(Actor::api_key("k".into(), KeyKind::Secret, scope).may(Permission::TenantWrite));
    }
}
