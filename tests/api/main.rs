//! Integration tests: the real server on a free port, over real HTTP, against a real database.
//! `TEST_DATABASE=postgres` runs them on PostgreSQL (a fresh database per test); the default is
//! SQLite (a fresh file per test). `scripts/test` runs both passes.

mod helpers;
mod live_events;

mod audit_log;
mod auth;
mod billing_details;
pub mod cli;
mod credit_notes;
mod dashboard;
mod disputes;
mod emulator_mount;
mod fleet;
mod health;
mod invoices;
mod jobs;
mod metrics;
mod origin;
mod pages;
mod payment_method_types;
mod payment_methods;
mod pricing;
mod protected_routes;
mod purchases;
mod receipts;
mod refunds;
mod request_ids;
mod schema;
mod security_headers;
mod server_functions;
mod session_lifetime;
mod shutdown;
mod sign_in_limits;
