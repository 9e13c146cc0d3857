//! The paying part of SessionPurchase: the steps from "Pay" to a result (check the details in
//! the Payment Element, create the purchase on the server or take up an unfinished one,
//! confirm it with Stripe.js, ask the server for the outcome), and, for a bank payment, watching
//! it until it settles. Everything here that touches Stripe.js runs in the browser only.

use leptos::prelude::*;

use crate::api_types::PurchaseView;
use crate::components::payment_field::PaymentField;
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
    /// Stripe is still waiting for the bank: an ACH debit (`debit`) for days, a card for
    /// moments. The sessions arrive with the webhook; the page watches for them.
    Processing {
        debit: bool,
    },
    /// Waiting for the institution's bank transfer, to the account the purchase names.
    AwaitingTransfer(Box<PurchaseView>),
    /// The bank account is verified with microdeposits first, on Stripe's page at this address.
    VerifyMicrodeposits(String),
    /// Paid, but the cardholder's bank disputed the payment at once: the sessions are held.
    Disputed,
    /// Declined, or could not be attempted; the message says what to do.
    Failed(String),
}

impl Outcome {
    /// Waiting for money that moves without the admin: the page keeps looking.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn is_waiting(&self) -> bool {
        matches!(
            self,
            Outcome::Processing { .. }
                | Outcome::AwaitingTransfer(_)
                | Outcome::VerifyMicrodeposits(_)
        )
    }
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
    pub field: PaymentField,
    pub step: RwSignal<Step>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub available: RwSignal<i64>,
    #[cfg(feature = "hydrate")]
    attempt: StoredValue<Option<Attempt>>,
    /// The purchase whose bank payment the page is watching, if any.
    #[cfg(feature = "hydrate")]
    watching: StoredValue<Option<String>>,
}

