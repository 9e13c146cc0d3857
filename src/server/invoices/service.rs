//! The institution's invoices, straight from Stripe (invoices made in the Stripe dashboard
//! included); shared by the REST API and (later) the UI's server functions.

use stripe_billing::Invoice;

use crate::api_types::{InvoiceList, InvoiceView};
use crate::domain::page::PageSize;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::institutions;

/// Newest first; `starting_after` is the last invoice id of the previous page.
pub async fn list(
    state: &AppState,
    institution_id: &str,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> Result<InvoiceList, AppError> {
    let limit = PageSize::parse(limit).map_err(AppError::BadRequest)?;
    let customer = institutions::find(state.db.pool(), institution_id)
        .await?
        .ok_or(AppError::NotFound)?
        .stripe_customer_id;
    let Some(customer_id) = customer else {
        // No purchase and no saved card yet: no Stripe customer, so no invoices.
        return Ok(InvoiceList {
            data: Vec::new(),
            has_more: false,
        });
    };
    let page = state
        .stripe
        .list_invoices(&customer_id, limit.get(), starting_after)
        .await?;
    Ok(InvoiceList {
        data: page.data.into_iter().filter_map(view).collect(),
        has_more: page.has_more,
    })
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
