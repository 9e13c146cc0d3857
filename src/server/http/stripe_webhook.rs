//! `POST /api/stripe/webhook`: the signature is checked on the raw body before anything else,
//! against every configured secret (several while one is rotated); then the event is processed
//! by [`crate::server::stripe_events`]. Any correctly signed event is answered 2xx unless its
//! processing failed (5xx, so Stripe retries): never 4xx, which Stripe would retry for days
//! and then disable the endpoint for.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use stripe_webhook::{Event, Webhook, WebhookError};

use crate::error::AppError;
use crate::server::metrics;
use crate::server::state::AppState;
use crate::server::stripe_events::{self, Outcome};

/// An invoice or charge event with many lines is larger than the 64 KB the rest of `/api` takes.
pub const MAX_WEBHOOK_BODY_BYTES: usize = 1024 * 1024;

pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, AppError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("Webhook refused: the body could not be read.".into())
        }
    })?;
    let (payload, parsed) = verify(&state, &headers, &body).inspect_err(|_| {
        metrics::webhook_event(UNKNOWN_TYPE, "refused");
    })?;
    // Signed by Stripe, so the type is one of Stripe's, not whatever a caller made up.
    let event_type = parsed
        .as_ref()
        .map_or(UNKNOWN_TYPE, |event| event.type_.as_str())
        .to_owned();
    let outcome = stripe_events::process(&state, payload, parsed).await;
    metrics::webhook_event(
        &event_type,
        match &outcome {
            Ok(Outcome::Processed) => "processed",
            Ok(Outcome::Duplicate) => "duplicate",
            Ok(Outcome::Ignored) => "ignored",
            Ok(Outcome::Unparsed) => "unparsed",
            Err(_) => "failed",
        },
    );
    outcome?;
    Ok(Json(json!({ "received": true })))
}

/// The type label of a delivery whose type cannot be trusted or read.
const UNKNOWN_TYPE: &str = "unknown";

/// The body as text and its typed event (or why it has none), once the signature matches one
/// of the configured secrets.
fn verify<'b>(
    state: &AppState,
    headers: &HeaderMap,
    body: &'b [u8],
) -> Result<(&'b str, Result<Event, String>), AppError> {
    let refuse = |problem: &str| {
        tracing::warn!(problem, "Stripe webhook refused");
        AppError::BadRequest(format!("Webhook refused: {problem}."))
    };
    let signature = headers
        .get("stripe-signature")
        .ok_or_else(|| refuse("no Stripe-Signature header"))?
        .to_str()
        .map_err(|_| refuse("the Stripe-Signature header is not text"))?;
    let payload = std::str::from_utf8(body).map_err(|_| refuse("the body is not UTF-8"))?;
    // async-stripe compares every v1 signature in the header in constant time; a wrong secret
    // is BadSignature, so the next secret is tried.
    let mut outcome = Err(WebhookError::BadSignature);
    for secret in state.config.webhook_secrets() {
        outcome = Webhook::construct_event(payload, signature, secret.expose_secret());
        if !matches!(outcome, Err(WebhookError::BadSignature)) {
            break;
        }
    }
    match outcome {
        Ok(event) => Ok((payload, Ok(event))),
        // Only reported once the signature matched.
        Err(WebhookError::BadParse(detail)) => Ok((payload, Err(detail))),
        Err(WebhookError::BadHeader(_) | WebhookError::BadKey) => {
            Err(refuse("the Stripe-Signature header is malformed"))
        }
        Err(WebhookError::BadSignature) => Err(refuse("the signature does not match")),
        Err(WebhookError::BadTimestamp(_)) => {
            Err(refuse("the signature is older than the 300 s tolerance"))
        }
    }
}
