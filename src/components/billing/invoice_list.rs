//! The institution's invoices from Stripe (one per completed purchase, and any made in the
//! Stripe dashboard), with links to Stripe's hosted page and PDF, the credit notes of refunds under
//! their invoice, and a button to email an invoice again; older ones load on request.

use leptos::prelude::*;

use super::older_pages::{OlderPages, ShowOlder};
use crate::api_types::{InvoiceList, InvoiceView};
use crate::components::locale::{provide_locale, use_locale};
use crate::domain::calendar::DateTime;
use crate::error::AppError;
use crate::rpc::billing::load_invoices;

#[island]
pub fn InvoiceList(invoices: Result<InvoiceList, AppError>) -> impl IntoView {
    provide_locale();
    match invoices {
        Err(error) => {
            view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any()
        }
        Ok(list) if list.data.is_empty() => view! {
            <p class="empty" data-testid="invoices-empty">
                "No invoices yet. Each completed purchase gets a paid invoice here."
            </p>
        }
        .into_any(),
        Ok(list) => {
            let pages = OlderPages::new(
                list.data,
                list.has_more,
                |invoice: &InvoiceView| invoice.id.clone(),
                |last_id| async move {
                    let page = load_invoices(Some(last_id)).await?;
                    Ok((page.data, page.has_more))
                },
            );
            view! {
                <ul class="plain-list" data-testid="invoice-list">
                    <For each=move || pages.rows.get() key=|invoice| invoice.id.clone() let:invoice>
                        <InvoiceRow invoice/>
                    </For>
                </ul>
                <ShowOlder pages label="Show older invoices"/>
            }
            .into_any()
        }
    }
}

#[component]
fn InvoiceRow(invoice: InvoiceView) -> impl IntoView {
    let locale = use_locale();
    let status = invoice.status.clone().unwrap_or_else(|| "draft".into());
    view! {
        <li data-invoice-id=invoice.id.clone()>
            <strong>{invoice.number.clone().unwrap_or_else(|| "Draft".into())}</strong>
            " · "
            <time datetime=DateTime::from_unix(invoice.created).iso_date()>{locale.date(invoice.created)}</time>
            " · "
            {locale.money(invoice.amount_due, &invoice.currency)}
            " "
            <span class=format!("badge badge-invoice-{status}")>{status.clone()}</span>
            {invoice.hosted_invoice_url.map(|url| view! {
                " " <a href=url target="_blank" rel="noopener">"View"</a>
            })}
            {invoice.invoice_pdf.map(|url| view! {
                " " <a href=url target="_blank" rel="noopener">"PDF"</a>
            })}
            // Sent by the billing page's script (no wasm for a button that only posts).
            {matches!(status.as_str(), "open" | "paid").then(|| view! {
                " " <button type="button" class="button link" data-send-invoice=invoice.id.clone()>"Send again"</button>
                <span class="send-result" role="status"></span>
            })}
            {(!invoice.credit_notes.is_empty()).then(|| view! {
                <ul class="credit-notes" data-testid="credit-notes">
                    {invoice.credit_notes.into_iter().map(|note| view! {
                        <li data-credit-note-id=note.id>
                            "Credit note " <strong>{note.number}</strong>
                            " · " {locale.money(note.amount, &invoice.currency)}
                            " · " <time datetime=DateTime::from_unix(note.created).iso_date()>{locale.date(note.created)}</time>
                            " " <a href=note.pdf_url target="_blank" rel="noopener">"PDF"</a>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}
