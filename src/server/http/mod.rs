//! The REST API under `/api`, and the HTTP plumbing it shares with the pages.

pub mod assets;
pub mod audit_log;
pub mod auth;
pub mod client_addr;
pub mod csv_download;
pub mod error;
pub mod health;
pub mod institution;
pub mod invoices;
pub mod json;
pub mod origin_check;
pub mod page;
pub mod payment_methods;
pub mod pricing;
pub mod purchases;
pub mod security_headers;
pub mod stripe_webhook;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use super::state::AppState;
use crate::error::AppError;

/// Where the REST API is mounted.
pub const API_PREFIX: &str = "/api";

/// JSON bodies larger than this are refused with 413 before they are read into memory.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Anyone,
    /// A signed-in admin: the handler takes [`SignedIn`](crate::server::auth::extractor::SignedIn),
    /// so it answers 401 to anyone else.
    SignedIn,
}

/// One endpoint of the REST API; `path` is under [`API_PREFIX`], in axum's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Every endpoint of the REST API, as the router serves them. The tests call each one signed
/// out, so a new endpoint is checked the moment it exists.
pub fn api_endpoints() -> Vec<Endpoint> {
    routes().into_iter().map(|(endpoint, _)| endpoint).collect()
}

pub fn api_router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (endpoint, handler)| {
            router.route(endpoint.path, handler)
        })
        .route_layer(axum::middleware::from_fn(
            crate::server::metrics::http::tag_route,
        ))
        // An unknown /api path is a JSON 404, never the HTML not-found page.
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES))
}

/// The one list both come from: an endpoint is served only by being listed here, with its
/// access.
fn routes() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use Access::{Anyone, SignedIn};
    use Method as M;
    vec![
        route(M::POST, "/auth/login", Anyone, auth::login),
        route(M::POST, "/auth/logout", Anyone, auth::logout),
        route(M::GET, "/me", SignedIn, auth::me),
        route(M::GET, "/institution/admins", SignedIn, institution::admins),
        route(
            M::GET,
            "/institution/billing-details",
            SignedIn,
            institution::billing_details,
        ),
        route(
            M::PUT,
            "/institution/billing-details",
            SignedIn,
            institution::replace_billing_details,
        ),
        route(M::GET, "/pricing", SignedIn, pricing::pricing),
        route(M::POST, "/sessions/purchases", SignedIn, purchases::create),
        route(M::GET, "/sessions/purchases", SignedIn, purchases::list),
        route(
            M::GET,
            "/sessions/purchases.csv",
            SignedIn,
            purchases::export_csv,
        ),
        route(M::GET, "/sessions/purchases/{id}", SignedIn, purchases::get),
        route(
            M::POST,
            "/sessions/purchases/{id}/sync",
            SignedIn,
            purchases::sync,
        ),
        route(
            M::POST,
            "/sessions/purchases/{id}/cancel",
            SignedIn,
            purchases::cancel,
        ),
        route(M::GET, "/sessions/pool", SignedIn, purchases::pool),
        route(M::GET, "/sessions/summary", SignedIn, purchases::summary),
        route(
            M::POST,
            "/stripe/setup-intents",
            SignedIn,
            payment_methods::create_setup_intent,
        ),
        route(
            M::GET,
            "/stripe/payment-methods",
            SignedIn,
            payment_methods::list,
        ),
        route(
            M::POST,
            "/stripe/payment-methods",
            SignedIn,
            payment_methods::record,
        ),
        route(
            M::DELETE,
            "/stripe/payment-methods/{id}",
            SignedIn,
            payment_methods::remove,
        ),
        route(
            M::POST,
            "/stripe/payment-methods/{id}/default",
            SignedIn,
            payment_methods::make_default,
        ),
        route(M::GET, "/stripe/invoices", SignedIn, invoices::list),
        route(M::GET, "/stripe/invoices/{id}", SignedIn, invoices::get),
        route(
            M::POST,
            "/stripe/invoices/{id}/send",
            SignedIn,
            invoices::send,
        ),
        route(M::GET, "/audit-log", SignedIn, audit_log::list),
        route(M::GET, "/audit-log.csv", SignedIn, audit_log::export_csv),
        // Stripe signs its calls instead of signing in.
        webhook_route(),
    ]
}

/// Stripe's webhook takes bodies up to 1 MiB (an invoice event with many lines), the rest of
/// the API 64 KB.
fn webhook_route() -> (Endpoint, MethodRouter<AppState>) {
    let (endpoint, handler) = route(
        Method::POST,
        "/stripe/webhook",
        Access::Anyone,
        stripe_webhook::receive,
    );
    let limit = DefaultBodyLimit::max(stripe_webhook::MAX_WEBHOOK_BODY_BYTES);
    (endpoint, handler.layer(limit))
}

fn route<H: Handler<T, AppState>, T: 'static>(
    method: Method,
    path: &'static str,
    access: Access,
    handler: H,
) -> (Endpoint, MethodRouter<AppState>) {
    let filter = MethodFilter::try_from(method.clone()).expect("a method axum can route");
    (
        Endpoint {
            method,
            path,
            access,
        },
        on(filter, handler),
    )
}
