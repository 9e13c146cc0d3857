//! The institution's saved payment methods (cards and US bank accounts), as Stripe holds them:
//! brand or bank, last four digits, a card's expiry, and which one is the default. Expired
//! cards are marked, since Stripe will decline them. They can be added (through a
//! SetupIntent), made the default, and removed.

use leptos::prelude::*;

use super::add_payment_method_form::AddPaymentMethodForm;
use crate::api_types::{PaymentMethodList, PaymentMethodView, StripeClientConfig};
use crate::components::confirm_button::ConfirmButton;
use crate::domain::payment_method::{brand_name, saved_name};
use crate::domain::payment_method_types::PaymentMethodType;
use crate::error::AppError;
use crate::rpc::payment_methods::{
    load_payment_methods, make_default_payment_method, remove_payment_method,
};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Edit {
    MakeDefault(PaymentMethodView),
    Remove(PaymentMethodView),
}

/// `returned`: the SetupIntent id and the "make default" choice when the billing page was
/// opened again from the bank's page (3-D Secure away from the page while saving a card).
#[island]
pub fn PaymentMethods(
    payment_methods: Result<PaymentMethodList, AppError>,
    stripe: StripeClientConfig,
    returned: Option<(String, bool)>,
) -> impl IntoView {
    let cards = RwSignal::new(payment_methods);
    let adding = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let returned_error = RwSignal::new(None::<String>);
    let returned = StoredValue::new(returned);
    Effect::new(move |_| {
        if let Some((setup_intent_id, set_default)) =
            returned.try_update_value(Option::take).flatten()
        {
            notice.set(Some(
                "Checking with Stripe what your bank confirmed…".into(),
            ));
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                use crate::rpc::payment_methods::finish_payment_method_setup;
                let finished = finish_payment_method_setup(setup_intent_id, set_default).await;
                forget_returned_setup();
                match finished {
                    Ok((saved, list)) => {
                        cards.set(Ok(list));
                        notice.set(Some(format!("{} was saved.", describe(&saved))));
                    }
                    Err(error) => {
                        notice.set(None);
                        returned_error.set(Some(error.to_string()));
                    }
                }
            });
            #[cfg(not(feature = "hydrate"))]
            let _ = (setup_intent_id, set_default, returned_error);
        }
    });
    let edit = Action::new(|edit: &Edit| {
        let edit = edit.clone();
        async move {
            let done = match &edit {
                Edit::MakeDefault(card) => {
                    make_default_payment_method(card.id.clone()).await?;
                    format!("{} is now your default {}.", describe(card), noun(card))
                }
                Edit::Remove(card) => {
                    remove_payment_method(card.id.clone()).await?;
                    format!("{} was removed.", describe(card))
                }
            };
            Ok::<_, AppError>((done, load_payment_methods().await?))
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((done, list))) = edit.value().get() {
            cards.set(Ok(list));
            notice.set(Some(done));
        }
    });
    let edit_error = move || edit.value().get().and_then(Result::err);
    let busy = move || edit.pending().get();
    let on_saved = Callback::new(move |(list, noun): (PaymentMethodList, &'static str)| {
        adding.set(false);
        cards.set(Ok(list));
        notice.set(Some(format!("The {noun} was saved.")));
    });

    let card_row = move |card: PaymentMethodView| {
        let row_id = card.id.clone();
        let brand = brand_name(&card.brand).to_owned();
        let label = describe(&card);
        let (default_card, removed_card) = (card.clone(), card.clone());
        view! {
            <li class="saved-card" data-card-id=row_id>
                <span>
                    <span class="card-brand">{brand}</span>
                    {match (card.exp_month, card.exp_year) {
                        (Some(month), Some(year)) => format!(" •••• {} · expires {month:02}/{year}", card.last4),
                        _ => format!(" •••• {} · bank account", card.last4),
                    }}
                </span>
                {card.is_default.then(|| view! { <span class="badge badge-completed">"Default"</span> })}
                {card.expired.then(|| view! { <span class="badge badge-failed">"Expired"</span> })}
                <span class="row-actions">
                    {(!card.is_default && !card.expired).then(|| view! {
                        <button
                            type="button"
                            class="button link"
                            disabled=busy
                            aria-label=format!("Make {} the default {}", label.clone(), noun(&card))
                            on:click=move |_| { edit.dispatch(Edit::MakeDefault(default_card.clone())); }
                        >
                            "Make default"
                        </button>
                    })}
                    <ConfirmButton
                        action="Remove"
                        action_label=format!("Remove {label}")
                        question=if card.kind == PaymentMethodType::Card { "Remove this card?" } else { "Remove this bank account?" }
                        yes="Yes, remove"
                        working="Removing…"
                        busy=Signal::derive(busy)
                        on_confirm=Callback::new(move |()| {
                            notice.set(None);
                            edit.dispatch(Edit::Remove(removed_card.clone()));
                        })
                    />
                </span>
            </li>
        }
    };

    view! {
        {move || match cards.get() {
            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            Ok(list) if list.data.is_empty() => view! {
                <p class="empty" data-testid="cards-empty">
                    "No saved cards or bank accounts. Save one here, or when paying for sessions, to pay faster next time."
                </p>
            }
            .into_any(),
            Ok(list) => view! {
                <ul class="plain-list" data-testid="saved-cards">
                    {list.data.into_iter().map(card_row).collect_view()}
                </ul>
            }
            .into_any(),
        }}
        <p class="notice-line" role="status" data-testid="cards-notice">{move || notice.get()}</p>
        <p class="form-error" role="alert" data-testid="cards-error">
            {move || edit_error().map(|e| e.to_string()).or_else(|| returned_error.get())}
        </p>
        <Show
            when=move || adding.get()
            fallback=move || view! {
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| {
                        notice.set(None);
                        returned_error.set(None);
                        adding.set(true);
                    }
                >
                    "Add a card or bank account"
                </button>
            }
        >
            <AddPaymentMethodForm
                stripe=stripe.clone()
                first_one=Signal::derive(move || cards.with(|c| c.as_ref().is_ok_and(|l| l.data.is_empty())))
                on_saved
                on_cancel=Callback::new(move |()| adding.set(false))
            />
        </Show>
    }
}

/// Takes Stripe's `setup_intent=…` off the address, so reloading the page does not ask again.
#[cfg(feature = "hydrate")]
fn forget_returned_setup() {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/billing"));
    }
}

fn describe(pm: &PaymentMethodView) -> String {
    saved_name(&pm.brand, &pm.last4)
}

fn noun(pm: &PaymentMethodView) -> &'static str {
    match pm.kind {
        PaymentMethodType::Card => "card",
        _ => "bank account",
    }
}
