//! Server functions: the UI's calls into the server. Each is a thin wrapper over the same
//! service layer the REST API uses. They live under `/rpc/` so that `/api/` belongs to the
//! documented REST API alone.

pub mod account;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod payment_methods;
pub mod purchases;
