//! Who may call the emulator: only the secret key it was started with (and, for what Stripe.js
//! may do, the matching publishable key). Whoever reaches a test double that takes any key can
//! "pay" for anything, so the key is a fresh random one per start, shown only on this machine.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::errors::StripeError;
use crate::{Caller, StripeEmulator};

/// `Authorization: Bearer sk_test_...` (or Basic with the key as user name, as curl -u sends).
/// The emulator's own keys pass; any other key, test or live, gets Stripe's 401.
pub fn authenticate(headers: &HeaderMap, emulator: &StripeEmulator) -> Result<Caller, StripeError> {
    let key = presented_key(headers)?;
    if key == emulator.secret_key().expose_secret() {
        Ok(Caller::Secret)
    } else if key == emulator.publishable_key() {
        Ok(Caller::Publishable)
    } else {
        Err(StripeError::invalid_api_key(&key))
    }
}

fn presented_key(headers: &HeaderMap) -> Result<String, StripeError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(StripeError::no_api_key());
    };
    if let Some(bearer) = value.strip_prefix("Bearer ") {
        Ok(bearer.trim().to_owned())
    } else if let Some(basic) = value.strip_prefix("Basic ") {
        decode_basic_user(basic.trim()).ok_or_else(StripeError::no_api_key)
    } else {
        Err(StripeError::no_api_key())
    }
}

fn decode_basic_user(encoded: &str) -> Option<String> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(
        text.split_once(':')
            .map_or(text.clone(), |(user, _)| user.to_owned()),
    )
}

/// Middleware for the fault endpoints: the secret key only, as for the API.
pub async fn require_secret_key(
    State(emulator): State<StripeEmulator>,
    request: Request,
    next: Next,
) -> Response {
    match authenticate(request.headers(), &emulator) {
        Ok(Caller::Secret) => next.run(request).await,
        Ok(Caller::Publishable) => StripeError::publishable_key_not_allowed().into_response(),
        Err(e) => e.into_response(),
    }
}

/// The socket's peer is loopback and no proxy forwarded the request.
pub fn from_this_machine(request: &Request) -> bool {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| request.headers().contains_key(*name));
    peer.is_some_and(|addr| addr.ip().is_loopback()) && !forwarded
}

/// `GET /`: the keys and where things are, for a developer or a test on this machine (the
/// socket's peer is loopback and no proxy forwarded the request); anyone else gets 403.
pub async fn show(State(emulator): State<StripeEmulator>, request: Request) -> Response {
    if !from_this_machine(&request) {
        let body = json!({"error": {
            "type": "invalid_request_error",
            "message": "The emulator's keys are shown only to clients on the machine it runs on.",
        }});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let base = emulator.public_base();
    Json(json!({
        "secret_key": emulator.secret_key().expose_secret(),
        "publishable_key": emulator.publishable_key(),
        "api_base": format!("{base}/"),
        "stripe_js": format!("{base}/js/v3/"),
    }))
    .into_response()
}
