use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api_types::Account;
use crate::components::sign_out_button::SignOutButton;
use crate::error::AppError;
use crate::rpc::account::current_account;

/// The institution's billing home (BillingControls). Signed-out visitors are sent to sign-in.
#[component]
pub fn BillingPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Title text="Billing"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading your billing overview…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <BillingOverview account/> }.into_any(),
                    Ok(None) | Err(AppError::Unauthorized) => {
                        view! { <Redirect path="/login"/> }.into_any()
                    }
                    Err(error) => view! {
                        <section class="card narrow" role="alert">
                            <h1>"Billing is unavailable"</h1>
                            <p>{error.to_string()}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BillingOverview(account: Account) -> impl IntoView {
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
                <p class="empty">"No sessions purchased yet. Sessions your institution buys will be counted here."</p>
            </Panel>
            <Panel title="Purchase history" id="purchase-history">
                <p class="empty">"No purchases yet."</p>
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
