//! Sign-in for institution admins: password hashing, attempt throttling, and the login session.
//! `service` is the one implementation behind both the REST endpoints and the server functions.

pub mod extractor;
pub mod hash_gate;
pub mod password;
pub mod service;
pub mod session;
pub mod throttle;
