//! The paying part of SessionPurchase: the steps from "Pay" to a result (create the purchase on
//! the server, or take up an unfinished one, confirm it with Stripe.js, ask the server for the
//! outcome). Everything here that touches Stripe.js runs in the browser only.

use leptos::prelude::*;

use crate::components::card_field::CardField;
use crate::domain::plan::Plan;
use crate::domain::purchase_order::PaymentChoice;

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
    /// Paid, but the cardholder's bank disputed the payment at once: the sessions are held.
    Disputed,
    /// Declined, or could not be attempted; the message says what to do.
    Failed(String),
}

/// What is being paid for.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    New {
        quantity: i64,
        plan: Plan,
        /// The institution's purchase-order number, for the invoice.
        po_number: Option<String>,
    },
    /// A purchase made earlier and not paid yet (resumed from the billing page).
    Existing { purchase_id: String },
}

/// The order being paid for, its idempotency key, and the purchase the server made for it.
/// Paying again for the same order (after a decline, with another card, or when an answer was
/// lost) sends the same key, so the server hands back the same purchase and the new card
/// confirms the same PaymentIntent: no second purchase.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct Attempt {
    quantity: i64,
    plan: Plan,
    /// A card to be saved is asked for when the PaymentIntent is made, so it is part of the order.
    save_card: bool,
    po_number: Option<String>,
    key: String,
    purchase_id: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Checkout {
    pub card: CardField,
    pub step: RwSignal<Step>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub available: RwSignal<i64>,
    #[cfg(feature = "hydrate")]
    attempt: StoredValue<Option<Attempt>>,
}

impl Checkout {
    pub fn new(available: i64) -> Self {
        Checkout {
            card: CardField::new(),
            step: RwSignal::new(Step::Idle),
            outcome: RwSignal::new(None),
            available: RwSignal::new(available),
            #[cfg(feature = "hydrate")]
            attempt: StoredValue::new(None),
        }
    }

    pub fn busy(&self) -> bool {
        self.step.get() != Step::Idle
    }

    /// Pays for `order` with `payment` (browser only).
    pub fn pay(self, order: Order, payment: PaymentChoice) {
        if self.busy() {
            return;
        }
        self.outcome.set(None);
        self.step.set(Step::Creating);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let outcome = self.run(order, payment).await;
            self.card.set_disabled(false);
            self.step.set(Step::Idle);
            self.outcome.set(Some(outcome));
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (order, payment);
    }

    #[cfg(feature = "hydrate")]
    async fn run(self, order: Order, payment: PaymentChoice) -> Outcome {
        use crate::domain::card_payment::{ConfirmResult, explain};
        use crate::domain::purchase_status::PurchaseStatus;
        use crate::rpc::purchases::{finish_purchase, resume_purchase, start_purchase};

        let created = match order {
            Order::New {
                quantity,
                plan,
                po_number,
            } => {
                let save_card = payment == (PaymentChoice::NewCard { save: true });
                let key = self.attempt_key(quantity, plan, save_card, &po_number);
                let saved = match &payment {
                    PaymentChoice::Saved(id) => Some(id.clone()),
                    PaymentChoice::NewCard { .. } => None,
                };
                start_purchase(quantity, plan, key, saved, save_card, po_number).await
            }
            Order::Existing { purchase_id } => resume_purchase(purchase_id).await,
        };
        let created = match created {
            Ok(created) => created,
            Err(error) => return Outcome::Failed(error.to_string()),
        };
        self.attempt.update_value(|attempt| {
            if let Some(attempt) = attempt {
                attempt.purchase_id = Some(created.purchase_id.clone());
            }
        });

        self.step.set(Step::Confirming);
        let confirmation = self.card.with_form(|form| {
            form.set_disabled(true);
            form.confirm_payment(&created.client_secret, &payment)
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
            (_, Ok(done)) if done.purchase.status == PurchaseStatus::Completed => {
                self.attempt.set_value(None);
                self.available.set(done.pool.available);
                Outcome::Paid {
                    added: done.purchase.quantity,
                    available: done.pool.available,
                }
            }
            (_, Ok(done)) if done.purchase.status.in_dispute() => {
                self.attempt.set_value(None);
                self.available.set(done.pool.available);
                Outcome::Disputed
            }
            (ConfirmResult::Failed(error), _) => {
                // An intent that can no longer be confirmed (canceled meanwhile) is not retried.
                if error.code.as_deref() == Some("payment_intent_unexpected_state") {
                    self.attempt.set_value(None);
                }
                Outcome::Failed(explain(&error))
            }
            (ConfirmResult::Confirmed { .. }, _) => {
                self.attempt.set_value(None);
                Outcome::Processing
            }
        }
    }

    /// The key of the unfinished attempt at this order, or a new attempt's. An unpaid purchase
    /// left by an attempt at a different order is canceled, so it does not linger as pending.
    #[cfg(feature = "hydrate")]
    fn attempt_key(
        &self,
        quantity: i64,
        plan: Plan,
        save_card: bool,
        po_number: &Option<String>,
    ) -> String {
        if let Some(attempt) = self.attempt.get_value() {
            let same = (attempt.quantity, attempt.plan, attempt.save_card)
                == (quantity, plan, save_card)
                && attempt.po_number == *po_number;
            if same {
                return attempt.key;
            }
            if let Some(abandoned) = attempt.purchase_id {
                leptos::task::spawn_local(async move {
                    if let Err(error) = crate::rpc::purchases::cancel_purchase(abandoned).await {
                        leptos::logging::warn!("could not cancel an abandoned purchase: {error}");
                    }
                });
            }
        }
        let key = new_attempt_key();
        self.attempt.set_value(Some(Attempt {
            quantity,
            plan,
            save_card,
            po_number: po_number.clone(),
            key: key.clone(),
            purchase_id: None,
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
