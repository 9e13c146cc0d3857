//! How an `AppError` becomes an HTTP response, and how server-side failures become an
//! `AppError` without their details leaving the server.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if let Some(retry_after_secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            // The database is unreachable or overloaded: a retry may well succeed, so say 503
            // (Stripe, for one, retries webhooks on any 5xx).
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                if matches!(e, sqlx::Error::PoolTimedOut) {
                    crate::server::metrics::db_pool_timeout();
                }
                tracing::error!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            e => {
                tracing::error!(error = %e, "database error");
                AppError::Internal
            }
        }
    }
}
