//! A mounted Payment Element, its Elements group and the Stripe object they belong to, for as
//! long as the page that shows it; dropping it unmounts the Element.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::bindings::{Elements, PaymentElement, Stripe, new_stripe};
use super::loader;
use crate::components::payment_field::ElementsOptions;
use crate::domain::payment_confirmation::{ConfirmResult, PaymentChange, StripeJsError, error_of};

pub struct PaymentForm {
    stripe: Stripe,
    elements: Elements,
    element: PaymentElement,
    // Kept alive as long as the Element can call them.
    _handlers: [Closure<dyn FnMut(JsValue)>; 3],
}

impl PaymentForm {
    /// Loads Stripe.js from `js_url`, makes an Elements group with `options` (see
    /// `components::payment_field::elements_options`) and mounts a Payment Element into
    /// `selector`, reporting its changes, its readiness, and a failure to load.
    pub async fn mount(
        js_url: &str,
        publishable_key: &str,
        selector: &str,
        options: &ElementsOptions,
        mut on_change: impl FnMut(PaymentChange) + 'static,
        mut on_ready: impl FnMut() + 'static,
        mut on_load_error: impl FnMut(String) + 'static,
    ) -> Result<Self, String> {
        loader::load(js_url).await?;
        let stripe = new_stripe(publishable_key).map_err(|error| {
            leptos::logging::error!("Stripe.js refused the publishable key: {error:?}");
            "Payments are not set up correctly on this server (the Stripe publishable key was \
             refused). Please tell your Octavia administrator."
                .to_owned()
        })?;
        let elements = stripe.elements(&options_to_js(options));
        let layout = object(&[("layout", "tabs".into())]);
        let element = elements.create("payment", &layout).map_err(|error| {
            leptos::logging::error!("Stripe.js could not create the Payment Element: {error:?}");
            "The secure payment form could not be shown. Please reload the page.".to_owned()
        })?;
        let on_change = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            if let Some(change) = json_of(&event).and_then(|json| PaymentChange::from_json(&json)) {
                on_change(change);
            }
        });
        let on_ready = Closure::<dyn FnMut(JsValue)>::new(move |_| on_ready());
        let on_load_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            leptos::logging::error!("the Payment Element could not load: {event:?}");
            on_load_error(
                "The secure payment form could not be loaded. Please reload the page; if it \
                 happens again, tell your Octavia administrator."
                    .to_owned(),
            );
        });
        element.on("change", on_change.as_ref().unchecked_ref());
        element.on("ready", on_ready.as_ref().unchecked_ref());
        element.on("loaderror", on_load_error.as_ref().unchecked_ref());
        element.mount(selector);
        Ok(PaymentForm {
            stripe,
            elements,
            element,
            _handlers: [on_change, on_ready, on_load_error],
        })
    }

    /// Locks the Element while a payment is being confirmed.
    pub fn set_read_only(&self, read_only: bool) {
        self.element
            .update_element(&object(&[("readOnly", read_only.into())]));
    }

    /// `elements.update(...)`: a new amount, or a new choice to save.
    pub fn update(&self, options: &ElementsOptions) {
        self.elements.update(&options_to_js(options));
    }

    /// `elements.submit()`: checks the details entered before anything is made on the server.
    pub fn submit(&self) -> impl Future<Output = Result<(), StripeJsError>> + use<> {
        let promise = self.elements.submit();
        async move {
            let settled = JsFuture::from(promise).await.map_err(|error| {
                leptos::logging::error!("elements.submit() threw: {error:?}");
                StripeJsError::unreadable()
            })?;
            match json_of(&settled).and_then(|json| error_of(&json)) {
                Some(error) => Err(error),
                None => Ok(()),
            }
        }
    }

    /// `stripe.confirmPayment(...)` with the details in the Element, or a saved payment
    /// method's id; Stripe.js shows 3-D Secure in the page, and leaves for the bank's page
    /// (coming back to `return_url`) only when it must. The call starts at once; the returned
    /// future does not borrow the form.
    pub fn confirm_payment(
        &self,
        client_secret: &str,
        return_url: &str,
        saved: Option<&str>,
    ) -> impl Future<Output = ConfirmResult> + use<> {
        let args = self.confirm_args(client_secret, return_url, saved);
        let promise = self.stripe.confirm_payment(&args);
        async move { read(JsFuture::from(promise).await) }
    }

    /// `stripe.confirmSetup(...)`: saves the card or bank account entered in the Element.
    pub fn confirm_setup(
        &self,
        client_secret: &str,
        return_url: &str,
    ) -> impl Future<Output = ConfirmResult> + use<> {
        let args = self.confirm_args(client_secret, return_url, None);
        let promise = self.stripe.confirm_setup(&args);
        async move { read(JsFuture::from(promise).await) }
    }

    /// `stripe.retrievePaymentIntent(clientSecret)`, read as a confirmation's result: what a
    /// payment that came back from the bank's page ended as.
    pub fn retrieve_payment_intent(
        &self,
        client_secret: &str,
    ) -> impl Future<Output = ConfirmResult> + use<> {
        let promise = self.stripe.retrieve_payment_intent(client_secret);
        async move { read(JsFuture::from(promise).await) }
    }

    fn confirm_args(&self, client_secret: &str, return_url: &str, saved: Option<&str>) -> JsValue {
        let confirm_params = object(&[("return_url", return_url.into())]);
        if let Some(id) = saved {
            set(&confirm_params, "payment_method", &id.into());
        }
        let args = object(&[
            ("clientSecret", client_secret.into()),
            ("confirmParams", confirm_params.into()),
            ("redirect", "if_required".into()),
        ]);
        if saved.is_none() {
            set(&args, "elements", &self.elements);
        }
        args.into()
    }
}

impl Drop for PaymentForm {
    fn drop(&mut self) {
        self.element.destroy();
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}

/// A plain JavaScript object with `entries`.
fn object(entries: &[(&str, JsValue)]) -> Object {
    let target = Object::new();
    for (key, value) in entries {
        set(&target, key, value);
    }
    target
}

/// The options as Stripe.js takes them; `setupFutureUsage` is always sent, `null` clearing it.
fn options_to_js(options: &ElementsOptions) -> JsValue {
    let target = object(&[(
        "setupFutureUsage",
        options
            .setup_future_usage
            .map_or(JsValue::NULL, JsValue::from),
    )]);
    if let Some(mode) = options.mode {
        set(&target, "mode", &mode.into());
    }
    if let Some(currency) = &options.currency {
        set(&target, "currency", &currency.into());
    }
    if let Some(amount) = options.amount {
        set(&target, "amount", &(amount as f64).into());
    }
    let types: Array = options
        .payment_method_types
        .iter()
        .map(|kind| JsValue::from(*kind))
        .collect();
    set(&target, "paymentMethodTypes", &types);
    if !options.appearance.is_empty() {
        let variables = Object::new();
        for (name, value) in &options.appearance {
            set(&variables, name, &value.into());
        }
        let appearance = object(&[("theme", "stripe".into()), ("variables", variables.into())]);
        set(&target, "appearance", &appearance);
    }
    target.into()
}

fn read(settled: Result<JsValue, JsValue>) -> ConfirmResult {
    match settled {
        Ok(result) => json_of(&result)
            .map(|json| ConfirmResult::from_json(&json))
            .unwrap_or_else(ConfirmResult::unreadable),
        Err(error) => {
            leptos::logging::error!("Stripe.js threw: {error:?}");
            ConfirmResult::unreadable()
        }
    }
}

fn json_of(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}
