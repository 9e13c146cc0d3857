//! Metrics over HTTP: every request counted under its route template, and `GET /metrics` for
//! Prometheus, on its own listener (`METRICS_ADDR`) and/or on the main one behind a bearer token
//! (`METRICS_TOKEN`).

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::server::state::AppState;

/// The label of a request no route matched (static files, not-found pages): raw paths would
/// make a time series per URL anyone cares to request.
const UNMATCHED: &str = "unmatched";

/// Outermost: times every request and counts it under the route template the router chose.
pub async fn record_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str);
    super::http_request(
        route,
        method.as_str(),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// On every route (`Router::route_layer`): hands the route template out on the response, where
/// [`record_request`] reads it. The innermost router's template wins (a nested router's is the
/// full path; its parent only knows the nest's wildcard).
pub async fn tag_route(request: Request, next: Next) -> Response {
    let template = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(template) = template
        && response.extensions().get::<MatchedPath>().is_none()
    {
        response.extensions_mut().insert(template);
    }
    response
}

/// `GET /metrics`. Whenever `METRICS_TOKEN` is set it must come as
/// `Authorization: Bearer <token>`; the main listener serves this only then, the `METRICS_ADDR`
/// listener always.
pub async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !bearer_matches(&request, token)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the bearer token METRICS_TOKEN\n",
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        super::render(&state.db),
    )
        .into_response()
}

/// The router of the `METRICS_ADDR` listener: `/metrics` and nothing else.
pub fn listener_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Compared in constant time: the answer must not tell how much of a guess was right.
fn bearer_matches(request: &Request, token: &SecretString) -> bool {
    let Some(sent) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    sent.trim()
        .as_bytes()
        .ct_eq(token.expose_secret().as_bytes())
        .into()
}
