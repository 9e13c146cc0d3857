//! The emulator over real HTTP, on a port of its own: Stripe's wire protocol, the test cards,
//! webhooks, faults, and conformance with Stripe's own example objects and async-stripe's types.

mod support;

mod bank_debits;
mod bank_transfers;
mod cards;
mod client;
mod conformance;
mod documents;
mod errors;
mod faults;
mod flows;
mod idempotency;
mod webhooks;
