//! Saving a card without paying: a SetupIntent made on the server, confirmed in the browser
//! with `confirmCardSetup` (3-D Secure if the issuer asks), then recorded on the server. The
//! card number goes from Stripe's Element to Stripe only.

use leptos::prelude::*;

use crate::api_types::{PaymentMethodList, StripeClientConfig};
use crate::components::card_field::{CardField, CardInput};
use crate::components::checkbox_field::CheckboxField;

const ELEMENT_ID: &str = "new-card-element";
const ELEMENT_SELECTOR: &str = "#new-card-element";

#[component]
pub fn AddCardForm(
    stripe: StripeClientConfig,
    /// The institution has no card yet: the new one becomes the default.
    #[prop(into)]
    first_card: Signal<bool>,
    on_saved: Callback<PaymentMethodList>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let field = CardField::new();
    // Stripe.js is loaded only now, when a card is about to be typed.
    Effect::new(move |_| field.mount(ELEMENT_SELECTOR, stripe.clone()));
    let make_default = RwSignal::new(first_card.get_untracked());
    let saving = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get() {
            return;
        }
        saving.set(true);
        failure.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let saved = save(field, make_default.get_untracked()).await;
            field.set_disabled(false);
            let _ = saving.try_set(false);
            match saved {
                Ok(list) => on_saved.run(list),
                Err(message) => {
                    let _ = failure.try_set(Some(message));
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = on_saved;
    };

    view! {
        <form class="stacked-form add-card" on:submit=on_submit aria-busy=move || saving.get().to_string() novalidate>
            <CardInput field element_id=ELEMENT_ID label="New card"/>
            <CheckboxField label="Make this the default card" name="set_default" checked=make_default disabled=saving/>
            <p class="form-error" role="alert" data-testid="add-card-error">{move || failure.get()}</p>
            <div class="button-row">
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || saving.get() || !field.ready()
                >
                    {move || if saving.get() { "Saving the card…" } else { "Save card" }}
                </button>
                <button type="button" class="button secondary" disabled=move || saving.get() on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
            <p class="muted small">"Nothing is charged. Stripe keeps the card; Octavia never sees its number."</p>
        </form>
    }
}

/// SetupIntent → `confirmCardSetup` → record → the updated list; or a sentence saying why not.
#[cfg(feature = "hydrate")]
async fn save(field: CardField, make_default: bool) -> Result<PaymentMethodList, String> {
    use crate::domain::card_payment::{ConfirmResult, explain};
    use crate::rpc::payment_methods::{
        load_payment_methods, record_payment_method, start_payment_method_setup,
    };

    let setup = start_payment_method_setup()
        .await
        .map_err(|e| e.to_string())?;
    let confirmation = field
        .with_form(|form| {
            form.set_disabled(true);
            form.confirm_setup(&setup.client_secret)
        })
        .ok_or_else(|| "The card form is not ready yet. Please wait a moment.".to_owned())?;
    let payment_method = match confirmation.await {
        ConfirmResult::Confirmed {
            status,
            payment_method: Some(id),
        } if status == "succeeded" => id,
        ConfirmResult::Confirmed { status, .. } => {
            leptos::logging::warn!("confirmCardSetup ended in status {status}");
            return Err(
                "The card could not be saved. Please try again, or use another card.".into(),
            );
        }
        ConfirmResult::Failed(error) => return Err(explain(&error)),
    };
    record_payment_method(payment_method, make_default)
        .await
        .map_err(|e| e.to_string())?;
    load_payment_methods().await.map_err(|e| e.to_string())
}
