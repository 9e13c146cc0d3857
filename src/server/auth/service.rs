//! The sign-in rules, shared by `POST /api/auth/login` and the login form's server function.

use crate::domain::email::EmailAddress;
use crate::domain::password::NewPassword;
use crate::error::AppError;
use crate::server::clock::now_unix;
use crate::server::storage::{Db, login_throttle};

use super::{password, throttle};

/// Checks the credentials and returns the admin's id. Unknown email and wrong password give
/// the same error; repeated failures for one address lock it for a growing while.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> Result<String, AppError> {
    let email = EmailAddress::parse(email).map_err(AppError::BadRequest)?;
    if password.is_empty() {
        return Err(AppError::BadRequest("Enter your password.".into()));
    }
    let now = now_unix();
    if let Some(until) = login_throttle::locked_until(db.pool(), email.as_str(), now).await? {
        tracing::warn!(email = email.as_str(), "sign-in refused: address is locked");
        return Err(AppError::TooManyAttempts {
            retry_after_secs: (until - now).max(1) as u64,
        });
    }

    let credentials = crate::server::storage::admins::find_credentials(db.pool(), &email).await?;
    // An over-long password cannot be anyone's (see NewPassword), and is not worth hashing.
    let plausible = password.len() <= NewPassword::MAX_BYTES;
    let verified = plausible
        && password::verify(
            password.to_owned(),
            credentials.as_ref().map(|c| c.password_hash.clone()),
        )
        .await?;

    match credentials {
        Some(credentials) if verified => {
            login_throttle::clear(db.pool(), email.as_str()).await?;
            tracing::info!(admin_id = credentials.id, "admin signed in");
            Ok(credentials.id)
        }
        _ => {
            let failures = login_throttle::record_failure(db.pool(), email.as_str()).await?;
            if let Some(secs) = throttle::lock_secs_after(failures) {
                login_throttle::lock(db.pool(), email.as_str(), now + secs).await?;
                tracing::warn!(
                    email = email.as_str(),
                    failures,
                    lock_secs = secs,
                    "sign-in address locked"
                );
            } else {
                tracing::info!(email = email.as_str(), failures, "sign-in failed");
            }
            Err(AppError::InvalidCredentials)
        }
    }
}
