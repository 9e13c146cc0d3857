//! The institution's saved cards, as Stripe holds them: brand, last four digits, expiry, and
//! which one is the default. Expired cards are marked, since Stripe will decline them.

use leptos::prelude::*;

use crate::api_types::SavedCardList;
use crate::error::AppError;

#[component]
pub fn SavedCards(cards: Result<SavedCardList, AppError>) -> impl IntoView {
    match cards {
        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
        Ok(list) if list.data.is_empty() => view! {
            <p class="empty" data-testid="cards-empty">
                "No saved cards. A card can be kept for later when paying for sessions."
            </p>
        }
        .into_any(),
        Ok(list) => view! {
            <ul class="plain-list" data-testid="saved-cards">
                {list.data.into_iter().map(|card| view! {
                    <li data-card-id=card.id.clone()>
                        <span class="card-brand">{brand_name(&card.brand)}</span>
                        {format!(" •••• {} · expires {:02}/{}", card.last4, card.exp_month, card.exp_year)}
                        {card.is_default.then(|| view! { <span class="badge badge-completed">"Default"</span> })}
                        {card.expired.then(|| view! { <span class="badge badge-failed">"Expired"</span> })}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}

fn brand_name(brand: &str) -> String {
    match brand {
        "visa" => "Visa".into(),
        "mastercard" => "Mastercard".into(),
        "amex" => "American Express".into(),
        "discover" => "Discover".into(),
        other => other.to_owned(),
    }
}
