//! The institution's saved payment methods (cards so far), as Stripe holds them: brand, last
//! four digits, expiry, and which one is the default. Expired cards are marked, since Stripe
//! will decline them. Cards can be added (through a SetupIntent), made the default, and removed.

use leptos::prelude::*;

use super::add_card_form::AddCardForm;
use crate::api_types::{PaymentMethodList, PaymentMethodView, StripeClientConfig};
use crate::components::confirm_button::ConfirmButton;
use crate::domain::payment_method::brand_name;
use crate::error::AppError;
use crate::rpc::payment_methods::{
    load_payment_methods, make_default_payment_method, remove_payment_method,
};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Edit {
    MakeDefault(PaymentMethodView),
    Remove(PaymentMethodView),
}

#[island]
pub fn PaymentMethods(
    payment_methods: Result<PaymentMethodList, AppError>,
    stripe: StripeClientConfig,
) -> impl IntoView {
    let cards = RwSignal::new(payment_methods);
    let adding = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let edit = Action::new(|edit: &Edit| {
        let edit = edit.clone();
        async move {
            let done = match &edit {
                Edit::MakeDefault(card) => {
                    make_default_payment_method(card.id.clone()).await?;
                    format!("{} is now your default card.", describe(card))
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
    let on_saved = Callback::new(move |list: PaymentMethodList| {
        adding.set(false);
        cards.set(Ok(list));
        notice.set(Some("The card was saved.".into()));
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
                    {format!(" •••• {} · expires {:02}/{}", card.last4, card.exp_month, card.exp_year)}
                </span>
                {card.is_default.then(|| view! { <span class="badge badge-completed">"Default"</span> })}
                {card.expired.then(|| view! { <span class="badge badge-failed">"Expired"</span> })}
                <span class="row-actions">
                    {(!card.is_default && !card.expired).then(|| view! {
                        <button
                            type="button"
                            class="button link"
                            disabled=busy
                            aria-label=format!("Make {} the default card", label.clone())
                            on:click=move |_| { edit.dispatch(Edit::MakeDefault(default_card.clone())); }
                        >
                            "Make default"
                        </button>
                    })}
                    <ConfirmButton
                        action="Remove"
                        action_label=format!("Remove {label}")
                        question="Remove this card?"
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
                    "No saved cards. Save one here, or when paying for sessions, to pay faster next time."
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
        <p class="form-error" role="alert">{move || edit_error().map(|e| e.to_string())}</p>
        <Show
            when=move || adding.get()
            fallback=move || view! {
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| {
                        notice.set(None);
                        adding.set(true);
                    }
                >
                    "Add a card"
                </button>
            }
        >
            <AddCardForm
                stripe=stripe.clone()
                first_card=Signal::derive(move || cards.with(|c| c.as_ref().is_ok_and(|l| l.data.is_empty())))
                on_saved
                on_cancel=Callback::new(move |()| adding.set(false))
            />
        </Show>
    }
}

/// "Visa •••• 4242", how a card is named in messages and button labels.
fn describe(card: &PaymentMethodView) -> String {
    format!("{} •••• {}", brand_name(&card.brand), card.last4)
}
