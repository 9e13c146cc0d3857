//! `/billing/purchases/{id}/transfer`: a bank transfer's instructions on a page of their own,
//! to print or hand to the finance office that sends the money.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api_types::PurchaseOutcome;
use crate::components::locale::{provide_locale, use_locale};
use crate::components::signed_in_page::signed_in_page;
use crate::components::transfer_instructions::TransferInstructions;
use crate::rpc::purchases::check_purchase;

#[component]
pub fn TransferPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|params| params.get("id").unwrap_or_default());
    view! {
        <Title text="Bank transfer instructions"/>
        {signed_in_page(
            "Loading the transfer instructions…",
            "The transfer instructions are unavailable",
            move || check_purchase(id.clone()),
            |outcome| view! { <Instructions outcome/> },
        )}
    }
}

#[component]
fn Instructions(outcome: PurchaseOutcome) -> impl IntoView {
    provide_locale();
    let locale = use_locale();
    let purchase = outcome.purchase;
    let what = format!(
        "{} interview sessions on the {} plan, {} in all, ordered on {}{}.",
        purchase.quantity,
        purchase.plan.id(),
        locale.money(purchase.amount, &purchase.currency),
        locale.date(purchase.created_at),
        purchase
            .po_number
            .as_ref()
            .map(|po| format!(" (PO {po})"))
            .unwrap_or_default()
    );
    let body = match purchase.bank_transfer {
        Some(transfer) => view! {
            <TransferInstructions transfer purchase_id=purchase.id.clone()/>
            <p class="muted small no-print">
                "Sessions are added to your pool when the whole amount has arrived. "
                <button type="button" class="button link" id="print-page">"Print this page"</button>
            </p>
            <script nonce=use_nonce()>
                "document.getElementById('print-page').addEventListener('click', () => window.print());"
            </script>
        }
        .into_any(),
        None => view! {
            <p role="status" data-testid="no-transfer-awaited">
                "This purchase is not waiting for a bank transfer: the billing page shows its status."
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="card narrow transfer-page" data-testid="transfer-page">
            <p class="eyebrow no-print"><a href="/billing">"Billing"</a> " / Bank transfer"</p>
            <h1>"Pay by bank transfer"</h1>
            <p>{what}</p>
            {body}
        </section>
    }
}
