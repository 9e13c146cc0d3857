//! The institution's billing home (BillingControls), one panel per concern.

mod activity;
mod add_payment_method_form;
mod admin_list;
mod billing_details_form;
mod invoice_list;
mod monthly_chart;
mod older_pages;
mod payment_methods;
mod purchase_history;
mod reload_when_settled;
mod status_badge;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use self::activity::Activity;
use self::admin_list::AdminList;
use self::billing_details_form::BillingDetailsForm;
use self::invoice_list::InvoiceList;
use self::monthly_chart::MonthlyChart;
use self::payment_methods::PaymentMethods;
use self::purchase_history::PurchaseHistory;
use self::reload_when_settled::{ReloadWhenSettled, invoice_pending, is_settling};
use crate::api_types::{BillingSummary, PurchaseView};
use crate::components::locale::use_locale;
use crate::components::sign_out_button::SignOutButton;
use crate::components::signed_in_page::signed_in_page;
use crate::components::transfer_instructions::TransferInstructions;
use crate::domain::pricing::Pricing;
use crate::rpc::billing::load_billing_summary;

/// The institution's billing home (BillingControls). Signed-out visitors are sent to sign-in.
#[component]
pub fn BillingPage() -> impl IntoView {
    view! {
        <Title text="Billing"/>
        {signed_in_page(
            "Loading your billing overview…",
            "Billing is unavailable",
            load_billing_summary,
            |summary| view! { <BillingOverview summary/> },
        )}
    }
}

