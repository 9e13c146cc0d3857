//! The plan choice and the number of sessions. Prices come from the server's pricing; the
//! total shown beside them is computed by the same rules the server charges by.

use leptos::prelude::*;

use crate::components::locale::use_locale;
use crate::domain::plan::Plan;
use crate::domain::pricing::{MIN_QUANTITY, Pricing};
use crate::domain::purchase_order::PO_NUMBER_MAX;

#[component]
pub fn OrderFields(
    pricing: Pricing,
    quantity_text: RwSignal<String>,
    plan: RwSignal<Plan>,
    /// The purchase-order number as typed (optional).
    po_text: RwSignal<String>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let currency = pricing.currency.code().to_owned();
    let locale = use_locale();
    let saving = pricing.annual_saving_per_session();
    let options = Plan::ALL
        .into_iter()
        .map(|option| {
            let price = locale.money(pricing.unit_price(option).cents(), &currency);
            let detail = match option {
                Plan::Annual if saving > 0 => format!(
                    "{price} per session · saves {} per session",
                    locale.money(saving, &currency)
                ),
                _ => format!("{price} per session"),
            };
            let id = format!("plan-{}", option.id());
            view! {
                <label class="plan-option" for=id.clone()>
                    <input
                        type="radio"
                        id=id.clone()
                        name="plan"
                        value=option.id()
                        prop:checked=move || plan.get() == option
                        on:change=move |_| plan.set(option)
                        disabled=move || disabled.get()
                    />
                    <span class="plan-name">{option.name()}</span>
                    <span class="muted">{detail}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <fieldset class="plan-choice">
            <legend>"Plan"</legend>
            {options}
        </fieldset>
        <label for="quantity">"Number of sessions"</label>
        <input
            id="quantity"
            name="quantity"
            type="number"
            inputmode="numeric"
            min=MIN_QUANTITY
            max=pricing.max_quantity
            step="1"
            required
            aria-describedby="quantity-hint"
            prop:value=move || quantity_text.get()
            on:input=move |event| quantity_text.set(event_target_value(&event))
            disabled=move || disabled.get()
        />
        <p class="muted small" id="quantity-hint">
            {format!("From {MIN_QUANTITY} to {} sessions per purchase.", pricing.max_quantity)}
        </p>
        <label for="po-number">"PO number (optional)"</label>
        <input
            id="po-number"
            name="po_number"
            type="text"
            autocomplete="off"
            maxlength=PO_NUMBER_MAX
            aria-describedby="po-number-hint"
            prop:value=move || po_text.get()
            on:input=move |event| po_text.set(event_target_value(&event))
            disabled=move || disabled.get()
        />
        <p class="muted small" id="po-number-hint">
            "Your purchase-order number, if your procurement office issued one: it is printed on the invoice."
        </p>
    }
}
