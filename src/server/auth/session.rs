//! What the login session holds: only the admin's id. Everything else is read from the
//! database on each request, so a removed admin loses access at once.

use tower_sessions::Session;

use crate::api_types::Account;
use crate::error::AppError;
use crate::server::storage::session_store::ADMIN_ID_KEY;
use crate::server::storage::{Db, admins};

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "login session store failed");
    AppError::Unavailable
}

/// Binds the session to the admin. A fresh session id is issued at sign-in so that an id
/// planted before sign-in (session fixation) is worthless afterwards.
pub async fn sign_in(session: &Session, admin_id: &str) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(ADMIN_ID_KEY, admin_id)
        .await
        .map_err(session_error)
}

/// Deletes the session from the store, so the old cookie is useless even if it was copied.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

pub async fn current_account(db: &Db, session: &Session) -> Result<Option<Account>, AppError> {
    let Some(admin_id) = session
        .get::<String>(ADMIN_ID_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    Ok(admins::find_account(db.pool(), &admin_id).await?)
}
