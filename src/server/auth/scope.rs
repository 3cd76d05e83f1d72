//! `Scoped`: the tenant and environment a call works in. Only authorization mints one
//! (`Actor::authorize`), and every `db::` function over tenant-owned rows takes one, so a query
//! that forgets the tenant cannot be written. The few code paths that learn the tenant another
//! way (a verified API key, a claimed webhook delivery, a signed Stripe event, a tenant being
//! created) use [`Scoped::trusted`], which names the reason.
use crate::model::Environment;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scoped {
    tenant_id: String,
    env: Environment,
}

/// Why a scope was made without an actor's authorization: each is a deliberately unscoped path
/// (see `db::platform` and `db::worker`) that established the tenant itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Read from a row that an unscoped lookup found: an API key by its hash, an integration
    /// by its id (signature checked), a delivery claimed by the dispatcher.
    StoredRow,
    /// A tenant the platform admin or the command line is creating right now.
    NewTenant,
    /// The operator on the host: the command line, or the test harness.
    Operator,
    /// A node refreshing its in-memory configuration after a change notification.
    Notification,
}

impl Scoped {
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    pub fn env(&self) -> Environment {
        self.env
    }

    /// The same tenant in `env`: for versions alone, whose configuration crosses from preview
    /// (frozen there) to live (deployed there) under one authorization.
    pub fn tenant_wide(&self, env: Environment) -> Scoped {
        Scoped { tenant_id: self.tenant_id.clone(), env }
    }

    /// A scope for code that is not serving an actor; `why` says how the tenant was established.
    pub(crate) fn trusted(tenant_id: impl Into<String>, env: Environment, why: Trust) -> Scoped {
        let _ = why;
        Scoped { tenant_id: tenant_id.into(), env }
    }
}

#[cfg(test)]
mod tests {
    /// `Scoped::trusted` is the way around authorization; it may only appear where a reviewer
    /// expects it. A new caller has to be added here, on purpose.
    #[test]
    fn trusted_scopes_are_made_only_in_the_known_places() {
        let allowed = [
            "src/server/auth/mod.rs",
            "src/server/auth/scope.rs",
            "src/server/db/platform/keys.rs",
            "src/server/db/worker/stripe_events.rs",
            "src/server/db/worker/checkout.rs",
            "src/server/db/worker/mod.rs",
            "src/server/services/auth.rs",
            "src/server/services/tenants.rs",
            "src/server/snapshot.rs",
        ];
        let mut offenders = Vec::new();
        let mut operators = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Unit tests may make the scopes they test with.
                    let text = text.split("#[cfg(test)]").next().unwrap_or("");
                    let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_string_lossy().replace('\\', "/");
                    let rel = rel.trim_start_matches('/').to_string();
                    if text.contains("Scoped::trusted(") && !allowed.contains(&rel.as_str()) {
                        offenders.push(rel.clone());
                    }
                    if text.contains("Actor::operator_in(") && rel != "src/server/cli.rs" {
                        operators.push(rel);
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "Scoped::trusted used outside the unscoped modules: {offenders:?}");
        assert!(operators.is_empty(), "Actor::operator_in is for the command line and tests only: {operators:?}");
    }
}
