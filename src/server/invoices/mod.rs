//! Invoices: one Stripe invoice per paid purchase, paid by that purchase's payment (`issue`),
//! issued a few at a time (`queue`), refunds matched by credit notes (`credit`), and the institution's invoices as Stripe lists them
//! (`service`).

pub mod credit;
pub mod issue;
pub mod queue;
pub mod service;
