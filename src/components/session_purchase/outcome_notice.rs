//! What happened to the last payment, next to the pay button, in words for the admin.

use leptos::prelude::*;

use super::checkout::Outcome;

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
            Outcome::Processing => view! {
                <div class="notice" role="status" data-testid="purchase-processing">
                    <p>
                        "Your bank is still processing the payment. The sessions are added as soon as "
                        "Stripe confirms it; you can leave this page."
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
