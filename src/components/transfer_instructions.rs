//! Where to send a bank transfer: the amount still due, the account and routing numbers, the
//! reference to quote, and Stripe's page with the same details. The purchase page, the billing
//! page and the printable page all show it this way.

use leptos::prelude::*;

use crate::api_types::BankTransfer;
use crate::components::locale::use_locale;

#[component]
pub fn TransferInstructions(transfer: BankTransfer, purchase_id: String) -> impl IntoView {
    let locale = use_locale();
    view! {
        <dl class="transfer-instructions" data-testid="transfer-instructions">
            <dt>"Amount to send"</dt>
            <dd data-testid="transfer-amount">{locale.money(transfer.amount_remaining, &transfer.currency)}</dd>
            <dt>"Account number"</dt>
            <dd><code data-testid="transfer-account">{transfer.account_number}</code></dd>
            <dt>"Routing number (ABA)"</dt>
            <dd><code data-testid="transfer-routing">{transfer.routing_number}</code></dd>
            <dt>"Reference"</dt>
            <dd><code data-testid="transfer-reference">{transfer.reference}</code></dd>
        </dl>
        <p class="muted small">
            "Quote the reference exactly, so the money is matched to this purchase. ACH and "
            "domestic wire transfers are accepted. "
            <a href=transfer.hosted_instructions_url target="_blank" rel="noopener" data-testid="transfer-hosted">
                "Stripe's instructions"
            </a>
            " · "
            <a href=format!("/billing/purchases/{purchase_id}/transfer") data-testid="transfer-printable">
                "Printable page"
            </a>
        </p>
    }
}
