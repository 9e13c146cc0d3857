//! A mounted card Element and the Stripe object it belongs to, for as long as the page that
//! shows it; dropping it unmounts the Element.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::bindings::{CardElement, Stripe, new_stripe};
use super::loader;
use crate::domain::card_payment::{CardChange, ConfirmResult};
use crate::domain::purchase_order::PaymentChoice;

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
        set(&options, "disabled", &disabled.into());
        self.card.update(&options);
    }

    /// `stripe.confirmCardPayment(clientSecret, data)` with the card typed in the Element or a
    /// saved card's id; Stripe.js shows the 3-D Secure challenge itself when the card's issuer
    /// asks for one. The call starts at once; the returned future does not borrow the form.
    pub fn confirm_payment(
        &self,
        client_secret: &str,
        payment: &PaymentChoice,
    ) -> impl Future<Output = ConfirmResult> + use<> {
        let data = js_sys::Object::new();
        match payment {
            PaymentChoice::Saved(id) => set(&data, "payment_method", &id.into()),
            PaymentChoice::NewCard { save } => {
                set(&data, "payment_method", &self.element_data());
                if *save {
                    set(&data, "setup_future_usage", &"off_session".into());
                }
            }
        }
        let promise = self.stripe.confirm_card_payment(client_secret, &data);
        async move { read_result(JsFuture::from(promise).await) }
    }

    /// `stripe.confirmCardSetup(clientSecret, {payment_method: {card}})`: saves the card typed
    /// in the Element to the SetupIntent's customer (3-D Secure if the issuer asks).
    pub fn confirm_setup(
        &self,
        client_secret: &str,
    ) -> impl Future<Output = ConfirmResult> + use<> {
        let data = js_sys::Object::new();
        set(&data, "payment_method", &self.element_data());
        let promise = self.stripe.confirm_card_setup(client_secret, &data);
        async move { read_result(JsFuture::from(promise).await) }
    }

    /// `{card: element}`, how Stripe.js is told to read the card from the Element.
    fn element_data(&self) -> JsValue {
        let payment_method = js_sys::Object::new();
        set(&payment_method, "card", &self.card);
        payment_method.into()
    }
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), value);
}

impl Drop for CardForm {
    fn drop(&mut self) {
        self.card.destroy();
    }
}

fn read_result(settled: Result<JsValue, JsValue>) -> ConfirmResult {
    match settled {
        Ok(result) => json_of(&result)
            .map(|json| ConfirmResult::from_json(&json))
            .unwrap_or_else(ConfirmResult::unreadable),
        Err(error) => {
            leptos::logging::error!("Stripe.js confirm threw: {error:?}");
            ConfirmResult::unreadable()
        }
    }
}

fn from_js<T: for<'de> Deserialize<'de>>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&json_of(value)?).ok()
}

fn json_of(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}
