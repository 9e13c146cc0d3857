//! What pays: one of the institution's saved cards or bank accounts, or new details entered in
//! Stripe's Payment Element (a card or bank account, optionally saved for later purchases, or
//! a bank transfer). Without saved ones, only the Element.

use leptos::prelude::*;

use crate::api_types::PaymentMethodView;
use crate::components::checkbox_field::CheckboxField;
use crate::components::payment_field::{PaymentField, PaymentInput};
use crate::domain::payment_method::saved_name;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::domain::purchase_order::PaymentChoice;

pub const PAYMENT_ELEMENT_ID: &str = "payment-element";
pub const PAYMENT_ELEMENT_SELECTOR: &str = "#payment-element";

/// The radio chosen: a saved payment method's id, or `None` for new details.
pub type Selected = Option<String>;

/// The saved payment method to preselect: the default if it can be used, else the newest
/// usable one.
pub fn preselect(saved: &[PaymentMethodView]) -> Selected {
    let usable = || saved.iter().filter(|pm| !pm.expired);
    usable()
        .find(|pm| pm.is_default)
        .or_else(|| usable().next())
        .map(|pm| pm.id.clone())
}

/// What the payment is confirmed with.
pub fn choice(selected: Selected, save: bool) -> PaymentChoice {
    match selected {
        Some(id) => PaymentChoice::Saved(id),
        None => PaymentChoice::New { save },
    }
}

/// How a saved payment method reads in the list of choices.
pub fn saved_label(pm: &PaymentMethodView) -> String {
    let mut text = saved_name(&pm.brand, &pm.last4);
    match (pm.kind, pm.exp_month, pm.exp_year) {
        (PaymentMethodType::Card, Some(month), Some(year)) => {
            text.push_str(&format!(" · expires {month:02}/{year}"));
        }
        _ => text.push_str(" · bank account"),
    }
    if pm.is_default {
        text.push_str(" · default");
    }
    if pm.expired {
        text.push_str(" · expired");
    }
    text
}

#[component]
pub fn PaymentChoiceFields(
    saved: Vec<PaymentMethodView>,
    selected: RwSignal<Selected>,
    save: RwSignal<bool>,
    field: PaymentField,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let saved_options = (!saved.is_empty()).then(|| {
        let options = saved
            .into_iter()
            .map(|pm| {
                let input_id = format!("pay-with-{}", pm.id);
                let label_for = input_id.clone();
                let id = pm.id.clone();
                let checked_id = id.clone();
                let text = saved_label(&pm);
                view! {
                    <label class="plan-option pay-option" for=label_for>
                        <input
                            type="radio"
                            id=input_id
                            name="pay_with"
                            value=id.clone()
                            prop:checked=move || selected.get().as_deref() == Some(checked_id.as_str())
                            on:change=move |_| selected.set(Some(id.clone()))
                            disabled=move || disabled.get() || pm.expired
                        />
                        <span>{text}</span>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="plan-choice" data-testid="pay-with">
                <legend>"Pay with"</legend>
                {options}
                <label class="plan-option pay-option" for="pay-with-new">
                    <input
                        type="radio"
                        id="pay-with-new"
                        name="pay_with"
                        value="new"
                        prop:checked=move || selected.get().is_none()
                        on:change=move |_| selected.set(None)
                        disabled=move || disabled.get()
                    />
                    <span>"Other payment details"</span>
                </label>
            </fieldset>
        }
    });
    // A transfer is a payment made each time: nothing to save.
    let can_save = move || field.kind.get() != Some(PaymentMethodType::CustomerBalance);
    view! {
        {saved_options}
        // Hidden, not removed, while a saved one is chosen: Stripe.js keeps its Element mounted
        // here, and confirming with a saved one still needs the Stripe object.
        <div class="new-card" hidden=move || selected.get().is_some()>
            <PaymentInput field element_id=PAYMENT_ELEMENT_ID label="Payment details"/>
            <div hidden=move || !can_save()>
                <CheckboxField
                    label="Save this card or bank account for later purchases"
                    name="save_card"
                    checked=save
                    disabled=disabled
                />
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, is_default: bool, expired: bool) -> PaymentMethodView {
        PaymentMethodView {
            id: id.into(),
            kind: PaymentMethodType::Card,
            brand: "visa".into(),
            last4: "4242".into(),
            exp_month: Some(3),
            exp_year: Some(2034),
            is_default,
            expired,
        }
    }

    #[test]
    fn the_default_card_is_preselected_unless_it_has_expired() {
        let cards = [card("pm_a", false, false), card("pm_b", true, false)];
        assert_eq!(preselect(&cards).as_deref(), Some("pm_b"));
        let cards = [card("pm_a", false, false), card("pm_b", true, true)];
        assert_eq!(preselect(&cards).as_deref(), Some("pm_a"));
    }

    #[test]
    fn with_nothing_usable_saved_new_details_are_chosen() {
        assert_eq!(preselect(&[]), None);
        assert_eq!(preselect(&[card("pm_a", true, true)]), None);
    }

    #[test]
    fn the_choice_saves_only_new_details() {
        assert_eq!(
            choice(Some("pm_a".into()), true),
            PaymentChoice::Saved("pm_a".into())
        );
        assert_eq!(choice(None, true), PaymentChoice::New { save: true });
    }

    #[test]
    fn cards_show_their_expiry_and_bank_accounts_their_bank() {
        assert_eq!(
            saved_label(&card("pm_a", true, false)),
            "Visa •••• 4242 · expires 03/2034 · default"
        );
        let account = PaymentMethodView {
            kind: PaymentMethodType::UsBankAccount,
            brand: "STRIPE TEST BANK".into(),
            last4: "6789".into(),
            exp_month: None,
            exp_year: None,
            ..card("pm_b", false, false)
        };
        assert_eq!(
            saved_label(&account),
            "STRIPE TEST BANK •••• 6789 · bank account"
        );
    }
}
