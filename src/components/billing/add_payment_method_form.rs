//! Saving a card or US bank account without paying: the Payment Element in setup mode checks
//! the details, a SetupIntent is made on the server, confirmed in the browser with
//! `confirmSetup` (3-D Secure if the card's issuer asks; a debit mandate for a bank account),
//! then recorded on the server. The details go from Stripe's Element to Stripe only.

use leptos::prelude::*;

use crate::api_types::{PaymentMethodList, StripeClientConfig};
use crate::components::checkbox_field::CheckboxField;
use crate::components::payment_field::{PaymentField, PaymentInput, Purpose};
use crate::domain::payment_method_types::PaymentMethodType;

const ELEMENT_ID: &str = "new-payment-method-element";
const ELEMENT_SELECTOR: &str = "#new-payment-method-element";

#[component]
pub fn AddPaymentMethodForm(
    stripe: StripeClientConfig,
    /// The institution has nothing saved yet: the new one becomes the default.
    #[prop(into)]
    first_one: Signal<bool>,
    on_saved: Callback<(PaymentMethodList, &'static str)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let field = PaymentField::new();
    // Stripe.js is loaded only now, when details are about to be entered.
    Effect::new(move |_| field.mount(ELEMENT_SELECTOR, stripe.clone(), Purpose::Setup));
    let make_default = RwSignal::new(first_one.get_untracked());
    let saving = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let noun = move || match field.kind.get() {
        Some(PaymentMethodType::UsBankAccount) => "bank account",
        _ => "card",
    };

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
            field.set_read_only(false);
            let _ = saving.try_set(false);
            match saved {
                Ok(list) => on_saved.run((list, noun())),
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
            <PaymentInput field element_id=ELEMENT_ID label="New card or bank account"/>
            <CheckboxField label="Make this the default payment method" name="set_default" checked=make_default disabled=saving/>
            <p class="form-error" role="alert" data-testid="add-card-error">{move || failure.get()}</p>
            <div class="button-row">
                <button
                    type="submit"
                    class="button primary"
                    disabled=move || saving.get() || !field.ready()
                >
                    {move || if saving.get() { format!("Saving the {}…", noun()) } else { format!("Save {}", noun()) }}
                </button>
                <button type="button" class="button secondary" disabled=move || saving.get() on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
            <p class="muted small">
                "Nothing is charged. Stripe keeps the card or bank account; Octavia never sees its "
                "number. A bank account is saved with a mandate to debit it for the purchases you "
                "confirm."
            </p>
        </form>
    }
}

/// Check → SetupIntent → `confirmSetup` → record → the updated list; or a sentence saying why
/// not.
#[cfg(feature = "hydrate")]
async fn save(field: PaymentField, make_default: bool) -> Result<PaymentMethodList, String> {
    use crate::domain::payment_confirmation::{ConfirmResult, explain};
    use crate::rpc::payment_methods::{
        load_payment_methods, record_payment_method, start_payment_method_setup,
    };

    let not_ready = || "The payment form is not ready yet. Please wait a moment.".to_owned();
    let submitted = field
        .with_form(|form| form.submit())
        .ok_or_else(not_ready)?;
    submitted.await.map_err(|error| explain(&error))?;
    let setup = start_payment_method_setup()
        .await
        .map_err(|e| e.to_string())?;
    // A card whose bank authenticates on its own page comes back to the billing page, which
    // records it (see `PaymentMethods`); Stripe adds `setup_intent=…` to this address.
    let return_url = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|origin| format!("{origin}/billing?set_default={make_default}"))
        .unwrap_or_default();
    let confirmation = field
        .with_form(|form| {
            form.set_read_only(true);
            form.confirm_setup(&setup.client_secret, &return_url)
        })
        .ok_or_else(not_ready)?;
    let payment_method = match confirmation.await {
        ConfirmResult::Confirmed {
            status,
            payment_method: Some(id),
        } if status == "succeeded" => id,
        ConfirmResult::Confirmed { status, .. } => {
            leptos::logging::warn!("confirmSetup ended in status {status}");
            return Err("The details could not be saved. Please try again.".into());
        }
        ConfirmResult::Failed(error) => return Err(explain(&error)),
    };
    record_payment_method(payment_method, make_default)
        .await
        .map_err(|e| e.to_string())?;
    load_payment_methods().await.map_err(|e| e.to_string())
}
