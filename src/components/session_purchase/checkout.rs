//! The paying part of SessionPurchase: the card Element's state, and the steps from "Pay" to a
//! result (create the purchase on the server, confirm it with Stripe.js, ask the server for the
//! outcome). Everything here that touches Stripe.js runs in the browser only; on the server the
//! page renders with the card form still loading.

use leptos::prelude::*;

use crate::api_types::StripeClientConfig;
use crate::domain::plan::Plan;

// Constructed in the browser only; the server renders the initial state.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardState {
    Loading,
    Ready,
    /// Stripe.js or the card Element could not be set up; the message says what to do.
    Unavailable(String),
}

/// Where a payment is, for the pay button's label.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Idle,
    Creating,
    Confirming,
    Checking,
}

// Constructed in the browser only; the server renders the initial state.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid {
        added: i64,
        available: i64,
    },
    /// Stripe is still waiting for the bank; the sessions arrive with the webhook.
    Processing,
    /// Declined, or could not be attempted; the message says what to do.
    Failed(String),
}

/// The order being paid for and its idempotency key. Paying again for the same order (after a
/// decline, or when an answer was lost) sends the same key, so the server hands back the same
/// purchase and the new card confirms the same PaymentIntent: no second purchase.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct Attempt {
    quantity: i64,
    plan: Plan,
    key: String,
}

#[derive(Clone, Copy)]
pub struct Checkout {
    pub card_state: RwSignal<CardState>,
    /// Stripe's message about what is wrong with the card details as typed.
    pub card_error: RwSignal<Option<String>>,
    pub step: RwSignal<Step>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub available: RwSignal<i64>,
    #[cfg(feature = "hydrate")]
    attempt: StoredValue<Option<Attempt>>,
    #[cfg(feature = "hydrate")]
    card: StoredValue<Option<crate::stripe_js::CardForm>, LocalStorage>,
}

impl Checkout {
    pub fn new(available: i64) -> Self {
        Checkout {
            card_state: RwSignal::new(CardState::Loading),
            card_error: RwSignal::new(None),
            step: RwSignal::new(Step::Idle),
            outcome: RwSignal::new(None),
            available: RwSignal::new(available),
            #[cfg(feature = "hydrate")]
            attempt: StoredValue::new(None),
            #[cfg(feature = "hydrate")]
            card: StoredValue::new_local(None),
        }
    }

    pub fn busy(&self) -> bool {
        self.step.get() != Step::Idle
    }

    /// Loads Stripe.js and mounts the card Element into `selector` (browser only).
    pub fn mount(self, selector: &'static str, config: StripeClientConfig) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let mounted = crate::stripe_js::CardForm::mount(
                &config.js_url,
                &config.publishable_key,
                selector,
                move |change| {
                    self.card_error.set(change.error);
                },
                move || self.card_state.set(CardState::Ready),
            )
            .await;
            match mounted {
                Ok(card) => self.card.set_value(Some(card)),
                Err(message) => self.card_state.set(CardState::Unavailable(message)),
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (selector, config);
    }

    /// Pays for `quantity` sessions on `plan` with the card in the Element (browser only).
    pub fn pay(self, quantity: i64, plan: Plan) {
        if self.busy() {
            return;
        }
        self.outcome.set(None);
        self.step.set(Step::Creating);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let outcome = self.run(quantity, plan).await;
            self.card.with_value(|card| {
                if let Some(card) = card {
                    card.set_disabled(false);
                }
            });
            self.step.set(Step::Idle);
            self.outcome.set(Some(outcome));
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (quantity, plan);
    }

    #[cfg(feature = "hydrate")]
    async fn run(self, quantity: i64, plan: Plan) -> Outcome {
        use crate::domain::card_payment::{PaymentResult, explain};
        use crate::rpc::purchases::{finish_purchase, start_purchase};

        let key = self.attempt_key(quantity, plan);
        let created = match start_purchase(quantity, plan.id().to_owned(), key).await {
            Ok(created) => created,
            Err(error) => return Outcome::Failed(error.to_string()),
        };

        self.step.set(Step::Confirming);
        let confirmation = self.card.with_value(|card| {
            card.as_ref().map(|card| {
                card.set_disabled(true);
                card.confirm_payment(&created.client_secret)
            })
        });
        let Some(confirmation) = confirmation else {
            return Outcome::Failed("The card form is not ready yet. Please wait a moment.".into());
        };
        let result = confirmation.await;

        // Whatever Stripe.js said, the server asks Stripe too: it records the result at once
        // instead of waiting for the webhook, and it is the server's view that counts.
        self.step.set(Step::Checking);
        let finished = finish_purchase(created.purchase_id.clone()).await;
        match (result, finished) {
            (_, Ok(done)) if done.purchase.status == "completed" => {
                self.attempt.set_value(None);
                self.available.set(done.pool.available);
                Outcome::Paid {
                    added: done.purchase.quantity,
                    available: done.pool.available,
                }
            }
            (PaymentResult::Failed(error), _) => {
                // An intent that can no longer be confirmed (canceled meanwhile) is not retried.
                if error.code.as_deref() == Some("payment_intent_unexpected_state") {
                    self.attempt.set_value(None);
                }
                Outcome::Failed(explain(&error))
            }
            (PaymentResult::Confirmed { .. }, _) => {
                self.attempt.set_value(None);
                Outcome::Processing
            }
        }
    }

    /// The key of the unfinished attempt at this order, or a new attempt's.
    #[cfg(feature = "hydrate")]
    fn attempt_key(&self, quantity: i64, plan: Plan) -> String {
        if let Some(attempt) = self.attempt.get_value() {
            if attempt.quantity == quantity && attempt.plan == plan {
                return attempt.key;
            }
        }
        let key = new_attempt_key();
        self.attempt.set_value(Some(Attempt {
            quantity,
            plan,
            key: key.clone(),
        }));
        key
    }
}

/// 128 random bits. `crypto.getRandomValues` works on plain-http origins too, unlike
/// `crypto.randomUUID`; `Math.random` is the fallback for a browser without it.
#[cfg(feature = "hydrate")]
fn new_attempt_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("purchase-{hex}")
}
