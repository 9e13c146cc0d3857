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

    /// `stripe.elements({clientSecret} | {mode, amount, currency, paymentMethodTypes, ...})`.
    #[wasm_bindgen(method)]
    pub fn elements(this: &Stripe, options: &JsValue) -> Elements;

    /// `{elements | clientSecret, confirmParams: {return_url, payment_method}, redirect}`;
    /// resolves to `{paymentIntent}` or `{error}`, or never when Stripe.js redirects. Rejects
    /// (an IntegrationError) when called wrongly.
    #[wasm_bindgen(method, js_name = confirmPayment)]
    pub fn confirm_payment(this: &Stripe, args: &JsValue) -> Promise;

    /// As `confirmPayment`, for a SetupIntent: resolves to `{setupIntent}` or `{error}`.
    #[wasm_bindgen(method, js_name = confirmSetup)]
    pub fn confirm_setup(this: &Stripe, args: &JsValue) -> Promise;

    /// Resolves to `{paymentIntent}` or `{error}`.
    #[wasm_bindgen(method, js_name = retrievePaymentIntent)]
    pub fn retrieve_payment_intent(this: &Stripe, client_secret: &str) -> Promise;

    pub type Elements;

    /// `elements.create('payment', {layout})`; throws when the group's options cannot make one.
    #[wasm_bindgen(method, catch)]
    pub fn create(
        this: &Elements,
        kind: &str,
        options: &JsValue,
    ) -> Result<PaymentElement, JsValue>;

    /// Changes a deferred group's `amount` or `setupFutureUsage`.
    #[wasm_bindgen(method)]
    pub fn update(this: &Elements, options: &JsValue);

    /// Validates the Payment Element; resolves to `{}` or `{error}`. Stripe requires it before
    /// the intent is made, so nothing is created for details that cannot be confirmed.
    #[wasm_bindgen(method)]
    pub fn submit(this: &Elements) -> Promise;

    /// The Payment Element: a tab per payment method, in Stripe's own frame.
    pub type PaymentElement;

    #[wasm_bindgen(method)]
    pub fn mount(this: &PaymentElement, selector: &str);

    #[wasm_bindgen(method)]
    pub fn on(this: &PaymentElement, event: &str, handler: &Function);

    #[wasm_bindgen(method, js_name = update)]
    pub fn update_element(this: &PaymentElement, options: &JsValue);

    #[wasm_bindgen(method)]
    pub fn destroy(this: &PaymentElement);
}

/// `true` once the Stripe.js script has run.
pub fn is_loaded() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Stripe"))
        .map(|value| value.is_function())
        .unwrap_or(false)
}
