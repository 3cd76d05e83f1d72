//! Who is calling and what they may do. An `Actor` is a dashboard user (through the session),
//! an API key or the command line; it carries the tenant/environment it works in and its role.
//! Services call `actor.authorize(Permission::…)`, which is the only way to obtain the
//! [`Scoped`] value that `db::` takes for tenant-owned rows.
pub mod keys;
pub mod password;
mod scope;
pub mod session_store;

pub use scope::{Scoped, Trust};

use crate::error::{AppError, AppResult};
use crate::model::{Environment, Role};

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
    /// The runtime endpoints a browser calls with a publishable key (decisions, coupon checks).
    Runtime,
}

#[derive(Debug, Clone)]
pub struct Actor {
    principal: Principal,
    scope: Option<Scoped>,
    role: Option<Role>,
}

impl Actor {
    pub fn cli() -> Self {
        Actor { principal: Principal::Cli, scope: None, role: None }
    }

    /// The operator on the host (command line, test harness) acting inside one tenant and
    /// environment. Nothing that serves a request may call it.
    pub fn operator_in(tenant_id: &str, env: Environment) -> Self {
        Actor { principal: Principal::Cli, scope: Some(Scoped::trusted(tenant_id, env, Trust::Operator)), role: None }
    }

    pub fn api_key(key_id: String, kind: KeyKind, scope: Scoped) -> Self {
        Actor { principal: Principal::ApiKey { key_id, kind }, scope: Some(scope), role: None }
    }

    /// A signed-in user, with the tenant membership the session works in (if any).
    pub fn user(user_id: String, email: String, is_admin: bool, membership: Option<(Scoped, Role)>) -> Self {
        let (scope, role) = membership.map_or((None, None), |(s, r)| (Some(s), Some(r)));
        Actor { principal: Principal::User { user_id, email, is_admin }, scope, role }
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    pub fn environment(&self) -> Option<Environment> {
        self.scope.as_ref().map(|s| s.env())
    }

    /// The tenant this actor works in, for display (no data access: use [`Actor::authorize`]).
    pub fn tenant_id(&self) -> Option<&str> {
        self.scope.as_ref().map(|s| s.tenant_id())
    }

    /// Checks `p` and hands out the tenant and environment to work in: the one way to get the
    /// [`Scoped`] that `db::` needs. Forbidden when the actor may not, or has no tenant.
    pub fn authorize(&self, p: Permission) -> AppResult<&Scoped> {
        self.require(p)?;
        self.scope.as_ref().ok_or_else(|| AppError::new(crate::error::ErrorCode::Forbidden, "choose a tenant first: you are not a member of any active tenant"))
    }

    pub fn may(&self, p: Permission) -> bool {
        match (&self.principal, p) {
            (Principal::Cli, _) => true,
            (_, Permission::Runtime) => self.is_publishable() || self.may(Permission::TenantRead),
            (Principal::User { is_admin, .. }, Permission::PlatformAdmin) => *is_admin,
            (Principal::User { .. }, Permission::TenantRead) => self.scope.is_some() && self.role.is_some(),
            (Principal::User { .. }, Permission::TenantWrite | Permission::ManageSecrets) => self.scope.is_some() && self.role == Some(Role::Merchant),
            (Principal::ApiKey { .. }, Permission::PlatformAdmin) => false,
            (Principal::ApiKey { kind, .. }, _) => *kind == KeyKind::Secret,
        }
    }

    /// Any API key (secret or publishable), as opposed to a signed-in user or the operator.
    pub fn is_api_key(&self) -> bool {
        matches!(self.principal, Principal::ApiKey { .. })
    }

    /// A publishable (browser) key: only the endpoints the contract marks publishable.
    pub fn is_publishable(&self) -> bool {
        matches!(self.principal, Principal::ApiKey { kind: KeyKind::Publishable, .. })
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
        Actor::user("u".into(), "e".into(), admin, role.map(|r| (Scoped::trusted("t", Environment::Preview, Trust::StoredRow), r)))
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
        let scope = Scoped::trusted("t", Environment::Live, Trust::StoredRow);
        assert!(!Actor::api_key("k".into(), KeyKind::Publishable, scope.clone()).may(Permission::TenantWrite));
        assert!(Actor::api_key("k".into(), KeyKind::Secret, scope).may(Permission::TenantWrite));
    }
}
