//! Every purchase, newest first: the first page arrives with the page, older ones load on
//! request (cursor pagination, as the REST API pages).

use leptos::prelude::*;

use super::status_badge::StatusBadge;
use crate::api_types::{PurchaseList, PurchaseView};
use crate::components::locale::use_locale;
use crate::domain::dates::iso_date;
use crate::rpc::billing::load_purchases;

#[component]
pub fn PurchaseHistory(first_page: PurchaseList) -> impl IntoView {
    let rows = RwSignal::new(first_page.data);
    let has_more = RwSignal::new(first_page.has_more);
    let load_older = Action::new(move |last_id: &String| load_purchases(Some(last_id.clone())));
    Effect::new(move |_| {
        if let Some(Ok(page)) = load_older.value().get() {
            rows.update(|rows| rows.extend(page.data));
            has_more.set(page.has_more);
        }
    });
    let older_error = move || load_older.value().get().and_then(Result::err);

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
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.id.clone() let:row>
                        <HistoryRow row/>
                    </For>
                </tbody>
            </table>
            <Show when=move || has_more.get()>
                <button
                    type="button"
                    class="button secondary"
                    disabled=move || load_older.pending().get()
                    on:click=move |_| {
                        if let Some(last) = rows.with(|rows| rows.last().map(|row| row.id.clone())) {
                            load_older.dispatch(last);
                        }
                    }
                >
                    {move || if load_older.pending().get() { "Loading…" } else { "Show older purchases" }}
                </button>
            </Show>
            <p class="form-error" role="alert">{move || older_error().map(|e| e.to_string())}</p>
        </Show>
    }
}

#[component]
fn HistoryRow(row: PurchaseView) -> impl IntoView {
    let locale = use_locale();
    let plan = match row.plan.as_str() {
        "annual" => "Annual",
        "quarterly" => "Quarterly",
        other => other,
    }
    .to_owned();
    view! {
        <tr data-purchase-id=row.id.clone()>
            <td data-label="Date"><time datetime=iso_date(row.created_at)>{locale.date(row.created_at)}</time></td>
            <td data-label="Sessions">{row.quantity}</td>
            <td data-label="Plan">{plan}</td>
            <td data-label="Amount" class="number">{locale.money(row.amount, &row.currency)}</td>
            <td data-label="Status">
                <StatusBadge status=row.status.clone() reason=row.failure_message.clone()/>
            </td>
        </tr>
    }
}
