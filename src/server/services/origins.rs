//! CORS for the publishable-key endpoints (API.md §13): the origins each environment allows
//! (exact `scheme://host[:port]`, no wildcards), and the answers to a browser — a preflight
//! succeeds for a publishable endpoint and an origin some environment allows; the request itself
//! gets `Access-Control-Allow-Origin` only when its key's environment allows the origin, and is
//! refused otherwise. Secret-key endpoints never answer CORS.
use crate::error::{AppError, AppResult};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit};

/// The most origins an environment allows.
pub const MAX_ORIGINS: usize = 20;

/// The paths (under `/api/v1`, and `/signup…` under `/api/selfService`, whose ESTIMATE is
/// publishable) a publishable key may call from a browser.
pub fn is_publishable_path(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    if matches!(p, "/surface-decisions" | "/coupons/validate" | "/signup") {
        return true;
    }
    if let Some(id) = p.strip_prefix("/signup/") {
        return id.starts_with("cart_") && !id.contains('/');
    }
    let Some(rest) = p.strip_prefix("/checkout-sessions/") else { return false };
    matches!(rest.split_once('/'), Some((id, "apply-discount-code" | "recompute-discounts" | "remove-discount")) if !id.is_empty() && !id.contains('/'))
}

/// An origin as browsers send it: `http(s)://host[:port]`, lower-cased, nothing else.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let t = text.trim();
    let uri: axum::http::Uri = t.parse().map_err(|_| format!("{t} is not an origin"))?;
    let (Some(scheme), Some(auth)) = (uri.scheme_str(), uri.authority()) else { return Err(format!("{t} is not scheme://host[:port]")) };
    if !matches!(scheme, "http" | "https") {
        return Err(format!("{t}: only http and https origins"));
    }
    if t.contains('*') || auth.as_str().contains('@') || uri.path_and_query().is_some_and(|p| p.as_str() != "/" && !p.as_str().is_empty()) || t.ends_with('/') {
        return Err(format!("{t}: an origin is exactly scheme://host[:port] (no path, no wildcard)"));
    }
    Ok(format!("{scheme}://{}", auth.as_str().to_lowercase()))
}

pub async fn get(state: &AppState, actor: &Actor) -> AppResult<Vec<String>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(db::origins::list(&state.db.pool, scope).await?)
}

/// Replaces the environment's allowed origins (deduplicated, sorted).
pub async fn put(state: &AppState, actor: &Actor, origins: &[String]) -> AppResult<Vec<String>> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    if origins.len() > MAX_ORIGINS {
        return Err(AppError::field("allowedOrigins", format!("at most {MAX_ORIGINS} origins")));
    }
    let mut clean = Vec::new();
    for o in origins.iter().filter(|o| !o.trim().is_empty()) {
        clean.push(parse_origin(o).map_err(|m| AppError::field("allowedOrigins", m))?);
    }
    clean.sort();
    clean.dedup();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    db::origins::replace(&mut tx, scope, &clean, now).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "allowed_origins.set", "tenant", scope.tenant_id()).details(clean.join(" ")), now).await?;
    tx.commit().await?;
    Ok(clean)
}

/// Whether a preflight from `origin` is answered: some environment allows it.
pub async fn preflight_allowed(state: &AppState, origin: &str) -> bool {
    let Ok(origin) = parse_origin(origin) else { return false };
    db::worker::origins::allowed_anywhere(&state.db.pool, &origin).await.unwrap_or(false)
}

/// Whether `scope` allows `origin` (a request's own check).
pub async fn allows(state: &AppState, scope: &Scoped, origin: &str) -> AppResult<bool> {
    let Ok(origin) = parse_origin(origin) else { return Ok(false) };
    Ok(db::origins::allows(&state.db.pool, scope, &origin).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_paths() {
        assert_eq!(parse_origin("https://Shop.Example").as_deref(), Ok("https://shop.example"));
        assert_eq!(parse_origin("http://127.0.0.1:8080").as_deref(), Ok("http://127.0.0.1:8080"));
        for bad in ["https://*.shop.example", "https://shop.example/path", "shop.example", "ftp://x.test", "https://u@x.test", "https://x.test/", "null"] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        assert!(is_publishable_path("/surface-decisions") && is_publishable_path("/coupons/validate"));
        assert!(is_publishable_path("/checkout-sessions/cs_1/apply-discount-code"));
        assert!(!is_publishable_path("/checkout-sessions") && !is_publishable_path("/coupons") && !is_publishable_path("/checkout-sessions/cs_1/expire"));
    }
}
