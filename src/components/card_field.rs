//! Stripe's card Element as a form field: loading it, its readiness and validation messages,
//! and the mounted Stripe.js objects. Used wherever a card is typed (paying, saving a card).
//! Everything that touches Stripe.js runs in the browser only; on the server the field renders
//! as still loading.

use leptos::prelude::*;

use crate::api_types::StripeClientConfig;

// Constructed in the browser only; the server renders the initial state.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardState {
    Loading,
    Ready,
    /// Stripe.js or the card Element could not be set up; the message says what to do.
    Unavailable(String),
}

#[derive(Clone, Copy)]
pub struct CardField {
    pub state: RwSignal<CardState>,
    /// Stripe's message about what is wrong with the card details as typed.
    pub error: RwSignal<Option<String>>,
    #[cfg(feature = "hydrate")]
    form: StoredValue<Option<crate::stripe_js::CardForm>, LocalStorage>,
}

impl Default for CardField {
    fn default() -> Self {
        Self::new()
    }
}

impl CardField {
    pub fn new() -> Self {
        CardField {
            state: RwSignal::new(CardState::Loading),
            error: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            form: StoredValue::new_local(None),
        }
    }

    pub fn ready(&self) -> bool {
        self.state.get() == CardState::Ready
    }

    /// Loads Stripe.js and mounts the card Element into `selector` (browser only).
    pub fn mount(self, selector: &'static str, config: StripeClientConfig) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let mounted = crate::stripe_js::CardForm::mount(
                &config.js_url,
                &config.publishable_key,
                selector,
                move |change| self.error.set(change.error),
                move || self.state.set(CardState::Ready),
            )
            .await;
            match mounted {
                // The field may be gone (the form closed) while Stripe.js loaded.
                Ok(card) => {
                    let _ = self.form.try_set_value(Some(card));
                }
                Err(message) => {
                    let _ = self.state.try_set(CardState::Unavailable(message));
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (selector, config);
    }

    /// Runs `f` with the mounted form; `None` until Stripe.js has mounted it.
    #[cfg(feature = "hydrate")]
    pub fn with_form<R>(&self, f: impl FnOnce(&crate::stripe_js::CardForm) -> R) -> Option<R> {
        self.form
            .try_with_value(|form| form.as_ref().map(f))
            .flatten()
    }

    /// Locks or unlocks the card fields (while a confirmation is under way).
    #[cfg(feature = "hydrate")]
    pub fn set_disabled(&self, disabled: bool) {
        self.with_form(|form| form.set_disabled(disabled));
    }
}

/// The Element's container with its label, loading and error messages. Stripe.js owns
/// everything inside the container; Leptos renders nothing in it.
#[component]
pub fn CardInput(field: CardField, element_id: &'static str, label: &'static str) -> impl IntoView {
    let label_id = format!("{element_id}-label");
    let errors_id = format!("{element_id}-errors");
    let status = move || {
        match field.state.get() {
        CardState::Loading => Some(
            view! { <p class="muted" aria-busy="true">"Loading the secure card form…"</p> }
                .into_any(),
        ),
        CardState::Ready => None,
        CardState::Unavailable(message) => Some(
            view! { <p class="form-error" role="alert" data-testid="card-unavailable">{message}</p> }
                .into_any(),
        ),
    }
    };
    view! {
        <p class="field-label" id=label_id.clone()>{label}</p>
        <div id=element_id class="card-element" aria-labelledby=label_id aria-describedby=errors_id.clone()></div>
        {status}
        <p class="form-error" role="alert" id=errors_id data-testid="card-errors">
            {move || field.error.get()}
        </p>
    }
}
