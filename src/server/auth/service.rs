//! The sign-in rules, shared by `POST /api/auth/login` and the login form's server function.

use serde_json::json;

use crate::domain::audit::AuditAction;
use crate::domain::email::EmailAddress;
use crate::domain::password::{NewPassword, Password};
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_unix;
use crate::server::http::client_addr::ClientAddr;
use crate::server::state::AppState;
use crate::server::storage::admins::Credentials;
use crate::server::storage::{Db, admins, login_throttle};

use super::password;
use super::throttle::{self, Admission};

/// Checks the credentials and returns the admin's id. Unknown email and wrong password give
/// the same error; repeated failures for one address lock it for a growing while, and a
/// server (or client) already checking as many passwords as it may answers 503 at once.
pub async fn authenticate(
    state: &AppState,
    client: ClientAddr,
    email: &str,
    password: &Password,
) -> Result<String, AppError> {
    let email = EmailAddress::parse(email).map_err(AppError::BadRequest)?;
    let password = password.expose();
    if password.is_empty() {
        return Err(AppError::BadRequest("Enter your password.".into()));
    }
    // Held until the check below ends.
    let _slot = state.hash_gate.enter(client.0)?;
    let failures = count_attempt(&state.db, &email).await?;

    let credentials = admins::find_credentials(state.db.pool(), &email).await?;
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
            login_throttle::clear(state.db.pool(), email.as_str()).await?;
            admins::record_sign_in(state.db.pool(), &credentials.id).await?;
            log_sign_in(state, &client, &email, &credentials, AuditAction::SignIn).await;
            tracing::info!(admin_id = credentials.id, "admin signed in");
            Ok(credentials.id)
        }
        other => {
            // An address that is no admin's belongs to no institution's log.
            if let Some(credentials) = &other {
                log_sign_in(
                    state,
                    &client,
                    &email,
                    credentials,
                    AuditAction::SignInFailed,
                )
                .await;
            }
            tracing::info!(email = email.as_str(), failures, "sign-in failed");
            Err(AppError::InvalidCredentials)
        }
    }
}

/// The institution's audit log entry for a sign-in, or a failed one, of its admin.
async fn log_sign_in(
    state: &AppState,
    client: &ClientAddr,
    email: &EmailAddress,
    credentials: &Credentials,
    action: AuditAction,
) {
    let details = json!({ "client_ip": client.0.to_string() });
    let admin = ("admin", credentials.id.as_str());
    let actor = Actor::Admin(email.as_str());
    audit::record_after(
        &state.db,
        &credentials.institution_id,
        actor,
        action,
        admin,
        details,
    )
    .await;
}

/// Admits one attempt on the address, counted as a failure until it succeeds (see
/// [`Admission`]), or refuses it while the address is locked. Read, decide, then write only if
/// the row is still what was read: concurrent attempts each see the count the one before them
/// left, so no more of them are checked than the policy allows.
async fn count_attempt(db: &Db, email: &EmailAddress) -> Result<i64, AppError> {
    let email = email.as_str();
    loop {
        let now = now_unix();
        let seen = login_throttle::find(db.pool(), email).await?;
        let (failures, locked_until) = seen.map_or((0, 0), |a| (a.failures, a.locked_until));
        match throttle::admit(failures, locked_until, now) {
            Admission::Locked { until } => {
                tracing::warn!(email, "sign-in refused: address is locked");
                return Err(AppError::TooManyAttempts {
                    retry_after_secs: (until - now).max(1) as u64,
                });
            }
            Admission::Counted {
                failures,
                locked_until: next_lock,
            } => {
                let next = login_throttle::Attempts {
                    failures,
                    locked_until: next_lock,
                };
                if login_throttle::replace(db.pool(), email, seen, next, now).await? {
                    if next_lock != locked_until {
                        tracing::warn!(
                            email,
                            failures,
                            lock_secs = next_lock - now,
                            "sign-in address locked"
                        );
                    }
                    return Ok(failures);
                }
            }
        }
    }
}

/// Forgets addresses with no failure in [`throttle::FORGET_AFTER_SECS`] (and no lock running);
/// the housekeeping job calls it. Returns how many.
pub async fn forget_quiet_addresses(db: &Db) -> Result<u64, AppError> {
    let now = now_unix();
    Ok(login_throttle::forget_quiet(db.pool(), now - throttle::FORGET_AFTER_SECS, now).await?)
}
