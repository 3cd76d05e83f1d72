//! API key format and keyed hashing. A key is `sk_test_` / `pk_live_` … plus 32 random base62
//! characters; the database stores HMAC-SHA256(server secret key, key) and the last four.
use crate::model::Environment;
use crate::server::auth::KeyKind;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub fn generate(kind: KeyKind, env: Environment) -> String {
    let mut rng = rand::thread_rng();
    let body: String = (0..32).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}_{}_{}", kind.prefix(), env.key_infix(), body)
}

pub fn keyed_hash(secret: &[u8; 32], key: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("any key length works for HMAC");
    mac.update(b"offerdeck-api-key:");
    mac.update(key.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Kind and environment named by a key's prefix; `None` for anything that is not our key format.
pub fn parse_prefix(key: &str) -> Option<(KeyKind, Environment)> {
    let mut parts = key.splitn(3, '_');
    let kind = match parts.next()? {
        "sk" => KeyKind::Secret,
        "pk" => KeyKind::Publishable,
        _ => return None,
    };
    let env = match parts.next()? {
        "test" => Environment::Preview,
        "live" => Environment::Live,
        _ => return None,
    };
    let body = parts.next()?;
    (body.len() == 32 && body.bytes().all(|b| b.is_ascii_alphanumeric())).then_some((kind, env))
}

pub fn last4(key: &str) -> String {
    key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn format_and_hash() {
        let k = generate(KeyKind::Secret, Environment::Preview);
        assert!(k.starts_with("sk_test_") && k.len() == 40);
        assert_eq!(parse_prefix(&k), Some((KeyKind::Secret, Environment::Preview)));
        let p = generate(KeyKind::Publishable, Environment::Live);
        assert_eq!(parse_prefix(&p), Some((KeyKind::Publishable, Environment::Live)));
        assert_eq!(parse_prefix("sk_test_short"), None);
        assert_eq!(parse_prefix("xx_test_00000000000000000000000000000000"), None);
        let h1 = keyed_hash(&[1; 32], &k);
        assert_eq!(h1, keyed_hash(&[1; 32], &k));
        assert_ne!(h1, keyed_hash(&[2; 32], &k), "the hash depends on the server key");
        assert_eq!(last4("abcdef"), "cdef");
    }
}
