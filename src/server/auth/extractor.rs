//! `SignedIn` extracts the signed-in admin for REST handlers, or answers 401 JSON: a handler
//! that takes it cannot run without a user.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::api_types::Account;
use crate::error::AppError;
use crate::server::state::AppState;

use super::session::current_account;

pub struct SignedIn(pub Account);

impl<S> FromRequestParts<S> for SignedIn
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let session = Session::from_request_parts(parts, &state)
            .await
            .map_err(|(_, msg)| {
                tracing::error!(error = msg, "session layer missing");
                AppError::Internal
            })?;
        current_account(&state.db, &session)
            .await?
            .map(SignedIn)
            .ok_or(AppError::Unauthorized)
    }
}
