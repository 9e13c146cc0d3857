//! The institution's invoices with their credit notes, from Stripe (invoices made in the Stripe
//! dashboard included; the first page from the server's copy while it is current, see
//! `stripe::list_cache`); shared by the REST API and the UI's server functions.

use serde_json::json;
use stripe_billing::{CreditNoteStatus, Invoice};

use crate::api_types::{Account, CreditNoteView, InvoiceList, InvoiceView};
use crate::domain::audit::AuditAction;
use crate::domain::page::PageSize;
use crate::domain::stripe_id::is_stripe_id;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::state::AppState;
use crate::server::storage::institutions;
use crate::server::stripe::CreditNotesOf;

/// Newest first; `starting_after` is the last invoice id of the previous page.
pub async fn list(
    state: &AppState,
    institution_id: &str,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> Result<InvoiceList, AppError> {
    let key = institutions::stripe_lists_key(state.db.pool(), institution_id).await?;
    list_under(state, key, limit, starting_after).await
}

/// As [`list`], with the institution's `(customer, lists version)` already read (the billing
/// page reads it once for its two lists).
pub async fn list_under(
    state: &AppState,
    key: Option<(String, i64)>,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> Result<InvoiceList, AppError> {
    let limit = PageSize::parse(limit).map_err(AppError::BadRequest)?.get();
    let Some((customer_id, version)) = key else {
        // No purchase and no saved card yet: no Stripe customer, so no invoices.
        return Ok(InvoiceList {
            data: Vec::new(),
            has_more: false,
        });
    };
    // The first page is what every billing page view shows: kept (see `list_cache`).
    let key = (customer_id, limit);
    if starting_after.is_none()
        && let Some(list) = state.stripe_lists.invoices.get(&key, version)
    {
        return Ok(list);
    }
    let page = state
        .stripe
        .list_invoices(&key.0, limit, starting_after)
        .await?;
    let mut data = Vec::with_capacity(page.data.len());
    for invoice in page.data {
        data.extend(with_credit_notes(state, invoice).await?);
    }
    let list = InvoiceList {
        data,
        has_more: page.has_more,
    };
    if starting_after.is_none() {
        state.stripe_lists.invoices.put(key, version, list.clone());
    }
    Ok(list)
}

/// One of the institution's invoices. An unknown id and another customer's invoice are both
/// "not found", so nobody learns which invoices exist.
pub async fn get(
    state: &AppState,
    institution_id: &str,
    invoice_id: &str,
) -> Result<InvoiceView, AppError> {
    if !is_stripe_id(invoice_id, "in_") {
        return Err(AppError::NotFound);
    }
    let customer_id = institutions::stripe_customer_id(state.db.pool(), institution_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let invoice = state
        .stripe
        .find_invoice(invoice_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = invoice
        .customer
        .as_ref()
        .map(|c| c.id().as_str().to_owned());
    if owner.as_deref() != Some(customer_id.as_str()) {
        tracing::warn!(
            institution_id,
            invoice_id,
            "invoice is not the institution's; refused"
        );
        return Err(AppError::NotFound);
    }
    with_credit_notes(state, invoice)
        .await?
        .ok_or(AppError::NotFound)
}

/// The invoice's view with its credit notes; Stripe is asked only for invoices whose totals
/// say they have some (most have none).
async fn with_credit_notes(
    state: &AppState,
    invoice: Invoice,
) -> Result<Option<InvoiceView>, AppError> {
    let credited =
        invoice.post_payment_credit_notes_amount + invoice.pre_payment_credit_notes_amount;
    let Some(mut view) = view(invoice) else {
        return Ok(None);
    };
    if credited > 0 {
        let mut notes = state
            .stripe
            .list_credit_notes(CreditNotesOf::Invoice(&view.id))
            .await?;
        notes.reverse();
        view.credit_notes = notes
            .into_iter()
            .filter(|note| note.status == CreditNoteStatus::Issued)
            .map(|note| CreditNoteView {
                id: note.id.as_str().to_owned(),
                number: note.number,
                amount: note.amount,
                pdf_url: note.pdf,
                created: note.created,
            })
            .collect();
    }
    Ok(Some(view))
}

fn view(invoice: Invoice) -> Option<InvoiceView> {
    Some(InvoiceView {
        id: invoice.id?.as_str().to_owned(),
        number: invoice.number,
        status: invoice.status.map(|s| s.as_str().to_owned()),
        amount_due: invoice.amount_due,
        amount_paid: invoice.amount_paid,
        currency: invoice.currency.to_string(),
        created: invoice.created,
        hosted_invoice_url: invoice.hosted_invoice_url,
        invoice_pdf: invoice.invoice_pdf,
        purchase_id: invoice
            .metadata
            .and_then(|mut metadata| metadata.remove("purchase_id")),
        credit_notes: Vec::new(),
    })
}

/// `POST /api/stripe/invoices/{id}/send`: has Stripe email one of the institution's invoices
/// again (to the customer's email address), and logs who asked.
pub async fn send(
    state: &AppState,
    account: &Account,
    invoice_id: &str,
) -> Result<InvoiceView, AppError> {
    let owned = get(state, &account.institution.id, invoice_id).await?;
    let invoice = state.stripe.send_invoice(invoice_id, None).await?;
    let details = json!({ "number": owned.number, "to": invoice.customer_email, "receipt": false });
    audit::record_after(
        &state.db,
        &account.institution.id,
        Actor::Admin(&account.email),
        AuditAction::InvoiceSent,
        ("invoice", invoice_id),
        details,
    )
    .await;
    Ok(owned)
}
