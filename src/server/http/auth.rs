use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use tower_sessions::Session;

use super::client_addr::ClientAddr;
use super::json::ApiJson;
use crate::api_types::{Account, LoginRequest};
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::auth::{service, session as login_session};
use crate::server::state::AppState;

/// `POST /api/auth/login`: 200 with the account and a session cookie, or 401 (429 while the
/// address is locked, 503 while too many passwords are being checked).
pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    session: Session,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<Account>, AppError> {
    let client = ClientAddr::from_parts(&parts, &state.config.trusted_proxies)?;
    let admin_id = service::authenticate(&state, client, &body.email, &body.password).await?;
    login_session::sign_in(&session, &admin_id).await?;
    login_session::current_account(&state.db, &session)
        .await?
        .map(Json)
        .ok_or(AppError::Unauthorized)
}

/// `POST /api/auth/logout`: ends the session on the server; harmless when not signed in.
pub async fn logout(session: Session) -> Result<StatusCode, AppError> {
    login_session::sign_out(&session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/me`
pub async fn me(SignedIn(account): SignedIn) -> Json<Account> {
    Json(account)
}
