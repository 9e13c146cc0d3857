//! The institution's billing details (legal name, billing emails, postal address, tax IDs), as
//! every invoice prints them. Rendered on the server; a few lines of script (no wasm) save the
//! form to `PUT /api/institution/billing-details` and show the answer in place, so nothing the
//! admin typed is lost when a field is refused.

use leptos::prelude::*;

use crate::api_types::{BillingDetailsView, TaxIdView};
use crate::domain::billing_details::{MAX_TAX_IDS, TAX_ID_TYPES};
use crate::error::AppError;

#[component]
pub fn BillingDetailsForm(details: Result<BillingDetailsView, AppError>) -> impl IntoView {
    let details = match details {
        Ok(details) => details,
        Err(error) => {
            return view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any();
        }
    };
    let address = details.address.clone().unwrap_or_default();
    let field = |id: &'static str,
                 label: &'static str,
                 value: String,
                 attrs: (&'static str, bool)| {
        let (autocomplete, required) = attrs;
        view! {
            <label for=format!("bd-{id}")>{label}</label>
            <input id=format!("bd-{id}") name=id value=value autocomplete=autocomplete required=required/>
        }
    };
    let tax_ids = details.tax_ids.clone();
    view! {
        <p class="muted small">"Printed on every invoice from now on. Your accounts-payable office may need all of it."</p>
        <form id="billing-details-form" class="stacked-form" novalidate aria-describedby="billing-details-status">
            {field("legal_name", "Legal name", details.legal_name.clone().unwrap_or_default(), ("organization", true))}
            <label for="bd-emails">"Billing emails"</label>
            <input id="bd-emails" name="emails" value=details.emails.join(", ") autocomplete="email" required aria-describedby="bd-emails-hint"/>
            <p id="bd-emails-hint" class="muted small">"Separate several addresses with commas. Receipts go to the first."</p>
            {field("line1", "Address line 1", address.line1, ("address-line1", true))}
            {field("line2", "Address line 2 (optional)", address.line2.unwrap_or_default(), ("address-line2", false))}
            {field("city", "City", address.city, ("address-level2", true))}
            {field("state", "State or region (optional)", address.state.unwrap_or_default(), ("address-level1", false))}
            {field("postal_code", "Postal code", address.postal_code, ("postal-code", true))}
            {field("country", "Country (two letters, such as US or DE)", address.country, ("country", true))}
            <fieldset class="tax-ids">
                <legend>"Tax IDs"</legend>
                <ul id="tax-id-rows" class="plain-list" data-max=MAX_TAX_IDS>
                    {tax_ids.into_iter().map(|tax_id| view! { <TaxIdRow tax_id=Some(tax_id)/> }).collect_view()}
                </ul>
                <template id="tax-id-row-template"><TaxIdRow tax_id=None/></template>
                <button type="button" class="button link" id="add-tax-id" hidden>"Add a tax ID"</button>
            </fieldset>
            <p id="billing-details-status" role="status" aria-live="polite"></p>
            <noscript><p class="form-error">"Saving billing details needs JavaScript."</p></noscript>
            <button type="submit" class="button primary" disabled>"Save billing details"</button>
        </form>
    }
    .into_any()
}

/// One tax ID: its type, value and what the tax authority said of it.
#[component]
fn TaxIdRow(tax_id: Option<TaxIdView>) -> impl IntoView {
    let (kind, value, verification) = match tax_id {
        Some(t) => (t.kind, t.value, t.verification),
        None => ("eu_vat".to_owned(), String::new(), None),
    };
    let known = TAX_ID_TYPES.iter().any(|(id, _)| *id == kind);
    view! {
        <li class="tax-id-row">
            <select name="tax_id_type" aria-label="Tax ID type">
                {TAX_ID_TYPES.iter().map(|(id, label)| view! {
                    <option value=*id selected=*id == kind>{*label}</option>
                }).collect_view()}
                {(!known).then(|| view! { <option value=kind.clone() selected>{kind.clone()}</option> })}
            </select>
            <input name="tax_id_value" value=value aria-label="Tax ID number"/>
            {verification.map(|status| {
                let (label, class) = match status.as_str() {
                    "verified" => ("Verified", "badge badge-completed"),
                    "unverified" => ("Not verified by the tax authority", "badge badge-failed"),
                    "pending" => ("Verification pending", "badge badge-pending"),
                    _ => ("Not checked", "badge"),
                };
                view! { <span class=class data-verification=status>{label}</span> }
            })}
            <button type="button" class="button link" data-remove-tax-id>"Remove"</button>
        </li>
    }
}
