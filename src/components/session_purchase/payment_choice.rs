//! What pays: one of the institution's saved payment methods, or a new card typed into Stripe's
//! Element (optionally saved for later purchases). Without saved ones, only the new card.

use leptos::prelude::*;

use crate::api_types::PaymentMethodView;
use crate::components::card_field::{CardField, CardInput};
use crate::components::checkbox_field::CheckboxField;
use crate::domain::payment_method::brand_name;
use crate::domain::purchase_order::PaymentChoice;

pub const CARD_ELEMENT_ID: &str = "card-element";
pub const CARD_ELEMENT_SELECTOR: &str = "#card-element";

/// The radio chosen: a saved payment method's id, or `None` for a new card.
pub type Selected = Option<String>;

/// The saved card to preselect: the default if it can be used, else the newest usable one.
pub fn preselect(cards: &[PaymentMethodView]) -> Selected {
    let usable = || cards.iter().filter(|card| !card.expired);
    usable()
        .find(|card| card.is_default)
        .or_else(|| usable().next())
        .map(|card| card.id.clone())
}

/// What the payment is confirmed with.
pub fn choice(selected: Selected, save: bool) -> PaymentChoice {
    match selected {
        Some(id) => PaymentChoice::Saved(id),
        None => PaymentChoice::NewCard { save },
    }
}

#[component]
pub fn PaymentChoiceFields(
    saved: Vec<PaymentMethodView>,
    selected: RwSignal<Selected>,
    save: RwSignal<bool>,
    field: CardField,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let saved_options = (!saved.is_empty()).then(|| {
        let options = saved
            .into_iter()
            .map(|card| {
                let input_id = format!("pay-with-{}", card.id);
                let label_for = input_id.clone();
                let id = card.id.clone();
                let checked_id = id.clone();
                let mut text = format!(
                    "{} •••• {} · expires {:02}/{}",
                    brand_name(&card.brand),
                    card.last4,
                    card.exp_month,
                    card.exp_year
                );
                if card.is_default {
                    text.push_str(" · default");
                }
                if card.expired {
                    text.push_str(" · expired");
                }
                view! {
                    <label class="plan-option pay-option" for=label_for>
                        <input
                            type="radio"
                            id=input_id
                            name="pay_with"
                            value=id.clone()
                            prop:checked=move || selected.get().as_deref() == Some(checked_id.as_str())
                            on:change=move |_| selected.set(Some(id.clone()))
                            disabled=move || disabled.get() || card.expired
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
                    <span>"A new card"</span>
                </label>
            </fieldset>
        }
    });
    view! {
        {saved_options}
        // Hidden, not removed, while a saved card is chosen: Stripe.js keeps its Element
        // mounted here, and confirming with a saved card still needs the Stripe object.
        <div class="new-card" hidden=move || selected.get().is_some()>
            <CardInput field element_id=CARD_ELEMENT_ID label="Card"/>
            <CheckboxField label="Save this card for later purchases" name="save_card" checked=save disabled=disabled/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, is_default: bool, expired: bool) -> PaymentMethodView {
        PaymentMethodView {
            id: id.into(),
            brand: "visa".into(),
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2034,
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
    fn with_no_usable_card_a_new_card_is_chosen() {
        assert_eq!(preselect(&[]), None);
        assert_eq!(preselect(&[card("pm_a", true, true)]), None);
    }

    #[test]
    fn the_choice_saves_only_a_new_card() {
        assert_eq!(
            choice(Some("pm_a".into()), true),
            PaymentChoice::Saved("pm_a".into())
        );
        assert_eq!(choice(None, true), PaymentChoice::NewCard { save: true });
    }
}