impl Checkout {
    pub fn new(available: i64) -> Self {
        Checkout {
            field: PaymentField::new(),
            step: RwSignal::new(Step::Idle),
            outcome: RwSignal::new(None),
            available: RwSignal::new(available),
            #[cfg(feature = "hydrate")]
            attempt: StoredValue::new(None),
            #[cfg(feature = "hydrate")]
            watching: StoredValue::new(None),
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
        self.watching.set_value(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let outcome = self.run(order, payment).await;
            self.finish(outcome);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (order, payment);
    }

    #[cfg(feature = "hydrate")]
    async fn run(self, order: Order, payment: PaymentChoice) -> Outcome {
        use crate::domain::payment_confirmation::explain;
        use crate::rpc::purchases::{finish_purchase, resume_purchase, start_purchase};

        if let PaymentChoice::New { .. } = payment {
            // Stripe checks the details before anything is made for them.
            let Some(submitted) = self.field.with_form(|form| form.submit()) else {
                return not_ready();
            };
            if let Err(error) = submitted.await {
                return Outcome::Failed(explain(&error));
            }
        }
        let created = match order {
            Order::New {
                quantity,
                plan,
                po_number,
            } => {
                let save_card = payment == (PaymentChoice::New { save: true });
                let key = self.attempt_key(quantity, plan, save_card, &po_number);
                let saved = match &payment {
                    PaymentChoice::Saved(id) => Some(id.clone()),
                    PaymentChoice::New { .. } => None,
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
        let saved = match &payment {
            PaymentChoice::Saved(id) => Some(id.as_str()),
            PaymentChoice::New { .. } => None,
        };
        let return_url = return_url(&created.purchase_id);
        let confirmation = self.field.with_form(|form| {
            form.set_read_only(true);
            form.confirm_payment(&created.client_secret, &return_url, saved)
        });
        let Some(confirmation) = confirmation else {
            return not_ready();
        };
        let result = confirmation.await;

        // Whatever Stripe.js said, the server asks Stripe too: it records the result at once
        // instead of waiting for the webhook, and it is the server's view that counts.
        self.step.set(Step::Checking);
        let finished = finish_purchase(created.purchase_id.clone()).await;
        self.settle(result, finished)
    }

    /// Back from the bank's page (`return_url`): what Stripe.js and the server say about the
    /// payment that left for it.
    pub fn came_back(self, purchase_id: String, client_secret: String) {
        self.step.set(Step::Checking);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let Some(retrieval) = self
                .field
                .with_form(|form| form.retrieve_payment_intent(&client_secret))
            else {
                return self.finish(not_ready());
            };
            let result = retrieval.await;
            let finished = crate::rpc::purchases::finish_purchase(purchase_id).await;
            let outcome = self.settle(result, finished);
            self.finish(outcome);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (purchase_id, client_secret);
    }

    /// Shows `outcome`, unlocks the form, and keeps watching a payment that is still moving.
    #[cfg(feature = "hydrate")]
    fn finish(self, outcome: Outcome) {
        self.field.set_read_only(false);
        self.step.set(Step::Idle);
        // Paid, or under way at the bank: this order is done; another is a new purchase.
        if outcome.is_waiting() || matches!(outcome, Outcome::Paid { .. } | Outcome::Disputed) {
            self.attempt.set_value(None);
        }
        let waiting = outcome.is_waiting();
        self.outcome.set(Some(outcome));
        if let Some(id) = self.watching.get_value().filter(|_| waiting) {
            watch::again(self, id);
        }
    }

    /// The outcome from Stripe.js's answer and the server's view of the purchase after it.
    #[cfg(feature = "hydrate")]
    fn settle(
        self,
        result: crate::domain::payment_confirmation::ConfirmResult,
        finished: Result<crate::api_types::PurchaseOutcome, crate::error::AppError>,
    ) -> Outcome {
        use crate::domain::payment_confirmation::{ConfirmResult, explain, failed_with};
        use crate::domain::purchase_status::PurchaseStatus;

        if let Ok(done) = &finished
            && let Some(outcome) = self.outcome_of(done)
        {
            if outcome.is_waiting() {
                self.watching.set_value(Some(done.purchase.id.clone()));
            }
            return outcome;
        }
        match (result, finished) {
            (ConfirmResult::Failed(error), _) => {
                // An intent that can no longer be confirmed (canceled meanwhile) is not retried.
                if error.code.as_deref() == Some("payment_intent_unexpected_state") {
                    self.attempt.set_value(None);
                }
                Outcome::Failed(explain(&error))
            }
            (_, Ok(done)) if done.purchase.status == PurchaseStatus::Failed => {
                Outcome::Failed(failed_with(done.purchase.failure_message.as_deref()))
            }
            (ConfirmResult::Confirmed { .. }, _) => Outcome::Processing { debit: false },
        }
    }

    /// What a purchase the server reports on means for the page, when it has settled or is
    /// settling; `None` while it is still the admin's to pay (or failed: the caller knows why).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn outcome_of(&self, done: &crate::api_types::PurchaseOutcome) -> Option<Outcome> {
        use crate::domain::payment_method_types::PaymentMethodType;
        use crate::domain::purchase_status::PurchaseStatus;

        let purchase = &done.purchase;
        let outcome = match purchase.status {
            PurchaseStatus::Completed => Outcome::Paid {
                added: purchase.quantity,
                available: done.pool.available,
            },
            status if status.in_dispute() => Outcome::Disputed,
            PurchaseStatus::Processing => Outcome::Processing {
                debit: purchase.payment_method_type == Some(PaymentMethodType::UsBankAccount),
            },
            PurchaseStatus::AwaitingTransfer => {
                Outcome::AwaitingTransfer(Box::new(purchase.clone()))
            }
            PurchaseStatus::RequiresAction => {
                Outcome::VerifyMicrodeposits(purchase.verify_microdeposits_url.clone()?)
            }
            _ => return None,
        };
        self.available.set(done.pool.available);
        Some(outcome)
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

#[cfg(feature = "hydrate")]
fn not_ready() -> Outcome {
    Outcome::Failed("The payment form is not ready yet. Please wait a moment.".into())
}

/// Where Stripe.js sends the admin back after the bank's page: this page, with the purchase.
#[cfg(feature = "hydrate")]
fn return_url(purchase_id: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/billing/purchase?purchase={purchase_id}")
}

/// A bank payment settles without the admin: the page asks the server every few seconds (no
/// Stripe call: the webhook brings the news) and shows what changed, until it has settled or
/// the admin starts another payment.
#[cfg(feature = "hydrate")]
mod watch {
    use std::time::Duration;

    use leptos::prelude::*;

    use super::{Checkout, Outcome};
    use crate::domain::payment_confirmation::failed_with;
    use crate::domain::purchase_status::PurchaseStatus;
    use crate::rpc::purchases::check_purchase;

    const EVERY: Duration = Duration::from_secs(2);

    pub fn again(checkout: Checkout, purchase_id: String) {
        set_timeout(
            move || {
                leptos::task::spawn_local(async move {
                    let still = |checkout: &Checkout| {
                        checkout.watching.try_get_value().flatten().as_deref()
                            == Some(purchase_id.as_str())
                    };
                    if !still(&checkout) {
                        return;
                    }
                    // A failed look (the network, a restart) is tried again at the next tick.
                    if let Ok(done) = check_purchase(purchase_id.clone()).await {
                        if !still(&checkout) {
                            return;
                        }
                        let outcome = checkout.outcome_of(&done).unwrap_or_else(|| {
                            match done.purchase.status {
                                PurchaseStatus::Canceled => Outcome::Failed(
                                    "This purchase was canceled, so nothing more will be taken \
                                     for it."
                                        .into(),
                                ),
                                _ => Outcome::Failed(failed_with(
                                    done.purchase.failure_message.as_deref(),
                                )),
                            }
                        });
                        if !outcome.is_waiting() {
                            checkout.watching.set_value(None);
                        }
                        if checkout.outcome.get_untracked().as_ref() != Some(&outcome) {
                            checkout.outcome.set(Some(outcome));
                        }
                    }
                    if still(&checkout) {
                        again(checkout, purchase_id);
                    }
                });
            },
            EVERY,
        );
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
