//! Issuing the invoice of a paid purchase, after the payment completed and outside the
//! transaction that recorded it (the webhook answers Stripe without waiting for it).
//!
//! Mechanism: the invoice is created as a draft (`auto_advance=false`, so Stripe never charges
//! it by itself), gets its one line, is finalized, and then the purchase's own succeeded
//! PaymentIntent is attached (`POST /v1/invoices/{id}/attach_payment`). Since API version
//! 2025-05-28.basil (async-stripe rc.10 pins 2026-09-30.endive) that is how Stripe documents
//! paying an invoice with an existing PaymentIntent: the payment is credited to the invoice,
//! which becomes `paid` and lists the payment in `payments`. `paid_out_of_band` would mark it
//! paid with no link to any payment, as if the money had come from outside Stripe.
//!
//! Never two invoices for one purchase: every step is idempotent. Creation uses an
//! idempotency key made from the purchase id and its result is recorded at once in
//! `purchases.invoice_id`; a retry continues from the recorded invoice's state (a draft
//! without a line gets its line, a draft is finalized, an open one gets the payment).

use serde_json::json;
use stripe_billing::{Invoice, InvoiceStatus};

use crate::domain::audit::AuditAction;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_unix;
use crate::server::state::AppState;
use crate::server::storage::purchases::{self, Purchase};
use crate::server::storage::{audit_log, institutions};
use crate::server::stripe::PurchaseInvoice;

use super::credit;

/// The sweep leaves a just-paid purchase to the attempt started when it completed.
const SWEEP_AFTER_SECS: i64 = 60;
const SWEEP_BATCH: i64 = 50;
/// Draft → open → paid: each round moves one step, the last one finds the invoice paid.
const ROUNDS: usize = 3;

/// Queues the purchase for its invoice if it is paid and not yet invoiced, or for credit notes
/// if its invoice does not show all its refunds (see `queue`); a failure is logged and left to
/// the sweep.
pub fn spawn_for(state: &AppState, purchase: &Purchase) {
    let needs_invoice = purchase.status.is_paid() && purchase.invoiced_at.is_none();
    if needs_invoice || credit::is_due(purchase) {
        state.invoice_queue.push(state, purchase.clone());
    }
}

/// Issues the invoices paid purchases are still waiting for, until done or the server is
/// stopping. Returns how many it took up.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    let waiting =
        purchases::awaiting_invoice(state.db.pool(), now_unix() - SWEEP_AFTER_SECS, SWEEP_BATCH)
            .await?;
    let mut taken_up = 0;
    for purchase in super::until_stopping(state, &waiting) {
        taken_up += 1;
        // One purchase Stripe cannot answer for must not stop the others.
        if let Err(e) = issue(state, purchase).await {
            tracing::warn!(purchase_id = %purchase.id, error = %e, "sweep could not issue the invoice");
        }
    }
    Ok(taken_up)
}

/// Brings the purchase's invoice, step by step, to `paid`.
#[tracing::instrument(name = "issue_invoice", skip_all, fields(purchase_id = %purchase.id))]
pub async fn issue(state: &AppState, purchase: &Purchase) -> Result<(), AppError> {
    let customer_id = institutions::find(state.db.pool(), &purchase.institution_id)
        .await?
        .and_then(|i| i.stripe_customer_id)
        .ok_or_else(|| {
            tracing::error!(purchase_id = %purchase.id, "paid purchase without a Stripe customer");
            AppError::Internal
        })?;
    let details = PurchaseInvoice {
        purchase_id: &purchase.id,
        customer_id: &customer_id,
        quantity: purchase.quantity,
        unit_amount: purchase.unit_amount,
        currency: &purchase.currency,
        plan: purchase.plan,
        po_number: purchase.po_number.as_deref(),
    };
    let mut invoice = match &purchase.invoice_id {
        Some(id) => state.stripe.retrieve_invoice(id).await?,
        None => {
            let invoice = state.stripe.create_invoice(&details).await?;
            purchases::set_invoice_id(state.db.pool(), &purchase.id, id_of(&invoice)?).await?;
            invoice
        }
    };
    let invoice_id = id_of(&invoice)?.to_owned();
    for _ in 0..ROUNDS {
        invoice = match invoice.status {
            Some(InvoiceStatus::Draft) => {
                if invoice.lines.data.is_empty() {
                    state.stripe.add_invoice_line(&invoice_id, &details).await?;
                }
                state
                    .stripe
                    .finalize_invoice(&invoice_id, &purchase.id)
                    .await?
            }
            Some(InvoiceStatus::Open) => {
                state
                    .stripe
                    .attach_payment(&invoice_id, &purchase.payment_intent_id, &purchase.id)
                    .await?
            }
            status => {
                if status != Some(InvoiceStatus::Paid) {
                    // Voided or written off in the Stripe dashboard: someone decided; stop.
                    tracing::warn!(
                        purchase_id = %purchase.id,
                        invoice_id,
                        status = ?status,
                        "purchase invoice is neither payable nor paid; left as it is"
                    );
                }
                if status == Some(InvoiceStatus::Paid) {
                    send_receipt(state, purchase, &invoice_id).await;
                }
                purchases::mark_invoiced(state.db.pool(), &purchase.id).await?;
                // New, or paid, since the invoice list was last read (a copy read while it was
                // a draft lives at most `list_cache::MAX_AGE` if this step never comes).
                institutions::bump_stripe_lists(state.db.pool(), &customer_id).await?;
                tracing::info!(
                    purchase_id = %purchase.id,
                    invoice_id,
                    payment_intent_id = %purchase.payment_intent_id,
                    "purchase invoice issued"
                );
                return Ok(());
            }
        };
    }
    tracing::error!(
        purchase_id = %purchase.id,
        invoice_id,
        status = ?invoice.status,
        "the payment was attached but the invoice is not paid"
    );
    Err(AppError::Internal)
}

/// Has Stripe email the paid invoice to the institution, once (an idempotency key made from
/// the purchase: a retried issue does not send it again), and logs it once (two attempts racing
/// here both pass the check below; a unique index keeps one entry). Best effort: a receipt
/// that cannot be sent (no email address at Stripe, say) is logged, and the invoice stays
/// issued; the admin can send it from the invoice list.
async fn send_receipt(state: &AppState, purchase: &Purchase, invoice_id: &str) {
    let key = format!("invoice-send-{}", purchase.id);
    match state.stripe.send_invoice(invoice_id, Some(&key)).await {
        Ok(invoice) => {
            let sent = AuditAction::InvoiceSent;
            let logged = audit_log::has_entry(
                state.db.pool(),
                &purchase.institution_id,
                sent.as_str(),
                invoice_id,
            )
            .await
            .unwrap_or(false);
            if !logged {
                let details = json!({ "number": invoice.number, "to": invoice.customer_email, "receipt": true });
                audit::record_after(
                    &state.db,
                    &purchase.institution_id,
                    Actor::System,
                    sent,
                    ("invoice", invoice_id),
                    details,
                )
                .await;
            }
        }
        Err(error) => {
            tracing::warn!(purchase_id = %purchase.id, invoice_id, %error, "receipt not sent");
        }
    }
}

fn id_of(invoice: &Invoice) -> Result<&str, AppError> {
    invoice.id.as_ref().map(|id| id.as_str()).ok_or_else(|| {
        tracing::error!("Stripe returned an invoice without an id");
        AppError::Internal
    })
}
