//! The institution's billing home (BillingControls), one panel per concern.

mod purchase_history;
mod status_badge;

use leptos::prelude::*;
use leptos_meta::Title;

use self::purchase_history::PurchaseHistory;
use crate::api_types::BillingSummary;
use crate::components::sign_out_button::SignOutButton;
use crate::components::signed_in_page::signed_in_page;
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
    let BillingSummary {
        account,
        pool,
        purchases,
    } = summary;
    view! {
        <header class="page-header">
            <div>
                <p class="eyebrow">"Billing"</p>
                <h1 data-testid="institution-name">{account.institution.name}</h1>
                <p class="muted">"Signed in as " {account.email}</p>
            </div>
            <SignOutButton/>
        </header>
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
                            "No sessions available yet. Sessions your institution buys are counted here."
                        </p>
                    }.into_any()
                }}
                <a class="button primary" href="/billing/purchase">"Buy sessions"</a>
            </Panel>
            <Panel title="Purchase history" id="purchase-history">
                <PurchaseHistory first_page=purchases/>
            </Panel>
            <Panel title="Saved cards" id="saved-cards">
                <p class="empty">"No saved cards."</p>
            </Panel>
            <Panel title="Invoices" id="invoices">
                <p class="empty">"No invoices yet."</p>
            </Panel>
        </div>
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