#[component]
fn BillingOverview(summary: BillingSummary) -> impl IntoView {
    let locale = use_locale();
    let BillingSummary {
        account,
        pricing,
        pool,
        summary: monthly,
        purchases,
        awaiting_transfers,
        cash_balance,
        payment_methods,
        invoices,
        stripe,
        activity,
        admins,
        billing_details,
    } = summary;
    // `?setup_intent=…&set_default=…`: back from the bank's page after saving a card.
    let returned_setup = use_query_map().with_untracked(|query| {
        let set_default = query.get("set_default").as_deref() == Some("true");
        Some((query.get("setup_intent")?, set_default))
    });
    let invoice_pending = purchases.data.iter().any(invoice_pending);
    // A payment the bank is still processing, or an invoice still being issued, arrives in
    // the background.
    let settling: Vec<String> = purchases
        .data
        .iter()
        .filter(|p| is_settling(p))
        .map(|p| p.id.clone())
        .collect();
    let last_purchase = pool.last_purchase.map(|last| {
        format!(
            "Last purchase: {} sessions on {} ({}).",
            last.quantity,
            locale.date(last.created_at),
            locale.money(last.amount, &last.currency)
        )
    });
    let prices = Pricing::from_info(&pricing).ok().map(|pricing| {
        let currency = pricing.currency.code().to_owned();
        let saving = pricing.annual_saving_per_session();
        view! {
            <dl class="prices" data-testid="prices">
                <dt>"Annual plan"</dt>
                <dd>
                    {
                        let price = locale.money(pricing.annual.cents(), &currency);
                        if saving > 0 {
                            format!("{price} per session (saves {} per session)", locale.money(saving, &currency))
                        } else {
                            format!("{price} per session")
                        }
                    }
                </dd>
                <dt>"Quarterly plan"</dt>
                <dd>{format!("{} per session", locale.money(pricing.quarterly.cents(), &currency))}</dd>
            </dl>
        }
    });
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow">"Billing"</p>
                <h1 data-testid="institution-name">{account.institution.name}</h1>
                <p class="muted">"Signed in as " {account.email}</p>
            </div>
            <SignOutButton/>
        </header>
        {(!settling.is_empty()).then(|| view! { <ReloadWhenSettled settling/> })}
        <div class="panel-grid">
            <Panel title="Session pool" id="session-pool">
                {if pool.available > 0 {
                    view! {
                        <p class="big-number" data-testid="pool-available">{pool.available}</p>
                        <p class="muted">"sessions available to your students"</p>
                    }.into_any()
                } else {
                    view! {
                        <p class="empty" data-testid="pool-empty">
                            {if pool.total_purchased > 0 {
                                "No sessions available right now."
                            } else {
                                "No sessions available yet. Sessions your institution buys are counted here."
                            }}
                        </p>
                    }.into_any()
                }}
                {(pool.total_purchased > 0).then(|| view! {
                    <p class="muted" data-testid="pool-details">
                        {format!("{} sessions bought in all.", pool.total_purchased)}
                        {last_purchase.map(|text| format!(" {text}"))}
                    </p>
                })}
                {prices}
                <a class="button primary" href="/billing/purchase">"Buy sessions"</a>
            </Panel>
            {(!awaiting_transfers.is_empty() || cash_balance.as_ref().is_ok_and(|b| *b > 0)).then(|| view! {
                <Panel title="Bank transfers" id="bank-transfers">
                    <BankTransfers awaiting=awaiting_transfers cash_balance=cash_balance.unwrap_or(0) currency=pricing.currency.clone()/>
                </Panel>
            })}
            <Panel title="Sessions and spending" id="monthly-chart">
                <MonthlyChart summary=monthly/>
            </Panel>
            <Panel title="Saved cards and bank accounts" id="saved-cards">
                <PaymentMethods payment_methods stripe returned=returned_setup/>
            </Panel>
            <Panel title="Purchase history" id="purchase-history">
                <PurchaseHistory first_page=purchases/>
                <p><a href="/api/sessions/purchases.csv" download>"Download the history (CSV)"</a></p>
            </Panel>
            <Panel title="Invoices" id="invoices">
                {invoice_pending.then(|| view! {
                    <p class="muted" role="status" data-testid="invoice-pending">
                        "The invoice for your latest purchase is being prepared; it appears here in a moment."
                    </p>
                })}
                <InvoiceList invoices/>
            </Panel>
            <Panel title="Activity" id="activity-panel">
                <Activity first_page=activity/>
                <p><a href="/api/audit-log.csv" download>"Download the activity log (CSV)"</a></p>
            </Panel>
            <Panel title="Billing details" id="billing-details">
                <BillingDetailsForm details=billing_details/>
            </Panel>
            <Panel title="Administrators" id="admins">
                <AdminList admins/>
            </Panel>
        </div>
        <script nonce=use_nonce()>{include_str!("billing_details_form.js")}</script>
    }
}

/// The transfers the institution still has to send, with where to send each, and what earlier
/// transfers left on its cash balance.
#[component]
fn BankTransfers(
    awaiting: Vec<PurchaseView>,
    cash_balance: i64,
    currency: String,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        {awaiting.into_iter().map(|purchase| {
            let heading = format!(
                "{} sessions ({}), ordered {}",
                purchase.quantity,
                locale.money(purchase.amount, &purchase.currency),
                locale.date(purchase.created_at)
            );
            purchase.bank_transfer.map(|transfer| view! {
                <h3 class="transfer-heading">{heading}</h3>
                <TransferInstructions transfer purchase_id=purchase.id/>
            })
        }).collect_view()}
        {(cash_balance > 0).then(|| view! {
            <p data-testid="cash-balance">
                {format!(
                    "{} from your bank transfers is on your Stripe cash balance (more than a purchase \
                     asked for, or sent for a purchase that was canceled). It pays toward your next \
                     bank-transfer purchase.",
                    locale.money(cash_balance, &currency)
                )}
            </p>
        })}
    }
}

#[component]
fn Panel(title: &'static str, id: &'static str, children: Children) -> impl IntoView {
    let heading_id = format!("{id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card panel" id=id aria-labelledby=labelled_by>
            <h2 id=heading_id>{title}</h2>
            {children()}
        </section>
    }
}
