//! Applying what Stripe says about a PaymentIntent to its purchase. The webhook, the browser's
//! reconciliation call and the sweep all come through `apply`, so they cannot disagree, and
//! whichever arrives first does the work while the others find nothing left to do.

use sqlx::AnyConnection;
use stripe_core::{PaymentIntent, PaymentIntentStatus};

use crate::domain::purchase_status::{IntentOutcome, PurchaseStatus, next_status};
use crate::server::storage::ledger;
use crate::server::storage::purchases::{self, Purchase};

/// What Stripe says about one PaymentIntent, from a webhook's object or from retrieving it.
#[derive(Debug, Clone)]
pub struct IntentReport {
    pub payment_intent_id: String,
    /// `None` when the intent's state says nothing new about the payment (not yet attempted).
    pub outcome: Option<IntentOutcome>,
    pub amount: i64,
    pub currency: String,
    pub failure_message: Option<String>,
}

impl IntentReport {
    pub fn from_intent(intent: &PaymentIntent) -> Self {
        let outcome = match intent.status {
            PaymentIntentStatus::Succeeded => Some(IntentOutcome::Succeeded),
            PaymentIntentStatus::Processing => Some(IntentOutcome::Processing),
            PaymentIntentStatus::RequiresAction => Some(IntentOutcome::RequiresAction),
            PaymentIntentStatus::Canceled => Some(IntentOutcome::Canceled),
            // After a declined attempt Stripe puts the intent back to `requires_payment_method`
            // with the decline in `last_payment_error`; without one, nothing was tried yet.
            PaymentIntentStatus::RequiresPaymentMethod if intent.last_payment_error.is_some() => {
                Some(IntentOutcome::Failed)
            }
            _ => None,
        };
        IntentReport {
            payment_intent_id: intent.id.as_str().to_owned(),
            outcome,
            amount: intent.amount,
            currency: intent.currency.to_string(),
            failure_message: intent
                .last_payment_error
                .as_ref()
                .and_then(|e| e.message.clone()),
        }
    }
}

/// Moves the intent's purchase forward if the report is news, crediting the pool once when it
/// completes. Returns the purchase as it now is, or `None` when the intent is not one of ours.
/// Run it inside the caller's write transaction, together with anything that must happen
/// exactly once with it (recording a webhook event).
pub async fn apply(
    conn: &mut AnyConnection,
    report: &IntentReport,
) -> Result<Option<Purchase>, sqlx::Error> {
    // A lost race (another transaction moved the purchase between our read and our update)
    // means reading again; statuses only move forward, so this ends within a few rounds.
    loop {
        let Some(purchase) =
            purchases::find_by_payment_intent(&mut *conn, &report.payment_intent_id).await?
        else {
            tracing::warn!(
                payment_intent_id = %report.payment_intent_id,
                "payment intent is not one of our purchases; ignored"
            );
            return Ok(None);
        };
        let current = purchase.status();
        let Some(next) = report.outcome.and_then(|o| next_status(current, o)) else {
            tracing::info!(
                purchase_id = %purchase.id,
                payment_intent_id = %report.payment_intent_id,
                status = current.as_str(),
                outcome = ?report.outcome,
                "no change to the purchase"
            );
            return Ok(Some(purchase));
        };
        if next == PurchaseStatus::Completed
            && (report.amount != purchase.amount || report.currency != purchase.currency)
        {
            // Never credit sessions for a payment that is not what the purchase priced.
            tracing::error!(
                purchase_id = %purchase.id,
                payment_intent_id = %report.payment_intent_id,
                expected_amount = purchase.amount,
                expected_currency = %purchase.currency,
                paid_amount = report.amount,
                paid_currency = %report.currency,
                "payment does not match the purchase; not credited"
            );
            return Ok(Some(purchase));
        }
        let failure_message = match next {
            PurchaseStatus::Failed => report.failure_message.clone(),
            _ => None,
        };
        if !purchases::change_status(
            &mut *conn,
            &purchase.id,
            current,
            next,
            failure_message.as_deref(),
        )
        .await?
        {
            continue;
        }
        let credited = next == PurchaseStatus::Completed
            && ledger::credit_purchase(
                &mut *conn,
                &purchase.institution_id,
                &purchase.id,
                purchase.quantity,
            )
            .await?;
        tracing::info!(
            purchase_id = %purchase.id,
            payment_intent_id = %report.payment_intent_id,
            from = current.as_str(),
            to = next.as_str(),
            sessions_credited = if credited { purchase.quantity } else { 0 },
            "purchase status changed"
        );
        return Ok(Some(Purchase {
            status: next.as_str().to_owned(),
            failure_message,
            ..purchase
        }));
    }
}
