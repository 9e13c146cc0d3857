//! Buying sessions: creating a purchase with its Stripe PaymentIntent, and moving it along as
//! Stripe reports on the payment (webhooks, reconciliation, the sweep), crediting the pool once.

pub mod disputes;
pub mod export;
pub mod failed_refunds;
pub mod payment_method_kind;
pub mod service;
pub mod transitions;
