//! Argon2id password hashes (the argon2 crate's defaults: OWASP's recommended parameters).
//! Hashing is deliberately slow, so it runs on the blocking pool, off the async workers.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::AppError;

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing task failed");
            AppError::Internal
        })?
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// Checks `password` against `stored`, or against a dummy hash when there is no account, so an
/// unknown email takes as long to refuse as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let has_account = stored.is_some();
    tokio::task::spawn_blocking(move || {
        let phc = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let matches = PasswordHash::new(phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "stored password hash is malformed");
                false
            });
        matches && has_account
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password verification task failed");
        AppError::Internal
    })
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("no account has this password").expect("hashing a constant cannot fail")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn right_password_verifies_and_wrong_does_not() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery".into(), Some(stored))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn no_account_never_verifies() {
        assert!(
            !verify("no account has this password".into(), None)
                .await
                .unwrap()
        );
    }
}
