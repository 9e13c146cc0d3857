//! Disputes (chargebacks) of our payments. When one opens (`charge.dispute.created`) the
//! purchase shows `disputed` and the sessions it still holds are taken out of the pool, never
//! below zero: what the pool no longer had is the shortfall, kept on the purchase and shown.
//! Closed as won (`charge.dispute.closed`, `won`), what was taken comes back and the purchase is
//! paid again; lost, it stays out and the purchase shows `dispute_lost`. Each change is one
//! ledger row per dispute and outcome, so redelivered events change nothing.

use serde_json::json;
use sqlx::AnyConnection;
use stripe_core::{Dispute, DisputeStatus};

use super::transitions::RefundOutcome;
use crate::domain::audit::AuditAction;
use crate::domain::purchase_status::PurchaseStatus;
use crate::domain::refund::{sessions_refunded, status_after_refund};
use crate::server::audit::{self, Actor};
use crate::server::metrics;
use crate::server::storage::ledger::{self, Entry};
use crate::server::storage::purchases::{self, Purchase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeNews {
    Opened,
    Won,
    Lost,
}

/// What Stripe says about a dispute of one of our payments.
#[derive(Debug, Clone)]
pub struct DisputeReport {
    pub dispute_id: String,
    pub payment_intent_id: String,
    pub amount: i64,
    pub news: DisputeNews,
}

impl DisputeReport {
    /// From `charge.dispute.created` (`opened`) or `charge.dispute.closed`; `None` for a
    /// dispute without a PaymentIntent, or closed some other way (a warning, prevented).
    pub fn from_dispute(dispute: &Dispute, opened: bool) -> Option<Self> {
        let news = match (&dispute.status, opened) {
            (_, true) => DisputeNews::Opened,
            (DisputeStatus::Won, false) => DisputeNews::Won,
            (DisputeStatus::Lost, false) => DisputeNews::Lost,
            _ => return None,
        };
        Some(DisputeReport {
            dispute_id: dispute.id.as_str().to_owned(),
            payment_intent_id: dispute.payment_intent.as_ref()?.id().as_str().to_owned(),
            amount: dispute.amount,
            news,
        })
    }
}

/// Applies the dispute news to its purchase. Run it in the caller's write transaction.
pub async fn apply(
    conn: &mut AnyConnection,
    report: &DisputeReport,
) -> Result<RefundOutcome, sqlx::Error> {
    let Some(purchase) =
        purchases::find_by_payment_intent(&mut *conn, &report.payment_intent_id).await?
    else {
        return Ok(RefundOutcome::NotOurs);
    };
    if !purchase.status.is_paid() {
        // Stripe delivers it again; by then the payment's own event has arrived.
        return Ok(RefundOutcome::NotYetPaid);
    }
    let purchase = match report.news {
        DisputeNews::Opened => open(conn, purchase, report).await?,
        DisputeNews::Lost => {
            let purchase = open(conn, purchase, report).await?;
            settle(conn, purchase, PurchaseStatus::DisputeLost).await?
        }
        DisputeNews::Won => win(conn, purchase, report).await?,
    };
    Ok(RefundOutcome::Done(Box::new(purchase)))
}

/// Holds back the sessions the purchase still holds, once per dispute (and never after the
/// dispute was won: a late `created` changes nothing then).
async fn open(
    conn: &mut AnyConnection,
    purchase: Purchase,
    report: &DisputeReport,
) -> Result<Purchase, sqlx::Error> {
    if ledger::dispute_won(&mut *conn, &report.dispute_id).await? {
        return Ok(purchase);
    }
    let held = sessions_refunded(purchase.quantity, purchase.amount, purchase.amount_refunded);
    let wanted = purchase.quantity - held;
    let (available, _) = ledger::totals(&mut *conn, &purchase.institution_id).await?;
    let taken = wanted.min(available.max(0));
    let entry = Entry::dispute(
        (&purchase.institution_id, &purchase.id),
        &report.dispute_id,
        taken,
        report.amount,
    );
    if !ledger::record(&mut *conn, &entry).await? {
        return Ok(purchase);
    }
    let shortfall = wanted - taken;
    metrics::purchase_transition(purchase.status, PurchaseStatus::Disputed);
    purchases::set_dispute(
        &mut *conn,
        &purchase.id,
        PurchaseStatus::Disputed,
        shortfall,
    )
    .await?;
    let details = json!({
        "status": { "before": purchase.status.as_str(), "after": PurchaseStatus::Disputed.as_str() },
        "dispute": report.dispute_id,
        "amount": report.amount,
        "currency": purchase.currency,
        "sessions_held_back": taken,
    });
    audit::record(
        &mut *conn,
        &purchase.institution_id,
        Actor::Stripe,
        AuditAction::PurchaseDisputed,
        ("purchase", &purchase.id),
        details,
    )
    .await?;
    tracing::warn!(
        purchase_id = %purchase.id,
        dispute_id = %report.dispute_id,
        sessions_held_back = taken,
        shortfall,
        "payment disputed; its sessions are held back"
    );
    Ok(Purchase {
        status: PurchaseStatus::Disputed,
        dispute_shortfall: shortfall,
        ..purchase
    })
}

/// Gives back what the dispute held back, once, and the purchase is paid again.
async fn win(
    conn: &mut AnyConnection,
    purchase: Purchase,
    report: &DisputeReport,
) -> Result<Purchase, sqlx::Error> {
    let (sessions, amount) = ledger::held_by_dispute(&mut *conn, &report.dispute_id)
        .await?
        .unwrap_or((0, 0));
    let entry = Entry::dispute_won(
        (&purchase.institution_id, &purchase.id),
        &report.dispute_id,
        sessions,
        amount,
    );
    if !ledger::record(&mut *conn, &entry).await? {
        return Ok(purchase);
    }
    let paid = match purchase.amount_refunded {
        0 => PurchaseStatus::Completed,
        refunded => status_after_refund(purchase.amount, refunded),
    };
    tracing::info!(
        purchase_id = %purchase.id,
        dispute_id = %report.dispute_id,
        sessions_given_back = sessions,
        "dispute won; its sessions are back"
    );
    settle(conn, purchase, paid).await
}

async fn settle(
    conn: &mut AnyConnection,
    purchase: Purchase,
    status: PurchaseStatus,
) -> Result<Purchase, sqlx::Error> {
    let shortfall = if status == PurchaseStatus::DisputeLost {
        purchase.dispute_shortfall
    } else {
        0
    };
    purchases::set_dispute(&mut *conn, &purchase.id, status, shortfall).await?;
    metrics::purchase_transition(purchase.status, status);
    Ok(Purchase {
        status,
        dispute_shortfall: shortfall,
        ..purchase
    })
}
