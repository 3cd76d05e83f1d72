//! argon2id password hashing, run on the blocking pool (never on the async workers) and
//! limited to two at a time so that bursts of logins neither starve the runtime nor grow memory.
use crate::error::AppResult;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// A valid hash of a random password: verifying against it costs what a real check costs, so a
/// login for an unknown email takes as long as one for a known email.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not-a-real-password-0000").unwrap_or_default());

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub async fn hash(password: String) -> AppResult<String> {
    let _permit = HASHING.acquire().await.map_err(|e| crate::server::internal("hash semaphore", e))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| crate::server::internal("hash task", e))?
        .map_err(|e| crate::server::internal("argon2 hash", e))
}

/// Verifies `password` against `hash`, or against a dummy hash when there is no user.
pub async fn verify(password: String, hash: Option<String>) -> AppResult<bool> {
    let _permit = HASHING.acquire().await.map_err(|e| crate::server::internal("hash semaphore", e))?;
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| crate::server::internal("verify task", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!verify("x".into(), None).await.unwrap());
    }
}
