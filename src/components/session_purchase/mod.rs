//! SessionPurchase: choose a plan and a number of sessions, see the total, pay with Stripe's
//! Payment Element (a card, a US bank account, or a bank transfer), and see the pool grow, at
//! once or when the bank settles. Rendered on the server; paying needs the hydrated page
//! (Stripe.js runs in the browser).

mod checkout;
mod order_form;
mod outcome_notice;
mod payment_choice;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use self::checkout::{Checkout, Order, Step};
use self::order_form::OrderFields;
use self::outcome_notice::OutcomeNotice;
use self::payment_choice::{PAYMENT_ELEMENT_SELECTOR, PaymentChoiceFields, choice, preselect};
use crate::api_types::{PurchasePage, PurchaseView};
use crate::components::locale::{provide_locale, use_locale};
use crate::components::payment_field::Purpose;
use crate::components::preloads::LazyIslandChunks;
use crate::components::signed_in_page::signed_in_page;
use crate::domain::plan::Plan;
use crate::domain::pricing::Pricing;
use crate::domain::purchase_order::parse_po_number;
use crate::domain::purchase_status::PurchaseStatus;
use crate::rpc::purchases::load_purchase_page;

#[component]
pub fn SessionPurchasePage() -> impl IntoView {
    // `?resume=<purchase id>`: the billing page's "Pay now" on an unpaid purchase.
    let resume = use_query_map().with_untracked(|query| query.get("resume"));
    view! {
        <Title text="Buy sessions"/>
        {signed_in_page(
            "Loading prices…",
            "Buying sessions is unavailable",
            move || load_purchase_page(resume.clone()),
            |page| {
                // `?purchase=<id>&payment_intent_client_secret=...`: back from the bank's page.
                let returned = use_query_map().with_untracked(|query| {
                    Some((query.get("purchase")?, query.get("payment_intent_client_secret")?))
                });
                view! { <PurchasePageBody page returned/> }
            },
        )}
    }
}

/// What the page shows around the paying form: rendered on the server only, so none of it is in
/// the browser's wasm.
#[component]
fn PurchasePageBody(page: PurchasePage, returned: Option<(String, String)>) -> impl IntoView {
    provide_locale();
    if let Err(problem) = Pricing::from_info(&page.pricing) {
        return view! {
            <section class="card narrow" role="alert">
                <h1>"Buying sessions is unavailable"</h1>
                <p>"The session prices could not be read (" {problem} "). Please reload the page."</p>
            </section>
        }
        .into_any();
    }
    if let Some(purchase) = page.resume.clone().filter(|p| !p.status.is_payable()) {
        return view! { <NothingToPay purchase/> }.into_any();
    }
    let test_mode = page.stripe.publishable_key.starts_with("pk_test_");
    let heading = if page.resume.is_some() {
        "Finish paying for your sessions"
    } else {
        "Buy interview sessions"
    };
    view! {
        <LazyIslandChunks/>
        <header class="page-header">
            <div>
                <p class="eyebrow"><a href="/billing">"Billing"</a> " / Buy sessions"</p>
                <h1>{heading}</h1>
                <p class="muted">"Sessions are added to your institution's pool as soon as the payment succeeds."</p>
            </div>
        </header>
        <SessionPurchase page returned>
            <p class="muted small">
                "Payments are processed by Stripe. Card and bank details go to Stripe directly "
                "and never reach Octavia's servers. Cards pay at once; a bank debit takes a few "
                "business days; a bank transfer completes when your money arrives."
            </p>
            {test_mode.then(|| view! { <TestPaymentDetails/> })}
        </SessionPurchase>
    }
    .into_any()
}

