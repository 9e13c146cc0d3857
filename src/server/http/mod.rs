//! The REST API under `/api`, and the HTTP plumbing it shares with the pages.

pub mod auth;
pub mod error;
pub mod invoices;
pub mod json;
pub mod origin_check;
pub mod page;
pub mod payment_methods;
pub mod pricing;
pub mod purchases;
pub mod stripe_webhook;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

use super::state::AppState;
use crate::error::AppError;

/// JSON bodies larger than this are refused with 413 before they are read into memory.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/pricing", get(pricing::pricing))
        .route(
            "/sessions/purchases",
            post(purchases::create).get(purchases::list),
        )
        .route("/sessions/purchases.csv", get(purchases::export_csv))
        .route("/sessions/purchases/{id}", get(purchases::get))
        .route("/sessions/purchases/{id}/sync", post(purchases::sync))
        .route("/sessions/purchases/{id}/cancel", post(purchases::cancel))
        .route("/sessions/pool", get(purchases::pool))
        .route("/sessions/summary", get(purchases::summary))
        .route(
            "/stripe/setup-intents",
            post(payment_methods::create_setup_intent),
        )
        .route(
            "/stripe/payment-methods",
            get(payment_methods::list).post(payment_methods::record),
        )
        .route(
            "/stripe/payment-methods/{id}",
            delete(payment_methods::remove),
        )
        .route(
            "/stripe/payment-methods/{id}/default",
            post(payment_methods::make_default),
        )
        .route("/stripe/invoices", get(invoices::list))
        .route("/stripe/invoices/{id}", get(invoices::get))
        .route(
            "/stripe/webhook",
            post(stripe_webhook::receive).layer(DefaultBodyLimit::max(
                stripe_webhook::MAX_WEBHOOK_BODY_BYTES,
            )),
        )
        // An unknown /api path is a JSON 404, never the HTML not-found page.
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES))
}
