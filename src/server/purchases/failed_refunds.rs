//! A refund that fails after it was made (`refund.failed`, or `charge.refund.updated` with the
//! refund `failed`): Stripe puts the money back on the charge, so the purchase gets back the
//! sessions that refund took, once per refund.

use sqlx::AnyConnection;
use stripe_core::Refund;

use super::transitions::RefundOutcome;
use crate::domain::purchase_status::PurchaseStatus;
use crate::domain::refund::{sessions_refunded, status_after_refund};
use crate::server::metrics;
use crate::server::storage::ledger::{self, Entry};
use crate::server::storage::purchases::{self, Purchase};

/// A refund of one of our payments that failed.
#[derive(Debug, Clone)]
pub struct FailedRefund {
    pub refund_id: String,
    pub payment_intent_id: String,
    pub amount: i64,
}

impl FailedRefund {
    /// `None` unless the refund failed and belongs to a PaymentIntent.
    pub fn from_refund(refund: &Refund) -> Option<Self> {
        if refund.status.as_deref() != Some("failed") {
            return None;
        }
        Some(FailedRefund {
            refund_id: refund.id.as_str().to_owned(),
            payment_intent_id: refund.payment_intent.as_ref()?.id().as_str().to_owned(),
            amount: refund.amount,
        })
    }
}

/// Lowers the purchase's refunded total by the failed refund and gives back the sessions that
/// brings back, as one ledger row per refund. Run it in the caller's write transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    failed: &FailedRefund,
) -> Result<RefundOutcome, sqlx::Error> {
    let Some(purchase) =
        purchases::find_by_payment_intent(&mut *conn, &failed.payment_intent_id).await?
    else {
        return Ok(RefundOutcome::NotOurs);
    };
    if ledger::refund_failure_recorded(&mut *conn, &failed.refund_id).await? {
        // `refund.failed` and `charge.refund.updated` both report it.
        return Ok(RefundOutcome::Done(Box::new(purchase)));
    }
    if purchase.amount_refunded == 0 {
        // The refund itself has not been seen yet; Stripe delivers the failure again.
        return Ok(RefundOutcome::NotYetPaid);
    }
    let before = purchase.amount_refunded;
    let total = (before - failed.amount).max(0);
    let sessions = sessions_refunded(purchase.quantity, purchase.amount, before)
        - sessions_refunded(purchase.quantity, purchase.amount, total);
    let entry = Entry::refund_failed(
        (&purchase.institution_id, &purchase.id),
        &failed.refund_id,
        sessions,
        before - total,
    );
    if !ledger::record(&mut *conn, &entry).await? {
        return Ok(RefundOutcome::Done(Box::new(purchase)));
    }
    let status = match total {
        _ if purchase.status.in_dispute() => purchase.status,
        0 => PurchaseStatus::Completed,
        _ => status_after_refund(purchase.amount, total),
    };
    purchases::set_refunded(&mut *conn, &purchase.id, total, status, before - total).await?;
    metrics::purchase_transition(purchase.status, status);
    tracing::info!(
        purchase_id = %purchase.id,
        refund_id = %failed.refund_id,
        sessions_given_back = sessions,
        amount_refunded = total,
        "refund failed; its sessions are back"
    );
    Ok(RefundOutcome::Done(Box::new(Purchase {
        status,
        amount_refunded: total,
        refund_failed_amount: purchase.refund_failed_amount + before - total,
        ..purchase
    })))
}
