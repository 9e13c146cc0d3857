//! Pure domain logic: validated values and rules, no I/O. Compiled for both the server and the
//! browser, so the UI and the server agree on what is valid.

pub mod audit;
pub mod billing_details;
pub mod calendar;
pub mod email;
pub mod idempotency_key;
pub mod institution_name;
pub mod money;
pub mod monthly;
pub mod page;
pub mod password;
pub mod payment_confirmation;
pub mod payment_method;
pub mod payment_method_types;
pub mod plan;
pub mod pricing;
pub mod purchase_order;
pub mod purchase_status;
pub mod refund;
pub mod stripe_id;
