//! A mounted card Element and the Stripe object it belongs to, for as long as the page that
//! shows it; dropping it unmounts the Element.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::bindings::{CardElement, Stripe, new_stripe};
use super::loader;
use crate::domain::card_payment::{CardChange, PaymentResult};

pub struct CardForm {
    stripe: Stripe,
    card: CardElement,
    // Kept alive as long as the Element can call it.
    _on_change: Closure<dyn FnMut(JsValue)>,
    _on_ready: Closure<dyn FnMut(JsValue)>,
}

/// The part of a card Element's `change` event the form shows.
#[derive(Deserialize)]
struct ChangeEvent {
    #[serde(default)]
    complete: bool,
    error: Option<ChangeError>,
}

#[derive(Deserialize)]
struct ChangeError {
    message: String,
}

impl CardForm {
    /// Loads Stripe.js from `js_url`, mounts a card Element into `selector`, and reports every
    /// change of the card's completeness or validity, and readiness, to the callbacks.
    pub async fn mount(
        js_url: &str,
        publishable_key: &str,
        selector: &str,
        mut on_change: impl FnMut(CardChange) + 'static,
        mut on_ready: impl FnMut() + 'static,
    ) -> Result<Self, String> {
        loader::load(js_url).await?;
        let stripe = new_stripe(publishable_key).map_err(|error| {
            leptos::logging::error!("Stripe.js refused the publishable key: {error:?}");
            "Card payments are not set up correctly on this server (the Stripe publishable key \
             was refused). Please tell your Octavia administrator."
                .to_owned()
        })?;
        let card = stripe
            .elements()
            .create("card", &JsValue::from(js_sys::Object::new()))
            .map_err(|error| {
                leptos::logging::error!("Stripe.js could not create the card Element: {error:?}");
                "The secure card form could not be shown. Please reload the page.".to_owned()
            })?;
        let on_change = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(event) = from_js::<ChangeEvent>(&event) {
                on_change(CardChange {
                    complete: event.complete,
                    error: event.error.map(|e| e.message),
                });
            }
        });
        let on_ready = Closure::<dyn FnMut(JsValue)>::new(move |_| on_ready());
        card.on("change", on_change.as_ref().unchecked_ref());
        card.on("ready", on_ready.as_ref().unchecked_ref());
        card.mount(selector);
        Ok(CardForm {
            stripe,
            card,
            _on_change: on_change,
            _on_ready: on_ready,
        })
    }

    /// Locks the card fields while a payment is being confirmed.
    pub fn set_disabled(&self, disabled: bool) {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"disabled".into(), &disabled.into());
        self.card.update(&options);
    }

    /// `stripe.confirmCardPayment(clientSecret, {payment_method: {card}})`; Stripe.js shows the
    /// 3-D Secure challenge itself when the card's issuer asks for one. The call starts at once;
    /// the returned future does not borrow the form.
    pub fn confirm_payment(
        &self,
        client_secret: &str,
    ) -> impl Future<Output = PaymentResult> + use<> {
        let payment_method = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&payment_method, &"card".into(), &self.card);
        let data = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"payment_method".into(), &payment_method);
        let promise = self.stripe.confirm_card_payment(client_secret, &data);
        async move { read_result(JsFuture::from(promise).await) }
    }
}

impl Drop for CardForm {
    fn drop(&mut self) {
        self.card.destroy();
    }
}

fn read_result(settled: Result<JsValue, JsValue>) -> PaymentResult {
    match settled {
        Ok(result) => json_of(&result)
            .map(|json| PaymentResult::from_json(&json))
            .unwrap_or_else(PaymentResult::unreadable),
        Err(error) => {
            leptos::logging::error!("confirmCardPayment threw: {error:?}");
            PaymentResult::unreadable()
        }
    }
}

fn from_js<T: for<'de> Deserialize<'de>>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&json_of(value)?).ok()
}

fn json_of(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}
