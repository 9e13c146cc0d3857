//! The institution's invoices, from Stripe (invoices made in the Stripe dashboard included; the
//! first page from the server's copy while it is current, see `stripe::list_cache`); shared by
//! the REST API and the UI's server functions.

use serde_json::json;
use stripe_billing::Invoice;

use crate::api_types::{Account, InvoiceList, InvoiceView};
use crate::domain::audit::AuditAction;
use crate::domain::page::PageSize;
use crate::domain::stripe_id::is_stripe_id;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::state::AppState;
use crate::server::storage::institutions;

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
    let list = InvoiceList {
        data: page.data.into_iter().filter_map(view).collect(),
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
    view(invoice).ok_or(AppError::NotFound)
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
