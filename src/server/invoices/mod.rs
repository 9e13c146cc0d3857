//! Invoices: one Stripe invoice per paid purchase, paid by that purchase's payment (`issue`),
//! issued a few at a time (`queue`), and the institution's invoices as Stripe lists them
//! (`service`).

pub mod issue;
pub mod queue;
pub mod service;
