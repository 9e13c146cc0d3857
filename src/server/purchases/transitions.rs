//! Applying what Stripe says about a PaymentIntent to its purchase. The webhook, the browser's
//! reconciliation call and the sweep all come through `apply`, so they cannot disagree, and
//! whichever arrives first does the work while the others find nothing left to do. Refunds
//! (made in Stripe, reported on the charge) come through `apply_refund`.

use serde_json::json;
use sqlx::AnyConnection;
use stripe_core::{Charge, PaymentIntent, PaymentIntentStatus};

use crate::domain::audit::AuditAction;
use crate::domain::purchase_status::{IntentOutcome, PurchaseStatus, next_status};
use crate::domain::refund::{sessions_refunded, status_after_refund};
use crate::server::audit::{self, Actor};
use crate::server::metrics;
use crate::server::storage::ledger::{self, Entry};
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
    /// A webhook's copy of the intent as it was when the event was made, which may be older
    /// than what we know; `false` for an intent just retrieved from Stripe.
    pub snapshot: bool,
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
            snapshot: false,
        }
    }

    /// As [`IntentReport::from_intent`], for the copy of the intent a webhook event carries.
    pub fn from_event(intent: &PaymentIntent) -> Self {
        IntentReport {
            snapshot: true,
            ..Self::from_intent(intent)
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
    actor: Actor<'_>,
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
        let current = purchase.status;
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
        if report.snapshot
            && (current, next) == (PurchaseStatus::Failed, PurchaseStatus::Processing)
        {
            // Either a new attempt, or the failed attempt's own `processing` news delivered
            // late (webhooks come in any order); a copy cannot tell which. Leaving the purchase
            // failed loses nothing: the new attempt's outcome arrives as its own event, and
            // the browser asks Stripe directly after paying.
            tracing::info!(
                purchase_id = %purchase.id,
                payment_intent_id = %report.payment_intent_id,
                "processing news about a failed purchase may be late; left failed"
            );
            return Ok(Some(purchase));
        }
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
            && ledger::record(
                &mut *conn,
                &Entry::purchase(
                    &purchase.institution_id,
                    &purchase.id,
                    purchase.quantity,
                    purchase.amount,
                ),
            )
            .await?;
        let sessions_credited = if credited { purchase.quantity } else { 0 };
        if let Some(action) = audit_action(next) {
            // A cancellation is the doing of whoever asked for it, whichever report of it
            // arrived first.
            let actor = match (next, &purchase.cancel_requested_by) {
                (PurchaseStatus::Canceled, Some(by)) => Actor::from_name(by),
                _ => actor,
            };
            let details = json!({
                "status": { "before": current.as_str(), "after": next.as_str() },
                "amount": purchase.amount,
                "currency": purchase.currency,
                "sessions_credited": sessions_credited,
                "failure_message": failure_message,
            });
            let object = ("purchase", purchase.id.as_str());
            audit::record(
                &mut *conn,
                &purchase.institution_id,
                actor,
                action,
                object,
                details,
            )
            .await?;
        }
        tracing::info!(
            purchase_id = %purchase.id,
            payment_intent_id = %report.payment_intent_id,
            from = current.as_str(),
            to = next.as_str(),
            sessions_credited,
            "purchase status changed"
        );
        return Ok(Some(Purchase {
            status: next,
            failure_message,
            ..purchase
        }));
    }
}

/// The audit log's name for a purchase reaching `status`; steps on the way (processing, needs
/// authentication) are not entries of their own.
fn audit_action(status: PurchaseStatus) -> Option<AuditAction> {
    match status {
        PurchaseStatus::Completed => Some(AuditAction::PurchaseCompleted),
        PurchaseStatus::Failed => Some(AuditAction::PurchaseFailed),
        PurchaseStatus::Canceled => Some(AuditAction::PurchaseCanceled),
        _ => None,
    }
}

/// What Stripe says about a charge's refunds (`charge.refunded`): the total refunded so far.
#[derive(Debug, Clone)]
pub struct RefundReport {
    pub payment_intent_id: String,
    pub charge_id: String,
    pub amount_refunded: i64,
    pub currency: String,
}

impl RefundReport {
    /// `None` for a charge made without a PaymentIntent: not one of our purchases.
    pub fn from_charge(charge: &Charge) -> Option<Self> {
        Some(RefundReport {
            payment_intent_id: charge.payment_intent.as_ref()?.id().as_str().to_owned(),
            charge_id: charge.id.as_str().to_owned(),
            amount_refunded: charge.amount_refunded,
            currency: charge.currency.to_string(),
        })
    }
}

