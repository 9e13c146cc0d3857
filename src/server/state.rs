use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::auth::hash_gate::HashGate;
use super::background::BackgroundTasks;
use super::config::Config;
use super::invoices::queue::InvoiceQueue;
use super::storage::Db;
use super::stripe::StripeGateway;
use super::stripe::list_cache::StripeListCache;

/// Shared by every handler and server function; cheap to clone.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub db: Db,
    pub stripe: StripeGateway,
    /// Copies of Stripe's lists the billing page shows.
    pub stripe_lists: Arc<StripeListCache>,
    /// Paid purchases waiting for their invoice.
    pub invoice_queue: InvoiceQueue,
    /// Bounds the password checks running at once (sign-in).
    pub hash_gate: HashGate,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub background: BackgroundTasks,
}
