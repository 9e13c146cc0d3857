use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tower_sessions::Session;

use super::json::ApiJson;
use crate::api_types::{Account, LoginRequest};
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::auth::{service, session as login_session};
use crate::server::state::AppState;

/// `POST /api/auth/login`: 200 with the account and a session cookie, or 401.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<Account>, AppError> {
    let admin_id = service::authenticate(&state.db, &body.email, &body.password).await?;
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
