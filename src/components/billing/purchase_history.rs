//! Every purchase, newest first: the first page arrives with the page, older ones load on
//! request (cursor pagination, as the REST API pages). Each row links to its invoice; an
//! unpaid purchase can be paid from here (3-D Secure finished, or another card) or canceled,
//! and one awaiting a bank transfer links to where to send it.

use leptos::prelude::*;

use super::older_pages::{OlderPages, ShowOlder};
use super::status_badge::{StatusBadge, status_reason};
use crate::api_types::{PurchaseList, PurchaseView};
use crate::components::confirm_button::ConfirmButton;
use crate::components::locale::{provide_locale, use_locale};
use crate::domain::calendar::DateTime;
use crate::domain::purchase_status::PurchaseStatus;
use crate::error::AppError;
use crate::rpc::billing::load_purchases;
use crate::rpc::purchases::cancel_purchase;

#[island]
pub fn PurchaseHistory(first_page: PurchaseList) -> impl IntoView {
    provide_locale();
    let pages = OlderPages::new(
        first_page.data,
        first_page.has_more,
        |row: &PurchaseView| row.id.clone(),
        |last_id| async move {
            let page = load_purchases(Some(last_id)).await?;
            Ok((page.data, page.has_more))
        },
    );
    let rows = pages.rows;
    let cancel = Action::new(|id: &String| cancel_purchase(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(canceled)) = cancel.value().get() {
            rows.update(|rows| {
                if let Some(row) = rows.iter_mut().find(|row| row.id == canceled.id) {
                    *row = canceled;
                }
            });
        }
    });
    let cancel_error = move || cancel.value().get().and_then(Result::err);

    view! {
        <Show
            when=move || rows.with(|rows| !rows.is_empty())
            fallback=|| view! {
                <p class="empty" data-testid="history-empty">
                    "No purchases yet. Purchases appear here with their status as soon as they are made."
                </p>
            }
        >
            <table class="history" data-testid="purchase-history">
                <caption class="visually-hidden">"Purchases, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Sessions"</th>
                        <th scope="col">"Plan"</th>
                        <th scope="col" class="number">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Invoice and actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed by status too, so a row whose purchase changed is drawn again.
                    <For each=move || rows.get() key=|row| (row.id.clone(), row.status) let:row>
                        <HistoryRow row cancel/>
                    </For>
                </tbody>
            </table>
            <ShowOlder pages label="Show older purchases"/>
            <p class="form-error" role="alert">{move || cancel_error().map(|e| e.to_string())}</p>
        </Show>
    }
}

#[component]
fn HistoryRow(
    row: PurchaseView,
    cancel: Action<String, Result<PurchaseView, AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    let unpaid = row.status.is_payable() || row.status == PurchaseStatus::AwaitingTransfer;
    let next = unpaid.then(|| next_step(&row));
    let id = row.id.clone();
    view! {
        <tr data-purchase-id=row.id.clone()>
            <td data-label="Date"><time datetime=DateTime::from_unix(row.created_at).iso_date()>{locale.date(row.created_at)}</time></td>
            <td data-label="Sessions">{row.quantity}</td>
            <td data-label="Plan">
                {row.plan.name()}
                {row.po_number.clone().map(|number| view! {
                    <span class="muted small po-number" data-testid="po-number">{format!("PO {number}")}</span>
                })}
            </td>
            <td data-label="Amount" class="number">
                {locale.money(row.amount, &row.currency)}
                // What a finance office reconciles against the bank: the refunded part, in words.
                {(row.amount_refunded > 0).then(|| view! {
                    <span class="muted small refunded-amount">
                        {format!("{} refunded", locale.money(row.amount_refunded, &row.currency))}
                    </span>
                })}
                {(row.refund_failed_amount > 0).then(|| view! {
                    <span class="muted small refund-failed" data-testid="refund-failed">
                        {format!(
                            "A refund of {} failed; that money and its sessions came back",
                            locale.money(row.refund_failed_amount, &row.currency)
                        )}
                    </span>
                })}
            </td>
            <td data-label="Status">
                <StatusBadge status=row.status reason=status_reason(&row, locale)/>
            </td>
            <td class="row-actions">
                {row.invoice_id.map(|id| view! {
                    <a href=format!("/billing/invoices/{id}") target="_blank" rel="noopener" data-testid="invoice-link">
                        "Invoice"
                    </a>
                })}
                {next.map(|next_step| view! { <UnpaidActions id=id next_step cancel/> })}
            </td>
        </tr>
    }
}

/// What finishing an unpaid purchase takes: its link, the link's words, and the question its
/// cancellation asks.
struct NextStep {
    href: String,
    label: &'static str,
    question: &'static str,
    new_tab: bool,
}

fn next_step(row: &PurchaseView) -> NextStep {
    if row.status == PurchaseStatus::AwaitingTransfer {
        return NextStep {
            href: format!("/billing/purchases/{}/transfer", row.id),
            label: "Transfer details",
            question: "Cancel this purchase? Money already sent stays on your Stripe cash balance.",
            new_tab: false,
        };
    }
    match &row.verify_microdeposits_url {
        // Stripe's own page, where the deposits are entered.
        Some(url) => NextStep {
            href: url.clone(),
            label: "Verify deposits",
            question: "Cancel this purchase?",
            new_tab: true,
        },
        None => NextStep {
            href: format!("/billing/purchase?resume={}", row.id),
            label: "Pay now",
            question: "Cancel this purchase?",
            new_tab: false,
        },
    }
}

/// The purchase's next step ("Pay now", "Transfer details", "Verify deposits") and "Cancel",
/// which asks once more.
#[component]
fn UnpaidActions(
    id: String,
    next_step: NextStep,
    cancel: Action<String, Result<PurchaseView, AppError>>,
) -> impl IntoView {
    let NextStep {
        href,
        label,
        question,
        new_tab,
    } = next_step;
    view! {
        <a class="button link" href=href target=new_tab.then_some("_blank") rel=new_tab.then_some("noopener")>{label}</a>
        <ConfirmButton
            action="Cancel"
            question
            yes="Yes, cancel it"
            working="Canceling…"
            busy=Signal::derive(move || cancel.pending().get())
            on_confirm=Callback::new(move |()| { cancel.dispatch(id.clone()); })
        />
    }
}