#[derive(Debug)]
pub enum RefundOutcome {
    /// Applied, or nothing new (a redelivery, or an older total): the purchase as it now is.
    Done(Box<Purchase>),
    /// The charge is not one of our purchases'.
    NotOurs,
    /// We have not yet seen the payment succeed; the refund must wait until we have (the
    /// webhook answers 503 so Stripe redelivers it, by when reconciliation has caught up).
    NotYetPaid,
}

/// Records the refunded total on the purchase (`partially_refunded`, or `refunded` once all of
/// it is) and takes the refunded share of its sessions out of the pool, with the money, as one
/// ledger row per new total. Stripe reports the running total, so the debit is what brings the
/// purchase's refund rows up to the share of that total: a redelivered event adds nothing, and
/// an older total arriving after a newer one takes nothing. Run it in the caller's write
/// transaction, with the event's record.
pub async fn apply_refund(
    conn: &mut AnyConnection,
    report: &RefundReport,
) -> Result<RefundOutcome, sqlx::Error> {
    let Some(purchase) =
        purchases::find_by_payment_intent(&mut *conn, &report.payment_intent_id).await?
    else {
        tracing::warn!(
            payment_intent_id = %report.payment_intent_id,
            charge_id = %report.charge_id,
            "refunded charge is not one of our purchases; ignored"
        );
        return Ok(RefundOutcome::NotOurs);
    };
    if !purchase.status.is_paid() {
        tracing::warn!(
            purchase_id = %purchase.id,
            charge_id = %report.charge_id,
            status = purchase.status.as_str(),
            "refund for a purchase not yet seen paid; Stripe will redeliver it"
        );
        return Ok(RefundOutcome::NotYetPaid);
    }
    if report.currency != purchase.currency {
        tracing::error!(
            purchase_id = %purchase.id,
            charge_id = %report.charge_id,
            refund_currency = %report.currency,
            "refund in another currency than the purchase; ignored"
        );
        return Ok(RefundOutcome::Done(Box::new(purchase)));
    }
    let total = report.amount_refunded.min(purchase.amount);
    let status = if purchase.status.in_dispute() {
        purchase.status
    } else {
        status_after_refund(purchase.amount, total)
    };
    if !purchases::record_refund(&mut *conn, &purchase.id, total, status).await? {
        tracing::info!(
            purchase_id = %purchase.id,
            charge_id = %report.charge_id,
            amount_refunded = total,
            "refund already applied; nothing new"
        );
        return Ok(RefundOutcome::Done(Box::new(purchase)));
    }
    metrics::purchase_transition(purchase.status, status);
    let details = json!({
        "amount_refunded": { "before": purchase.amount_refunded, "after": total },
        "status": { "before": purchase.status.as_str(), "after": status.as_str() },
        "currency": purchase.currency,
        "charge": report.charge_id,
    });
    audit::record(
        &mut *conn,
        &purchase.institution_id,
        Actor::Stripe,
        AuditAction::PurchaseRefunded,
        ("purchase", &purchase.id),
        details,
    )
    .await?;
    // Read after the update: on PostgreSQL it holds the purchase's row lock, so a concurrent
    // refund of the same purchase has either committed its row already or waits for ours.
    let (sessions_before, amount_before) = ledger::refunded(&mut *conn, &purchase.id).await?;
    let sessions = sessions_refunded(purchase.quantity, purchase.amount, total) - sessions_before;
    // One row per refunded total of the charge: the same total twice is one row. After a
    // refund failed, the total can be reached again by a new refund: a new row.
    let refund_id = match ledger::failed_refunds(&mut *conn, &purchase.id).await? {
        0 => format!("{}:{total}", report.charge_id),
        failed => format!("{}:{total}:{failed}", report.charge_id),
    };
    ledger::record(
        &mut *conn,
        &Entry::refund(
            (&purchase.institution_id, &purchase.id),
            &refund_id,
            sessions,
            total - amount_before,
        ),
    )
    .await?;
    tracing::info!(
        purchase_id = %purchase.id,
        charge_id = %report.charge_id,
        amount_refunded = total,
        sessions_taken_back = sessions,
        status = status.as_str(),
        "refund applied"
    );
    Ok(RefundOutcome::Done(Box::new(Purchase {
        status,
        amount_refunded: total,
        ..purchase
    })))
}
