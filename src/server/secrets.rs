//! Secrets at rest (Stripe keys, webhook secrets): XChaCha20-Poly1305 with a key derived by
//! HKDF-SHA256 from the server's secret key. The row's tenant, environment and field name are
//! the associated data, so a ciphertext copied into another row or field does not decrypt.
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

const VERSION: &str = "v1";

fn cipher(secret_key: &[u8; 32]) -> XChaCha20Poly1305 {
    let hk = Hkdf::<Sha256>::new(Some(b"offerdeck"), secret_key);
    let mut key = [0u8; 32];
    hk.expand(b"secrets-at-rest v1", &mut key).expect("32 bytes is a valid HKDF length");
    XChaCha20Poly1305::new(&key.into())
}

/// `v1:<base64(nonce || ciphertext)>`
pub fn encrypt(secret_key: &[u8; 32], context: &str, plaintext: &str) -> String {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ct = cipher(secret_key)
        .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
        .expect("encryption of an in-memory buffer cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    format!("{VERSION}:{}", STANDARD_NO_PAD.encode(out))
}

pub fn decrypt(secret_key: &[u8; 32], context: &str, stored: &str) -> Option<String> {
    let body = stored.strip_prefix("v1:")?;
    let bytes = STANDARD_NO_PAD.decode(body).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, ct) = bytes.split_at(24);
    let pt = cipher(secret_key).decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() }).ok()?;
    String::from_utf8(pt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let k = [9u8; 32];
        let c = encrypt(&k, "ten_1/preview/secret_key", "sk_test_abc");
        assert!(c.starts_with("v1:") && !c.contains("sk_test"));
        assert_eq!(decrypt(&k, "ten_1/preview/secret_key", &c).as_deref(), Some("sk_test_abc"));
        assert_ne!(c, encrypt(&k, "ten_1/preview/secret_key", "sk_test_abc"), "fresh nonce each time");
        assert_eq!(decrypt(&k, "ten_2/preview/secret_key", &c), None, "bound to its row");
        assert_eq!(decrypt(&[8u8; 32], "ten_1/preview/secret_key", &c), None, "bound to the server key");
        let mut tampered: Vec<char> = c.chars().collect();
        tampered[10] = if tampered[10] == 'A' { 'B' } else { 'A' };
        let tampered: String = tampered.into_iter().collect();
        assert_eq!(decrypt(&k, "ten_1/preview/secret_key", &tampered), None);
    }
}
