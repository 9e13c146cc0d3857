//! Stripe.js from Rust (browser build only): wasm-bindgen bindings to the parts of the
//! Stripe.js v3 API the app uses (the Payment Element and its confirmations), loading the
//! script from the configured URL, and reading the results into Rust types. Payment details
//! stay inside Stripe's Element; none of them pass through this module or our server.

mod appearance;
mod bindings;
mod loader;
mod payment_form;

pub use appearance::stylesheet_appearance;
pub use payment_form::PaymentForm;
