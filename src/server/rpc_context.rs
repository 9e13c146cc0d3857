//! What server functions reach for: the app state and the caller's login session. Kept here so
//! that the server functions in `crate::rpc` stay a few lines each.

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use leptos::prelude::{expect_context, use_context};
use tower_sessions::Session;

use super::auth::session::current_account;
use super::http::client_addr::ClientAddr;
use super::state::AppState;
use crate::api_types::Account;
use crate::error::AppError;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no login session on a server function request");
        AppError::Internal
    })
}

/// Gives a server function's failure its real HTTP status (Leptos answers 500 for every
/// error otherwise), so logs and monitoring tell a wrong password from a server fault.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error);
    }
    result
}

/// The response to the server function request being handled answers with `error`'s status
/// (and `Retry-After` when it has one). Not a browser's own form post (the sign-in page has no
/// wasm): Leptos answers that with a redirect back to the form's page, the error in its URL,
/// and a status would make the browser show the raw error instead.
pub fn set_status(error: &AppError) {
    if from_an_html_form() {
        return;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let Some(secs) = error.retry_after_secs() {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
}

fn from_an_html_form() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// The address the server function's request came from (see [`ClientAddr`]).
pub fn client_addr() -> Result<ClientAddr, AppError> {
    let parts = use_context::<Parts>().ok_or_else(|| {
        tracing::error!("no request parts on a server function request");
        AppError::Internal
    })?;
    ClientAddr::from_parts(&parts, &state().config.trusted_proxies)
}

/// The signed-in admin, or `Unauthorized`.
pub async fn require_account() -> Result<Account, AppError> {
    current_account(&state().db, &session().await?)
        .await?
        .ok_or(AppError::Unauthorized)
}
