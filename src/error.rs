//! The one error type the server returns, to REST clients as `{"error": "..."}` and to the UI
//! through server functions. Every message is meant for the person using the app; internal
//! details (SQL errors, Stripe responses) are logged on the server and never carried here.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    // One message for an unknown email and a wrong password, so the answer does not reveal
    // which addresses have accounts.
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Wait {retry_after_secs} seconds and try again.")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("This request came from another site and was refused.")]
    CrossOrigin,
    #[error("{0}")]
    BadRequest(String),
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Not found.")]
    NotFound,
    /// The request contradicts an earlier one (an Idempotency-Key reused for another order) or
    /// the state of what it acts on (a paid purchase cannot be canceled); the message says which.
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// The server is already checking as many passwords as it may (for everyone, or for this
    /// client address); nothing was checked or counted.
    #[error("Too many sign-ins are being checked right now. Try again in {retry_after_secs} s.")]
    Busy { retry_after_secs: u64 },
    /// Stripe could not do what was asked (unreachable, failing, or refusing our API key); the
    /// message says what the admin can do about it.
    #[error("{0}")]
    PaymentProvider(String),
    /// A failure between the browser and the server (network down, response unreadable).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::CrossOrigin => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::PayloadTooLarge => 413,
            AppError::TooManyAttempts { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::PaymentProvider(_) => 502,
            AppError::Unavailable | AppError::Busy { .. } => 503,
        }
    }

    /// Seconds after which the same request may succeed, for a `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(format!("The request could not be read: {message}"))
            }
            other => AppError::Transport(other.to_string()),
        };
        // On the server this is a request the server function never ran for, so its own
        // `with_status` did not set the status: without this, Leptos would answer 500.
        #[cfg(feature = "ssr")]
        crate::server::rpc_context::set_status(&error);
        error
    }
}