/// The order and paying form, and the pool it adds to; `children` go under the pool.
#[island(lazy)]
pub fn SessionPurchase(
    page: PurchasePage,
    returned: Option<(String, String)>,
    children: Children,
) -> impl IntoView {
    provide_locale();
    // The page checked the prices before showing the form.
    let Ok(pricing) = Pricing::from_info(&page.pricing) else {
        return ().into_any();
    };
    let checkout = Checkout::new(page.pool.available);
    let stripe = page.stripe;

    let (cards, cards_error) = match page.payment_methods {
        Ok(list) => (list.data, None),
        Err(error) => (Vec::new(), Some(error.to_string())),
    };
    let selected = RwSignal::new(preselect(&cards));
    let save_card = RwSignal::new(false);
    let quantity_text = RwSignal::new("10".to_owned());
    let po_text = RwSignal::new(String::new());
    let plan = RwSignal::new(Plan::Annual);
    let currency = pricing.currency.code().to_owned();
    let locale = use_locale();
    let resume = page.resume;
    // The order and the amount to pay, or what is wrong with the order as typed.
    let order = {
        let pricing = pricing.clone();
        let resume = resume.clone();
        Memo::new(move |_| {
            if let Some(purchase) = &resume {
                let order = Order::Existing {
                    purchase_id: purchase.id.clone(),
                };
                return Ok((order, purchase.amount, None));
            }
            let requested: i64 = quantity_text
                .get()
                .trim()
                .parse()
                .map_err(|_| "Enter a whole number of sessions.".to_owned())?;
            let quantity = pricing.quantity(requested)?;
            let quote = pricing.quote(plan.get(), quantity)?;
            let po_number = po_text.with(|typed| parse_po_number(Some(typed)))?;
            let order = Order::New {
                quantity: quantity.get(),
                plan: plan.get(),
                po_number,
            };
            Ok::<_, String>((order, quote.amount, Some(quote.unit_amount)))
        })
    };

    // What the Element collects for: the order's amount, and whether to keep the details.
    let purpose = move || Purpose::Payment {
        amount: order.with(|o| o.as_ref().map_or(0, |(_, amount, _)| *amount)),
        save: save_card.get(),
    };
    // After hydration only: Stripe.js needs the browser. Mounted once, with the amount then;
    // later amounts and choices to save are updates.
    Effect::new({
        let stripe = stripe.clone();
        move |mounted: Option<()>| {
            let purpose = purpose();
            match mounted {
                None => checkout
                    .field
                    .mount(PAYMENT_ELEMENT_SELECTOR, stripe.clone(), purpose),
                Some(()) => checkout.field.update(&stripe, purpose),
            }
        }
    });
    // Back from the bank's page: once Stripe.js is there to ask, show how the payment ended.
    let returned = StoredValue::new(returned);
    Effect::new(move |_| {
        if checkout.field.ready()
            && let Some((purchase_id, secret)) = returned.try_update_value(Option::take).flatten()
        {
            checkout.came_back(purchase_id, secret);
        }
    });

    let can_pay = move || order.with(Result::is_ok) && checkout.field.ready() && !checkout.busy();
    let pay_label = {
        let currency = currency.clone();
        move || match checkout.step.get() {
            Step::Idle => match order.get() {
                Ok((_, amount, _)) => format!("Pay {}", locale.money(amount, &currency)),
                Err(_) => "Pay".to_owned(),
            },
            Step::Creating => "Preparing the payment…".to_owned(),
            Step::Confirming => "Confirming with your bank…".to_owned(),
            Step::Checking => "Adding your sessions…".to_owned(),
        }
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Ok((order, _, _)) = order.get() {
            checkout.pay(order, choice(selected.get(), save_card.get()));
        }
    };
    let busy = Signal::derive(move || checkout.busy());
    let order_fields = match &resume {
        Some(purchase) => view! { <ResumedOrder purchase=purchase.clone()/> }.into_any(),
        None => view! {
            <OrderFields pricing=pricing quantity_text plan po_text disabled=busy/>
            <div class="order-total" aria-live="polite" data-testid="order-total">
                {
                    let currency = currency.clone();
                    move || match order.get() {
                        Ok((Order::New { quantity, .. }, amount, Some(unit_amount))) => view! {
                            <span>"Total"</span>
                            <strong>{locale.money(amount, &currency)}</strong>
                            <span class="muted">
                                {format!("{quantity} sessions × {}", locale.money(unit_amount, &currency))}
                            </span>
                        }.into_any(),
                        Ok(_) => ().into_any(),
                        Err(problem) => view! {
                            <span class="form-error" id="quantity-error" role="alert">{problem}</span>
                        }.into_any(),
                    }
                }
            </div>
        }
        .into_any(),
    };

    // A lazy island: the page is interactive once this has hydrated, after its chunk loaded.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| crate::mark_hydrated());
    view! {
        <div class="purchase-layout" data-lazy-island>
            <form
                class="card stacked-form purchase-form"
                on:submit=on_submit
                aria-busy=move || checkout.busy().to_string()
                novalidate
            >
                {order_fields}
                {cards_error.map(|message| view! {
                    <p class="notice" role="status">
                        {format!("Your saved cards and bank accounts could not be loaded ({message}) You can still enter new payment details.")}
                    </p>
                })}
                <PaymentChoiceFields saved=cards selected save=save_card field=checkout.field disabled=busy/>
                <noscript>
                    <p class="notice" data-testid="needs-javascript">
                        "Paying needs JavaScript: the payment form is Stripe's, and it runs in your "
                        "browser so that card and bank details go straight to Stripe, never to "
                        "Octavia. Turn JavaScript on for this site and reload the page."
                    </p>
                </noscript>
                <button type="submit" class="button primary" data-testid="pay" disabled=move || !can_pay()>
                    {pay_label}
                </button>
                <OutcomeNotice outcome=checkout.outcome/>
            </form>
            <aside class="card pool-summary" aria-labelledby="pool-heading">
                <h2 id="pool-heading">"Session pool"</h2>
                <p class="big-number" data-testid="pool-available">{move || checkout.available.get()}</p>
                <p class="muted">"sessions available to your students"</p>
                {children()}
            </aside>
        </div>
    }
    .into_any()
}

