//! Offer tokens: `v1.<payload>.<signature>`, both base64url. The payload names the tenant,
//! environment, offer, identity and expiry; the signature is HMAC-SHA256 with a key derived
//! (HKDF) from the server's secret key. A token is useless anywhere else: another tenant or
//! environment, any modified byte, or an expired token fails verification.
use crate::error::{AppError, ErrorCode};
use crate::model::Identity;
use crate::server::db::Scoped;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferClaims {
    /// tenant id
    pub t: String,
    /// environment
    pub e: String,
    /// offer id
    pub o: String,
    /// identity kind: `anonymous` or `authenticated`
    pub k: String,
    /// identifier
    pub i: String,
    /// expiry, unix seconds
    pub x: i64,
    /// nonce: every presentation gets a fresh token
    pub n: String,
}

fn mac(secret_key: &[u8; 32]) -> Hmac<Sha256> {
    let hk = Hkdf::<Sha256>::new(Some(b"offerdeck"), secret_key);
    let mut key = [0u8; 32];
    hk.expand(b"offer-tokens v1", &mut key).expect("32 bytes is a valid HKDF length");
    <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key length works for HMAC")
}

pub fn mint(secret_key: &[u8; 32], scope: &Scoped, offer_id: &str, identity: &Identity, ttl_seconds: i64, now_seconds: i64) -> String {
    let claims = OfferClaims {
        t: scope.tenant_id().to_string(),
        e: scope.env().as_str().into(),
        o: offer_id.into(),
        k: identity.kind.as_str().into(),
        i: identity.identifier.clone(),
        x: now_seconds + ttl_seconds,
        n: uuid::Uuid::new_v4().simple().to_string(),
    };
    let payload = B64.encode(serde_json::to_vec(&claims).expect("claims serialise"));
    let signed = format!("v1.{payload}");
    let mut m = mac(secret_key);
    m.update(signed.as_bytes());
    format!("{signed}.{}", B64.encode(m.finalize().into_bytes()))
}

fn invalid() -> AppError {
    AppError::new(ErrorCode::InvalidOfferToken, "the offer token is invalid, expired or belongs to another environment")
}

/// Checks signature, expiry and that the token belongs to `scope`.
pub fn verify(secret_key: &[u8; 32], scope: &Scoped, token: &str, now_seconds: i64) -> Result<OfferClaims, AppError> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some("v1"), Some(payload), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let sig = B64.decode(sig).map_err(|_| invalid())?;
    let mut m = mac(secret_key);
    m.update(b"v1.");
    m.update(payload.as_bytes());
    m.verify_slice(&sig).map_err(|_| invalid())?;
    let claims: OfferClaims = serde_json::from_slice(&B64.decode(payload).map_err(|_| invalid())?).map_err(|_| invalid())?;
    if claims.t != scope.tenant_id() || claims.e != scope.env().as_str() || claims.x <= now_seconds {
        return Err(invalid());
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Environment;

    fn scope(t: &str, env: Environment) -> Scoped {
        crate::server::auth::Scoped::trusted(t, env, crate::server::auth::Trust::StoredRow)
    }

    #[test]
    fn tokens_only_work_where_they_were_minted() {
        let key = [3u8; 32];
        let user = Identity { kind: crate::model::IdentityKind::Authenticated, identifier: "buyer@example.com".into() };
        let s = scope("ten_a", Environment::Preview);
        let t = mint(&key, &s, "off_1", &user, 1800, 1_000);
        let c = verify(&key, &s, &t, 1_001).unwrap();
        assert_eq!((c.o.as_str(), c.i.as_str(), c.x), ("off_1", "buyer@example.com", 2_800));
        assert_ne!(t, mint(&key, &s, "off_1", &user, 1800, 1_000), "fresh token per presentation");

        let code = |r: Result<OfferClaims, AppError>| r.unwrap_err().code;
        assert_eq!(code(verify(&key, &s, &t, 2_800)), ErrorCode::InvalidOfferToken, "expired");
        assert_eq!(code(verify(&key, &scope("ten_b", Environment::Preview), &t, 1_001)), ErrorCode::InvalidOfferToken, "other tenant");
        assert_eq!(code(verify(&key, &scope("ten_a", Environment::Live), &t, 1_001)), ErrorCode::InvalidOfferToken, "other environment");
        assert_eq!(code(verify(&[4u8; 32], &s, &t, 1_001)), ErrorCode::InvalidOfferToken, "other server key");
        // Any changed byte in the payload or the signature is refused.
        let (head, sig) = t.rsplit_once('.').unwrap();
        let mut forged_payload = serde_json::from_slice::<OfferClaims>(&B64.decode(head.trim_start_matches("v1.")).unwrap()).unwrap();
        forged_payload.o = "off_2".into();
        let forged = format!("v1.{}.{sig}", B64.encode(serde_json::to_vec(&forged_payload).unwrap()));
        assert_eq!(code(verify(&key, &s, &forged, 1_001)), ErrorCode::InvalidOfferToken, "tampered payload");
        let mut bad_sig = t.clone();
        let last = bad_sig.pop().unwrap();
        bad_sig.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(code(verify(&key, &s, &bad_sig, 1_001)), ErrorCode::InvalidOfferToken, "tampered signature");
        assert_eq!(code(verify(&key, &s, "garbage", 1_001)), ErrorCode::InvalidOfferToken);
    }
}
