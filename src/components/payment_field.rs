//! Stripe's Payment Element as a form field: loading it, its readiness, the payment method tab
//! chosen and its validation messages, and the mounted Stripe.js objects. Used wherever payment
//! details are entered (paying, saving a card or bank account). Everything that touches
//! Stripe.js runs in the browser only; on the server the field renders as still loading.

use crate::api_types::StripeClientConfig;
use crate::domain::payment_method_types::PaymentMethodType;
use leptos::prelude::*;

// Constructed in the browser only; the server renders the initial state.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldState {
    Loading,
    Ready,
    /// Stripe.js or the Element could not be set up; the message says what to do.
    Unavailable(String),
}

/// What the Element collects details for. Payments use Stripe's deferred intents: the Element
/// shows before the purchase exists, and the server makes the intent when the admin pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A payment of `amount` minor units; `save` keeps the card or bank account for later.
    Payment { amount: i64, save: bool },
    /// Saving a card or bank account without paying.
    Setup,
}

/// `stripe.elements(...)`'s options, or `elements.update(...)`'s (no `mode`, `currency` or
/// appearance): plain values, turned into a JavaScript object in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementsOptions {
    pub mode: Option<&'static str>,
    pub currency: Option<String>,
    pub amount: Option<i64>,
    pub payment_method_types: Vec<&'static str>,
    /// `off_session` to keep the details; `None` sends `null`, which clears it.
    pub setup_future_usage: Option<&'static str>,
    /// Stripe's Appearance API `variables`, by name.
    pub appearance: Vec<(&'static str, String)>,
}

