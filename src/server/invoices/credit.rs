//! Credit notes for refunds: each refund of a purchase's payment, made in Stripe, is matched on
//! the purchase's paid invoice by a credit note for the refunded amount, linked to that refund,
//! so the invoice and the money agree for the institution's accounts-payable office.
//!
//! Once per refund: Stripe is the record of which refunds are credited (each credit note names
//! its refund) and the creation is keyed by the refund, so duplicated or shuffled refund
//! events, two instances and the sweep all end with one credit note per refund.
//! `purchases.credited_amount` only tells the sweep which purchases still have work.

use std::collections::HashSet;

use serde_json::json;
use stripe_billing::CreditNote;

use crate::domain::audit::AuditAction;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_unix;
use crate::server::state::AppState;
use crate::server::storage::purchases::{self, Purchase};
use crate::server::storage::{audit_log, institutions};
use crate::server::stripe::CreditNotesOf;

/// The sweep leaves a just-refunded purchase to the attempt its refund event started.
const SWEEP_AFTER_SECS: i64 = 60;
const SWEEP_BATCH: i64 = 50;

/// Whether the purchase has refunds its invoice does not yet show.
pub fn is_due(purchase: &Purchase) -> bool {
    purchase.invoiced_at.is_some() && purchase.amount_refunded > purchase.credited_amount
}

/// Credits the refunds of purchases whose invoice is behind, until done or the server is
/// stopping. Returns how many purchases it took up.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    let waiting =
        purchases::awaiting_credit(state.db.pool(), now_unix() - SWEEP_AFTER_SECS, SWEEP_BATCH)
            .await?;
    let mut taken_up = 0;
    for purchase in super::until_stopping(state, &waiting) {
        taken_up += 1;
        // One purchase Stripe cannot answer for must not stop the others.
        if let Err(e) = credit_refunds(state, purchase, Actor::System).await {
            tracing::warn!(purchase_id = %purchase.id, error = %e, "sweep could not issue the credit note");
        }
    }
    Ok(taken_up)
}

/// Issues a credit note for every succeeded refund of the purchase's payment that has none yet
/// (a pending refund waits: it may still fail), and logs each credit note once.
#[tracing::instrument(name = "credit_refunds", skip_all, fields(purchase_id = %purchase.id))]
pub async fn credit_refunds(
    state: &AppState,
    purchase: &Purchase,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let Some(invoice_id) = purchase.invoice_id.as_deref() else {
        return Ok(());
    };
    let mut notes = state
        .stripe
        .list_credit_notes(CreditNotesOf::Invoice(invoice_id))
        .await?;
    let credited: HashSet<String> = notes.iter().flat_map(refunds_of).collect();
    let mut creditable = purchase.amount - notes.iter().map(|n| n.amount).sum::<i64>();
    let mut refunds = state
        .stripe
        .list_refunds(&purchase.payment_intent_id)
        .await?;
    // Oldest first, so the credit notes' numbers follow the refunds' order.
    refunds.reverse();
    for refund in refunds {
        let id = refund.id.as_str();
        if refund.status.as_deref() != Some("succeeded") || credited.contains(id) {
            continue;
        }
        // A credit note made by hand in the dashboard may already cover part of the invoice.
        let amount = refund.amount.min(creditable);
        if amount <= 0 {
            tracing::warn!(
                refund_id = id,
                invoice_id,
                "refund not credited: the invoice is fully credited"
            );
            continue;
        }
        let note = state.stripe.credit_refund(invoice_id, id, amount).await?;
        creditable -= note.amount;
        notes.push(note);
    }
    for note in &notes {
        log_once(state, purchase, note, actor).await?;
    }
    let covered = notes.iter().map(|n| n.amount).sum::<i64>();
    purchases::set_credited(
        state.db.pool(),
        &purchase.id,
        covered.min(purchase.amount_refunded),
    )
    .await?;
    // The invoice list shows credit notes under their invoice.
    if let Some(customer_id) =
        institutions::stripe_customer_id(state.db.pool(), &purchase.institution_id).await?
    {
        institutions::bump_stripe_lists(state.db.pool(), &customer_id).await?;
    }
    Ok(())
}

fn refunds_of(note: &CreditNote) -> impl Iterator<Item = String> + '_ {
    note.refunds
        .iter()
        .map(|r| r.refund.id().as_str().to_owned())
}

/// One `credit_note.issued` entry per credit note, also when a crash came between creating it
/// and logging it (the next run finds it unlogged).
async fn log_once(
    state: &AppState,
    purchase: &Purchase,
    note: &CreditNote,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let action = AuditAction::CreditNoteIssued;
    let id = note.id.as_str();
    if audit_log::has_entry(
        state.db.pool(),
        &purchase.institution_id,
        action.as_str(),
        id,
    )
    .await?
    {
        return Ok(());
    }
    let details = json!({
        "number": note.number,
        "amount": note.amount,
        "currency": note.currency.to_string(),
        "invoice": purchase.invoice_id,
        "purchase": purchase.id,
        "refunds": refunds_of(note).collect::<Vec<_>>(),
    });
    audit::record(
        state.db.pool(),
        &purchase.institution_id,
        actor,
        action,
        ("credit_note", id),
        details,
    )
    .await?;
    tracing::info!(purchase_id = %purchase.id, credit_note_id = id, amount = note.amount, "credit note issued");
    Ok(())
}
