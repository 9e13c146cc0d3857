//! The Stripe.js v3 surface we call, declared for wasm-bindgen. Names follow Stripe's docs
//! (https://docs.stripe.com/js); the offline emulator's stand-in implements the same surface.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// What `Stripe(publishableKey)` returns.
    pub type Stripe;

    /// Throws (an IntegrationError) for a malformed key, hence `catch`.
    #[wasm_bindgen(js_name = Stripe, catch)]
    pub fn new_stripe(publishable_key: &str) -> Result<Stripe, JsValue>;

    #[wasm_bindgen(method)]
    pub fn elements(this: &Stripe) -> Elements;

    /// Resolves to `{paymentIntent}` or `{error}`; handles 3-D Secure itself.
    #[wasm_bindgen(method, js_name = confirmCardPayment)]
    pub fn confirm_card_payment(this: &Stripe, client_secret: &str, data: &JsValue) -> Promise;

    /// Resolves to `{setupIntent}` or `{error}`; saves the card without charging it.
    #[wasm_bindgen(method, js_name = confirmCardSetup)]
    pub fn confirm_card_setup(this: &Stripe, client_secret: &str, data: &JsValue) -> Promise;

    pub type Elements;

    #[wasm_bindgen(method, catch)]
    pub fn create(this: &Elements, kind: &str, options: &JsValue) -> Result<CardElement, JsValue>;

    /// The card Element: number, expiry, CVC and postal code, in Stripe's own frame.
    pub type CardElement;

    #[wasm_bindgen(method)]
    pub fn mount(this: &CardElement, selector: &str);

    #[wasm_bindgen(method)]
    pub fn on(this: &CardElement, event: &str, handler: &Function);

    #[wasm_bindgen(method)]
    pub fn update(this: &CardElement, options: &JsValue);

    #[wasm_bindgen(method)]
    pub fn destroy(this: &CardElement);
}

/// `true` once the Stripe.js script has run.
pub fn is_loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Stripe"))
        .map(|value| value.is_function())
        .unwrap_or(false)
}
