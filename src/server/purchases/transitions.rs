//! Applying what Stripe says about a PaymentIntent to its purchase. The webhook, the browser's
//! reconciliation call and the sweep all come through `apply`, so they cannot disagree, and
//! whichever arrives first does the work while the others find nothing left to do. Refunds
//! (made in Stripe, reported on the charge) come through `apply_refund`.

use serde_json::json;
use sqlx::AnyConnection;
use stripe_core::PaymentIntentNextActionDisplayBankTransferInstructions as TransferInstructions;
use stripe_core::{Charge, PaymentIntent, PaymentIntentStatus};

use crate::api_types::BankTransfer;
use crate::domain::audit::AuditAction;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::domain::purchase_status::{
    IntentOutcome, PurchaseStatus, next_status, snapshot_may_be_stale,
};
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
    /// The payment method of the intent's latest attempt, if any.
    pub payment_method: Option<PaymentMethodSeen>,
    /// Where to send the money, for an intent waiting for a bank transfer.
    pub transfer: Option<BankTransfer>,
    /// Stripe's page for verifying microdeposits, for a debit waiting for them.
    pub verification_url: Option<String>,
    /// A webhook's copy of the intent as it was when the event was made, which may be older
    /// than what we know; `false` for an intent just retrieved from Stripe.
    pub snapshot: bool,
}

/// An intent's payment method: its id, and its type when the intent shows it (expanded, or
/// evident from what the intent waits for); otherwise it is looked up by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethodSeen {
    pub id: String,
    pub kind: Option<PaymentMethodType>,
}

impl IntentReport {
    pub fn from_intent(intent: &PaymentIntent) -> Self {
        let next_action = intent.next_action.as_ref();
        let instructions = next_action.and_then(|a| a.display_bank_transfer_instructions.as_ref());
        let currency = intent.currency.to_string();
        let outcome = match intent.status {
            PaymentIntentStatus::Succeeded => Some(IntentOutcome::Succeeded),
            PaymentIntentStatus::Processing => Some(IntentOutcome::Processing),
            PaymentIntentStatus::RequiresAction if instructions.is_some() => {
                Some(IntentOutcome::AwaitingTransfer)
            }
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
            failure_message: intent
                .last_payment_error
                .as_ref()
                .and_then(|e| e.message.clone()),
            payment_method: payment_method_of(intent),
            transfer: instructions.and_then(|i| bank_transfer(i, &currency)),
            verification_url: next_action
                .and_then(|a| a.verify_with_microdeposits.as_ref())
                .map(|v| v.hosted_verification_url.clone()),
            currency,
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

fn payment_method_of(intent: &PaymentIntent) -> Option<PaymentMethodSeen> {
    let method = intent.payment_method.as_ref()?;
    let next_action = intent.next_action.as_ref();
    let kind = if let Some(object) = method.as_object() {
        PaymentMethodType::parse(object.type_.as_str())
    } else if next_action.is_some_and(|a| a.display_bank_transfer_instructions.is_some()) {
        Some(PaymentMethodType::CustomerBalance)
    } else if next_action.is_some_and(|a| a.verify_with_microdeposits.is_some()) {
        Some(PaymentMethodType::UsBankAccount)
    } else {
        // A declined attempt's error carries the whole payment method.
        intent
            .last_payment_error
            .as_ref()
            .and_then(|e| e.payment_method.as_ref())
            .filter(|m| m.id == *method.id())
            .and_then(|m| PaymentMethodType::parse(m.type_.as_str()))
    };
    Some(PaymentMethodSeen {
        id: method.id().as_str().to_owned(),
        kind,
    })
}

/// The US account details of Stripe's instructions (the only transfers this product takes).
fn bank_transfer(instructions: &TransferInstructions, currency: &str) -> Option<BankTransfer> {
    let aba = instructions
        .financial_addresses
        .as_ref()?
        .iter()
        .find_map(|a| a.aba.as_ref())?;
    Some(BankTransfer {
        amount_remaining: instructions.amount_remaining?,
        currency: instructions
            .currency
            .as_ref()
            .map_or_else(|| currency.to_owned(), |c| c.to_string()),
        reference: instructions.reference.clone()?,
        account_number: aba.account_number.clone(),
        routing_number: aba.routing_number.clone(),
        hosted_instructions_url: instructions.hosted_instructions_url.clone()?,
    })
}

fn log_left_as_is(purchase: &Purchase, report: &IntentReport, why: &'static str) {
    tracing::info!(
        purchase_id = %purchase.id,
        payment_intent_id = %report.payment_intent_id,
        status = purchase.status.as_str(),
        outcome = ?report.outcome,
        "{why}"
    );
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
            // The same step again (more money arrived on a transfer), or news too old to
            // change the status: its details are recorded only while they describe the
            // current step.
            if report.outcome == Some(IntentOutcome::AwaitingTransfer)
                && current == PurchaseStatus::AwaitingTransfer
            {
                if record_details(&mut *conn, &purchase, report).await? {
                    return purchases::find_by_payment_intent(
                        &mut *conn,
                        &report.payment_intent_id,
                    )
                    .await;
                }
                return Ok(Some(purchase));
            }
            log_left_as_is(&purchase, report, "no change to the purchase");
            return Ok(Some(purchase));
        };
        if report.snapshot && snapshot_may_be_stale(current, next) {
            log_left_as_is(
                &purchase,
                report,
                "news that may be older than the purchase's latest attempt; left as it is",
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
        let details_changed = record_details(&mut *conn, &purchase, report).await?;
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
        if details_changed {
            return purchases::find_by_payment_intent(&mut *conn, &report.payment_intent_id).await;
        }
        return Ok(Some(Purchase {
            status: next,
            failure_message,
            ..purchase
        }));
    }
}

/// Records how the purchase is being paid, and where a transfer is to go, as the report says;
/// whether anything was new (otherwise the purchase as read still holds).
async fn record_details(
    conn: &mut AnyConnection,
    purchase: &Purchase,
    report: &IntentReport,
) -> Result<bool, sqlx::Error> {
    let mut changed = false;
    if let Some(method) = &report.payment_method {
        let known = purchase.payment_method_id.as_deref() == Some(method.id.as_str())
            && (method.kind.is_none()
                || purchase.payment_method_type.as_deref() == method.kind.map(|k| k.as_str()));
        if !known {
            purchases::record_payment_method(&mut *conn, &purchase.id, &method.id, method.kind)
                .await?;
            changed = true;
        }
    }
    if let Some(url) = &report.verification_url
        && purchase.verification_url.as_ref() != Some(url)
    {
        purchases::record_verification_url(&mut *conn, &purchase.id, url).await?;
        changed = true;
    }
    if let Some(transfer) = &report.transfer {
        let remaining = purchase.transfer_amount_remaining;
        if remaining.is_none_or(|r| r > transfer.amount_remaining) {
            purchases::record_transfer(&mut *conn, &purchase.id, transfer).await?;
            tracing::info!(
                purchase_id = %purchase.id,
                amount_remaining = transfer.amount_remaining,
                "bank transfer instructions recorded"
            );
            changed = true;
        }
    }
    Ok(changed)
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
