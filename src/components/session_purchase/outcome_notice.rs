//! What happened to the last payment, next to the pay button, in words for the admin.

use leptos::prelude::*;

use super::checkout::Outcome;
use crate::api_types::PurchaseView;
use crate::components::locale::use_locale;
use crate::components::transfer_instructions::TransferInstructions;

#[component]
pub fn OutcomeNotice(outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    move || {
        outcome.get().map(|outcome| match outcome {
            Outcome::Paid { added, available } => view! {
                <div class="notice success" role="status" data-testid="purchase-success">
                    <p>
                        {format!("Payment received: {added} sessions added. Your institution now has {available} sessions available.")}
                    </p>
                    <p><a href="/billing">"Back to billing"</a></p>
                </div>
            }
            .into_any(),
            Outcome::Processing { debit: true } => view! {
                <div class="notice" role="status" data-testid="purchase-processing">
                    <p><strong>"Processing — sessions are added when your bank confirms the debit."</strong></p>
                    <p>
                        "A bank debit usually takes up to four business days. You can leave this page: "
                        "the billing page shows the purchase, and this page updates if you stay."
                    </p>
                </div>
            }
            .into_any(),
            Outcome::Processing { debit: false } => view! {
                <div class="notice" role="status" data-testid="purchase-processing">
                    <p>
                        "Your bank is still processing the payment. The sessions are added as soon as "
                        "Stripe confirms it; you can leave this page."
                    </p>
                </div>
            }
            .into_any(),
            Outcome::AwaitingTransfer(purchase) => view! { <AwaitingTransfer purchase=*purchase/> }.into_any(),
            Outcome::VerifyMicrodeposits(url) => view! {
                <div class="notice" role="status" data-testid="purchase-verify-microdeposits">
                    <p><strong>"Verify your bank account to start the debit."</strong></p>
                    <p>
                        "Stripe is sending two small deposits to the account; they take 1–2 business "
                        "days to arrive. Enter them on "
                        <a href=url target="_blank" rel="noopener" data-testid="verify-microdeposits">"Stripe's verification page"</a>
                        " (the link is also in the purchase history). This page updates once they match."
                    </p>
                </div>
            }
            .into_any(),
            Outcome::Disputed => view! {
                <div class="notice" role="status" data-testid="purchase-disputed">
                    <p>
                        "The payment went through, but the cardholder's bank disputed it right away. "
                        "Its sessions are on hold until the dispute is decided; the billing page shows "
                        "where it stands."
                    </p>
                    <p><a href="/billing">"Back to billing"</a></p>
                </div>
            }
            .into_any(),
            Outcome::Failed(message) => view! {
                <p class="form-error" role="alert" data-testid="purchase-error">{message}</p>
            }
            .into_any(),
        })
    }
}

/// Where to send the money, and how much of it has arrived so far.
#[component]
fn AwaitingTransfer(purchase: PurchaseView) -> impl IntoView {
    let locale = use_locale();
    let received = purchase
        .bank_transfer
        .as_ref()
        .map_or(0, |t| purchase.amount - t.amount_remaining);
    let progress = (received > 0).then(|| {
        format!(
            "{} of {} has arrived so far.",
            locale.money(received, &purchase.currency),
            locale.money(purchase.amount, &purchase.currency)
        )
    });
    view! {
        <div class="notice" role="status" data-testid="purchase-awaiting-transfer">
            <p><strong>"Send the payment by bank transfer to finish this purchase."</strong></p>
            {progress.map(|text| view! { <p data-testid="transfer-progress">{text}</p> })}
            {purchase.bank_transfer.map(|transfer| view! {
                <TransferInstructions transfer purchase_id=purchase.id.clone()/>
            })}
            <p>
                "Sessions are added when all of it has arrived; this page updates by itself. "
                "The billing page keeps these instructions."
            </p>
        </div>
    }
}
