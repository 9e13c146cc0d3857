//! SessionPurchase: choose a plan and a number of sessions, see the total, pay by card with
//! Stripe's card Element, and see the pool grow. Rendered on the server; paying needs the
//! hydrated page (Stripe.js runs in the browser).

mod checkout;
mod order_form;
mod outcome_notice;

use leptos::prelude::*;
use leptos_meta::Title;

use self::checkout::{CardState, Checkout, Step};
use self::order_form::OrderFields;
use self::outcome_notice::OutcomeNotice;
use crate::api_types::PurchasePage;
use crate::components::locale::use_locale;
use crate::components::signed_in_page::signed_in_page;
use crate::domain::plan::Plan;
use crate::domain::pricing::Pricing;
use crate::rpc::purchases::load_purchase_page;

const CARD_ELEMENT_ID: &str = "card-element";
const CARD_ELEMENT_SELECTOR: &str = "#card-element";

#[component]
pub fn SessionPurchasePage() -> impl IntoView {
    view! {
        <Title text="Buy sessions"/>
        {signed_in_page(
            "Loading prices…",
            "Buying sessions is unavailable",
            load_purchase_page,
            |page| view! { <SessionPurchase page/> },
        )}
    }
}

#[component]
fn SessionPurchase(page: PurchasePage) -> impl IntoView {
    let pricing = match Pricing::from_info(&page.pricing) {
        Ok(pricing) => pricing,
        Err(problem) => {
            return view! {
                <section class="card narrow" role="alert">
                    <h1>"Buying sessions is unavailable"</h1>
                    <p>"The session prices could not be read (" {problem} "). Please reload the page."</p>
                </section>
            }
            .into_any();
        }
    };
    let test_mode = page.stripe.publishable_key.starts_with("pk_test_");
    let checkout = Checkout::new(page.pool.available);
    let stripe = page.stripe;
    // After hydration only: Stripe.js needs the browser.
    Effect::new(move |_| checkout.mount(CARD_ELEMENT_SELECTOR, stripe.clone()));

    let quantity_text = RwSignal::new("10".to_owned());
    let plan = RwSignal::new(Plan::Annual);
    let currency = pricing.currency.code().to_owned();
    let locale = use_locale();
    let order = {
        let pricing = pricing.clone();
        Memo::new(move |_| {
            let requested: i64 = quantity_text
                .get()
                .trim()
                .parse()
                .map_err(|_| "Enter a whole number of sessions.".to_owned())?;
            let quantity = pricing.quantity(requested)?;
            Ok::<_, String>((quantity, pricing.quote(plan.get(), quantity)?))
        })
    };

    let can_pay = move || {
        order.with(Result::is_ok)
            && checkout.card_state.get() == CardState::Ready
            && !checkout.busy()
    };
    let pay_label = {
        let currency = currency.clone();
        move || match checkout.step.get() {
            Step::Idle => match order.get() {
                Ok((_, quote)) => format!("Pay {}", locale.money(quote.amount, &currency)),
                Err(_) => "Pay".to_owned(),
            },
            Step::Creating => "Preparing the payment…".to_owned(),
            Step::Confirming => "Confirming with your bank…".to_owned(),
            Step::Checking => "Adding your sessions…".to_owned(),
        }
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Ok((quantity, _)) = order.get() {
            checkout.pay(quantity.get(), plan.get());
        }
    };
    let card_status = move || match checkout.card_state.get() {
        CardState::Loading => Some(
            view! {
                <p class="muted" aria-busy="true">"Loading the secure card form…"</p>
            }
            .into_any(),
        ),
        CardState::Ready => None,
        CardState::Unavailable(message) => Some(
            view! {
                <p class="form-error" role="alert" data-testid="card-unavailable">{message}</p>
            }
            .into_any(),
        ),
    };

    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow"><a href="/billing">"Billing"</a> " / Buy sessions"</p>
                <h1>"Buy interview sessions"</h1>
                <p class="muted">"Sessions are added to your institution's pool as soon as the payment succeeds."</p>
            </div>
        </header>
        <div class="purchase-layout">
            <form
                class="card stacked-form purchase-form"
                on:submit=on_submit
                aria-busy=move || checkout.busy().to_string()
                novalidate
            >
                <OrderFields pricing=pricing quantity_text plan disabled=Signal::derive(move || checkout.busy())/>
                <div class="order-total" aria-live="polite" data-testid="order-total">
                    {
                        let currency = currency.clone();
                        move || match order.get() {
                            Ok((quantity, quote)) => view! {
                                <span>"Total"</span>
                                <strong>{locale.money(quote.amount, &currency)}</strong>
                                <span class="muted">
                                    {format!("{} sessions × {}", quantity.get(), locale.money(quote.unit_amount, &currency))}
                                </span>
                            }.into_any(),
                            Err(problem) => view! {
                                <span class="form-error" id="quantity-error" role="alert">{problem}</span>
                            }.into_any(),
                        }
                    }
                </div>
                <p class="field-label" id="card-label">"Card"</p>
                // Stripe.js owns everything inside this element; Leptos renders nothing in it.
                <div id=CARD_ELEMENT_ID class="card-element" aria-labelledby="card-label"></div>
                {card_status}
                <noscript>
                    <p class="notice" data-testid="needs-javascript">
                        "Paying by card needs JavaScript: the card form is Stripe's, and it runs in "
                        "your browser so that card details go straight to Stripe, never to Octavia. "
                        "Turn JavaScript on for this site and reload the page."
                    </p>
                </noscript>
                <p class="form-error" role="alert" data-testid="card-errors">
                    {move || checkout.card_error.get()}
                </p>
                <button type="submit" class="button primary" data-testid="pay" disabled=move || !can_pay()>
                    {pay_label}
                </button>
                <OutcomeNotice outcome=checkout.outcome/>
            </form>
            <aside class="card pool-summary" aria-labelledby="pool-heading">
                <h2 id="pool-heading">"Session pool"</h2>
                <p class="big-number" data-testid="pool-available">{move || checkout.available.get()}</p>
                <p class="muted">"sessions available to your students"</p>
                <p class="muted small">
                    "Card payments are processed by Stripe. Card details go to Stripe directly and "
                    "never reach Octavia's servers."
                </p>
                {test_mode.then(|| view! { <TestCards/> })}
            </aside>
        </div>
    }
    .into_any()
}

/// Stripe's test cards, shown only with a test key (offline or Stripe test mode).
#[component]
fn TestCards() -> impl IntoView {
    view! {
        <details class="test-cards">
            <summary>"Test mode: cards to try"</summary>
            <p class="muted small">"Any future expiry date, any CVC and any postal code."</p>
            <ul>
                <li><code>"4242 4242 4242 4242"</code>" succeeds"</li>
                <li><code>"4000 0025 0000 3155"</code>" asks for 3-D Secure"</li>
                <li><code>"4000 0000 0000 0002"</code>" is declined"</li>
                <li><code>"4000 0000 0000 9995"</code>" is declined: insufficient funds"</li>
            </ul>
        </details>
    }
}