/// The options for `purpose`: the same currency, payment method types and future usage as the
/// intent the server makes, or Stripe refuses to confirm it.
pub fn elements_options(
    config: &StripeClientConfig,
    purpose: Purpose,
    appearance: Vec<(&'static str, String)>,
) -> ElementsOptions {
    ElementsOptions {
        mode: Some(match purpose {
            Purpose::Payment { .. } => "payment",
            Purpose::Setup => "setup",
        }),
        currency: Some(config.currency.clone()),
        appearance,
        ..elements_update(config, purpose)
    }
}

/// What `elements.update(...)` changes when the amount or the choice to save changes.
pub fn elements_update(config: &StripeClientConfig, purpose: Purpose) -> ElementsOptions {
    let saving = matches!(
        purpose,
        Purpose::Setup | Purpose::Payment { save: true, .. }
    );
    ElementsOptions {
        mode: None,
        currency: None,
        amount: match purpose {
            Purpose::Payment { amount, .. } => Some(amount),
            Purpose::Setup => None,
        },
        payment_method_types: config
            .payment_method_types
            .iter()
            .filter(|kind| !saving || kind.can_be_saved())
            .map(|kind| kind.as_str())
            .collect(),
        setup_future_usage: saving.then_some("off_session"),
        appearance: Vec::new(),
    }
}

/// Stripe's Appearance `variables` from our stylesheet's (`css` reads one, e.g. `--brand`), so
/// the Element looks like the rest of the page.
pub fn appearance(css: impl Fn(&str) -> String) -> Vec<(&'static str, String)> {
    [
        ("colorPrimary", "--brand"),
        ("colorText", "--ink"),
        ("colorTextSecondary", "--muted"),
        ("colorDanger", "--danger"),
        ("colorBackground", "--paper"),
        ("fontFamily", "font-family"),
        ("borderRadius", "--radius-control"),
    ]
    .into_iter()
    .map(|(variable, property)| (variable, css(property)))
    .collect()
}

#[derive(Clone, Copy)]
pub struct PaymentField {
    pub state: RwSignal<FieldState>,
    /// Stripe's message about what is wrong with the details as typed.
    pub error: RwSignal<Option<String>>,
    /// The payment method tab chosen in the Element.
    pub kind: RwSignal<Option<PaymentMethodType>>,
    #[cfg(feature = "hydrate")]
    form: StoredValue<Option<crate::stripe_js::PaymentForm>, LocalStorage>,
}

impl Default for PaymentField {
    fn default() -> Self {
        Self::new()
    }
}

impl PaymentField {
    pub fn new() -> Self {
        PaymentField {
            state: RwSignal::new(FieldState::Loading),
            error: RwSignal::new(None),
            kind: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            form: StoredValue::new_local(None),
        }
    }

    pub fn ready(&self) -> bool {
        self.state.get() == FieldState::Ready
    }

    /// Loads Stripe.js and mounts the Payment Element into `selector` (browser only).
    pub fn mount(self, selector: &'static str, config: StripeClientConfig, purpose: Purpose) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::stripe_js::PaymentForm;
            let options =
                elements_options(&config, purpose, crate::stripe_js::stylesheet_appearance());
            let on_change = move |change: crate::domain::payment_confirmation::PaymentChange| {
                let _ = self.error.try_set(change.error);
                let _ = self
                    .kind
                    .try_set(change.kind.as_deref().and_then(PaymentMethodType::parse));
            };
            let on_ready = move || {
                let _ = self.state.try_set(FieldState::Ready);
            };
            let on_load_error = move |message: String| {
                let _ = self.state.try_set(FieldState::Unavailable(message));
            };
            let mounted = PaymentForm::mount(
                &config.js_url,
                &config.publishable_key,
                selector,
                &options,
                on_change,
                on_ready,
                on_load_error,
            )
            .await;
            match mounted {
                // The field may be gone (the form closed) while Stripe.js loaded.
                Ok(form) => {
                    let _ = self.form.try_set_value(Some(form));
                }
                Err(message) => {
                    let _ = self.state.try_set(FieldState::Unavailable(message));
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (selector, config, purpose);
    }

    /// Runs `f` with the mounted form; `None` until Stripe.js has mounted it.
    #[cfg(feature = "hydrate")]
    pub fn with_form<R>(&self, f: impl FnOnce(&crate::stripe_js::PaymentForm) -> R) -> Option<R> {
        self.form
            .try_with_value(|form| form.as_ref().map(f))
            .flatten()
    }

    /// Locks or unlocks the Element (while a confirmation is under way).
    #[cfg(feature = "hydrate")]
    pub fn set_read_only(&self, read_only: bool) {
        self.with_form(|form| form.set_read_only(read_only));
    }

    /// Tells the Element a new amount or choice to save (browser only).
    pub fn update(&self, config: &StripeClientConfig, purpose: Purpose) {
        #[cfg(feature = "hydrate")]
        self.with_form(|form| form.update(&elements_update(config, purpose)));
        #[cfg(not(feature = "hydrate"))]
        let _ = (config, purpose);
    }
}

/// The Element's container with its label, loading and error messages. Stripe.js owns
/// everything inside the container; Leptos renders nothing in it.
#[component]
pub fn PaymentInput(
    field: PaymentField,
    element_id: &'static str,
    label: &'static str,
) -> impl IntoView {
    let label_id = format!("{element_id}-label");
    let errors_id = format!("{element_id}-errors");
    let status = move || {
        match field.state.get() {
        FieldState::Loading => Some(
            view! { <p class="muted" aria-busy="true">"Loading the secure payment form…"</p> }
                .into_any(),
        ),
        FieldState::Ready => None,
        FieldState::Unavailable(message) => Some(
            view! { <p class="form-error" role="alert" data-testid="payment-unavailable">{message}</p> }
                .into_any(),
        ),
    }
    };
    view! {
        <p class="field-label" id=label_id.clone()>{label}</p>
        <div id=element_id class="payment-element" aria-labelledby=label_id aria-describedby=errors_id.clone()></div>
        {status}
        <p class="form-error" role="alert" id=errors_id data-testid="payment-errors">
            {move || field.error.get()}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentMethodType::*;

    fn config() -> StripeClientConfig {
        StripeClientConfig {
            publishable_key: "pk_test_x".into(),
            js_url: "/js".into(),
            currency: "usd".into(),
            payment_method_types: vec![Card, UsBankAccount, CustomerBalance],
        }
    }

    #[test]
    fn a_payment_offers_every_method_at_the_amount_in_deferred_mode() {
        let purpose = Purpose::Payment {
            amount: 20_000,
            save: false,
        };
        let options = elements_options(&config(), purpose, Vec::new());
        assert_eq!(
            options,
            ElementsOptions {
                mode: Some("payment"),
                currency: Some("usd".into()),
                amount: Some(20_000),
                payment_method_types: vec!["card", "us_bank_account", "customer_balance"],
                setup_future_usage: None,
                appearance: Vec::new(),
            }
        );
    }

    #[test]
    fn saving_offers_only_what_can_be_saved_for_off_session_use() {
        let purpose = Purpose::Payment {
            amount: 500,
            save: true,
        };
        let paying = elements_update(&config(), purpose);
        assert_eq!(paying.payment_method_types, ["card", "us_bank_account"]);
        assert_eq!(paying.setup_future_usage, Some("off_session"));
        assert_eq!((paying.mode, paying.currency), (None, None));
        let setup = elements_options(&config(), Purpose::Setup, Vec::new());
        assert_eq!(setup.mode, Some("setup"));
        assert_eq!(setup.payment_method_types, ["card", "us_bank_account"]);
        assert_eq!(setup.amount, None);
    }

    #[test]
    fn the_appearance_comes_from_the_stylesheet_variables() {
        let variables = appearance(|name| format!("value of {name}"));
        let get = |name| {
            variables
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("colorPrimary"), Some("value of --brand"));
        assert_eq!(get("fontFamily"), Some("value of font-family"));
        assert_eq!(get("borderRadius"), Some("value of --radius-control"));
    }
}
