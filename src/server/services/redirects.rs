//! The signed redirect of a checkout (API.md §10): each environment's redirect signing secret,
//! created and rotated by a merchant and shown once (encrypted at rest; the previous secret
//! keeps verifying for a day after a rotation), and the signature itself — hex HMAC-SHA256
//! keyed with the secret over the other parameters sorted by name and joined `k=v&k=v`.
use crate::error::AppResult;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit};
use crate::server::{AppState, secrets};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a replaced secret keeps verifying, so redirects already on their way still do.
pub const PREVIOUS_SECRET_GRACE_MS: i64 = 24 * 3600 * 1000;

fn context(scope: &Scoped) -> String {
    format!("redirect-signing-secret:{}:{}", scope.tenant_id(), scope.env().as_str())
}

/// Creates the environment's redirect signing secret, or replaces it, and returns it: `rss_`
/// and 64 hex digits. It is not shown again; a replaced one verifies for another day.
pub async fn rotate_secret(state: &AppState, actor: &Actor) -> AppResult<String> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let secret = format!("rss_{}", hex::encode(rand::random::<[u8; 32]>()));
    let enc = secrets::encrypt(&state.config.secret_key, &context(scope), &secret);
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    db::redirects::rotate(&mut *tx, scope, &enc, now + PREVIOUS_SECRET_GRACE_MS, now).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "redirect_signing_secret.rotated", "tenant", scope.tenant_id()), now).await?;
    tx.commit().await?;
    Ok(secret)
}

/// Whether the environment has a redirect signing secret yet (the Settings page says so).
pub async fn has_secret(state: &AppState, actor: &Actor) -> AppResult<bool> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    Ok(db::redirects::get(&state.db.pool, scope).await?.is_some())
}

/// The secrets a signature may be made with now: the current one first, then the previous one
/// while its day lasts. Empty before the first is created.
pub async fn secrets_now(state: &AppState, scope: &Scoped) -> AppResult<Vec<String>> {
    let Some(stored) = db::redirects::get(&state.db.pool, scope).await? else {
        return Ok(Vec::new());
    };
    let open = |enc: &str| secrets::decrypt(&state.config.secret_key, &context(scope), enc);
    let now = state.clock.now_ms();
    let previous = stored.previous.filter(|(_, until)| now < *until).and_then(|(enc, _)| open(&enc));
    Ok(open(&stored.secret_enc).into_iter().chain(previous).collect())
}

fn mac(secret: &str, params: &[(&str, &str)]) -> Hmac<Sha256> {
    let mut sorted = params.to_vec();
    sorted.sort();
    let message = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    mac
}

/// The `signature` parameter of a redirect carrying `params`.
pub fn sign(secret: &str, params: &[(&str, &str)]) -> String {
    hex::encode(mac(secret, params).finalize().into_bytes())
}

/// Whether `signature` signs `params` under one of `secrets` (compared in constant time).
pub fn verify(secrets: &[String], params: &[(&str, &str)], signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else {
        return false;
    };
    secrets.iter().any(|s| mac(s, params).verify_slice(&given).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_over_sorted_pairs() {
        // Computed independently: python3 -c "import hmac,hashlib;print(hmac.new(b'rss_test',
        // b'checkout_id=cs_1&request_id=order_7',hashlib.sha256).hexdigest())"
        let expected = "dbe34729bee05928ee357ce4b4c0e1bff273763658061d50592bdbabea097ef9";
        let params = [("request_id", "order_7"), ("checkout_id", "cs_1")];
        assert_eq!(sign("rss_test", &params), expected);
        assert!(verify(&["rss_other".into(), "rss_test".into()], &params, expected));
        assert!(!verify(&["rss_test".into()], &[("request_id", "order_8"), ("checkout_id", "cs_1")], expected), "a tampered parameter");
        assert!(!verify(&["rss_other".into()], &params, expected), "another secret");
        assert!(!verify(&["rss_test".into()], &params, "not hex"));
    }
}
