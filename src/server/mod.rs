//! Everything that runs only on the server: configuration, storage, sign-in, HTTP, start-up.

pub mod audit;
pub mod auth;
pub mod background;
pub mod billing_details;
pub mod bootstrap;
pub mod cash_balance;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv;
pub mod http;
pub mod invoices;
pub mod jobs;
pub mod metrics;
pub mod offline;
pub mod payment_methods;
pub mod purchases;
pub mod rpc_context;
pub mod startup;
pub mod state;
pub mod storage;
pub mod stripe;
pub mod stripe_events;
pub mod telemetry;
