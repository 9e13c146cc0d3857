//! Stripe's failures, as messages the admin can act on. The detail (Stripe's own message, the
//! request that failed) goes to the log only: it may name internals the admin cannot fix.

use stripe::{ApiErrorsType, StripeError};

use crate::error::AppError;

/// 409 with `idempotency_error`: a request with the same idempotency key is still running.
pub fn is_idempotency_conflict(error: &StripeError) -> bool {
    matches!(error, StripeError::Stripe(e, 409) if e.type_ == ApiErrorsType::IdempotencyError)
}

/// Stripe has no object with the id asked for.
pub fn is_not_found(error: &StripeError) -> bool {
    matches!(error, StripeError::Stripe(_, 404))
}

/// A call's outcome as the metrics label it: `ok`; `refused` (Stripe said no: 4xx but 429);
/// `unavailable` (Stripe failed or throttled: 5xx, 429, no connection, an unreadable answer);
/// `timeout` (no answer within `STRIPE_TIMEOUT_SECS`).
pub fn outcome<T>(result: &Result<T, StripeError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(StripeError::Stripe(_, status)) if *status < 500 && *status != 429 => "refused",
        Err(StripeError::Timeout) => "timeout",
        Err(_) => "unavailable",
    }
}

pub fn to_app_error(error: StripeError, action: &'static str) -> AppError {
    match &error {
        StripeError::Stripe(e, status) => tracing::error!(
            action,
            status,
            stripe_type = e.type_.as_str(),
            stripe_code = ?e.code,
            stripe_message = e.message.as_deref().unwrap_or_default(),
            "Stripe refused the request"
        ),
        other => tracing::error!(action, error = %other, "could not reach Stripe"),
    }
    let message = match error {
        StripeError::Stripe(_, 401 | 403) => {
            "Payments are not set up correctly: Stripe refused this server's API key. \
             Nothing was charged. Please tell your Octavia contact."
        }
        StripeError::Stripe(_, 404) => "Stripe has no record of this payment.",
        StripeError::Stripe(_, status) if status < 500 && status != 429 => {
            "Stripe refused this payment request. Nothing was charged. Please try again, \
             and tell your Octavia contact if it keeps happening."
        }
        _ => {
            "Stripe, our payment provider, is not responding right now. Nothing was charged. \
             Please try again in a few minutes."
        }
    };
    AppError::PaymentProvider(message.to_owned())
}
