//! Stripe.js from Rust (browser build only): wasm-bindgen bindings to the few parts of the
//! Stripe.js v3 API the app uses, loading the script from the configured URL, and reading the
//! results of `confirmCardPayment` into Rust types. Card data stays inside Stripe's Element;
//! none of it passes through this module or our server.

mod bindings;
mod card_form;
mod loader;

pub use card_form::CardForm;