/// The unpaid purchase being finished: what it is for, and why the last attempt failed.
#[component]
fn ResumedOrder(purchase: PurchaseView) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="order-total" data-testid="resumed-order">
            <span>"Purchase"</span>
            <strong>{locale.money(purchase.amount, &purchase.currency)}</strong>
            <span class="muted">
                {format!(
                    "{} sessions on the {} plan, started on {}.",
                    purchase.quantity,
                    purchase.plan.id(),
                    locale.date(purchase.created_at)
                )}
            </span>
        </div>
        {purchase.failure_message.map(|reason| view! {
            <p class="muted">{format!("The last attempt did not go through: {reason}")}</p>
        })}
    }
}

/// A "Pay now" link to a purchase that was paid or canceled meanwhile.
#[component]
fn NothingToPay(purchase: PurchaseView) -> impl IntoView {
    let text = match purchase.status {
        PurchaseStatus::Canceled => "This purchase was canceled, so there is nothing to pay.",
        PurchaseStatus::Processing => {
            "Your bank is still processing this payment. Its sessions are added as soon as Stripe confirms it."
        }
        PurchaseStatus::AwaitingTransfer => {
            "This purchase is waiting for your bank transfer; the billing page shows where to send it."
        }
        PurchaseStatus::Disputed | PurchaseStatus::DisputeLost => {
            "This purchase has been paid, and then disputed by the cardholder's bank; the billing page shows where the dispute stands."
        }
        _ => "This purchase has been paid. Its sessions are in your pool.",
    };
    view! {
        <section class="card narrow" role="status" data-testid="nothing-to-pay">
            <h1>"Nothing to pay"</h1>
            <p>{text}</p>
            <p><a href="/billing">"Back to billing"</a> " · " <a href="/billing/purchase">"Buy more sessions"</a></p>
        </section>
    }
}

/// Stripe's test cards and bank accounts, shown only with a test key (offline or Stripe test
/// mode).
#[component]
fn TestPaymentDetails() -> impl IntoView {
    view! {
        <details class="test-cards">
            <summary>"Test mode: payment details to try"</summary>
            <p class="muted small">"Cards: any future expiry date, any CVC and any postal code."</p>
            <ul>
                <li><code>"4242 4242 4242 4242"</code>" succeeds"</li>
                <li><code>"4000 0025 0000 3155"</code>" asks for 3-D Secure"</li>
                <li><code>"4000 0000 0000 3063"</code>" asks for 3-D Secure on the bank's page"</li>
                <li><code>"4000 0000 0000 0002"</code>" is declined"</li>
                <li><code>"4000 0000 0000 9995"</code>" is declined: insufficient funds"</li>
                <li><code>"4000 0000 0000 0259"</code>" succeeds, then is disputed"</li>
                <li><code>"4000 0000 0000 5126"</code>" succeeds; its refunds fail"</li>
            </ul>
            <p class="muted small">"US bank accounts: routing number " <code>"110000000"</code> ", account number"</p>
            <ul>
                <li><code>"000123456789"</code>" succeeds after processing"</li>
                <li><code>"000111111113"</code>" fails: account closed"</li>
                <li><code>"000222222227"</code>" fails: insufficient funds"</li>
                <li><code>"000333333335"</code>" fails: debit not authorized"</li>
            </ul>
            <p class="muted small">
                "Bank transfer: the instructions appear after you pay; send test money with "
                "Stripe's fund_cash_balance test helper (see the README)."
            </p>
        </details>
    }
}
