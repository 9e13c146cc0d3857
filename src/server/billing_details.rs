//! The institution's billing details: read, and replaced as a whole. A body that is not valid
//! is refused before anything is sent to Stripe; a valid one goes onto the Stripe customer
//! first (so the next invoice carries it: tax IDs added, name, emails and address set, tax IDs
//! no longer wanted removed), then is saved here with its audit entry.

use serde_json::{Value, json};

use crate::api_types::{Account, BillingDetailsView};
use crate::domain::audit::AuditAction;
use crate::domain::billing_details::BillingDetails;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::state::AppState;
use crate::server::storage::{billing_details, institutions};
use stripe_billing::TaxId as StripeTaxId;

/// The saved details, each tax ID with Stripe's verification of it.
pub async fn get(state: &AppState, institution_id: &str) -> Result<BillingDetailsView, AppError> {
    let Some(details) = saved(state, institution_id).await? else {
        return Ok(BillingDetailsView::default());
    };
    let customer_id = institutions::stripe_customer_id(state.db.pool(), institution_id).await?;
    let at_stripe = match customer_id {
        Some(id) if !details.tax_ids.is_empty() => state.stripe.list_tax_ids(&id).await?,
        _ => Vec::new(),
    };
    Ok(with_verification(details, &at_stripe))
}

fn with_verification(details: BillingDetails, at_stripe: &[StripeTaxId]) -> BillingDetailsView {
    let mut view = BillingDetailsView::from(details);
    for tax_id in &mut view.tax_ids {
        tax_id.verification = at_stripe
            .iter()
            .find(|t| t.type_.as_str() == tax_id.kind && t.value == tax_id.value)
            .and_then(|t| t.verification.as_ref())
            .map(|v| v.status.as_str().to_owned());
    }
    view
}

pub async fn replace(
    state: &AppState,
    account: &Account,
    body: &Value,
) -> Result<BillingDetailsView, AppError> {
    let details = BillingDetails::from_json(body).map_err(AppError::BadRequest)?;
    let institution_id = account.institution.id.as_str();
    let customer_id = state
        .stripe
        .ensure_customer(&state.db, institution_id, &account.email)
        .await?;
    let tax_ids = state
        .stripe
        .add_tax_ids(&customer_id, &details.tax_ids)
        .await?;
    state
        .stripe
        .update_customer_billing(&customer_id, &details)
        .await?;
    state
        .stripe
        .remove_other_tax_ids(&customer_id, &tax_ids, &details.tax_ids)
        .await?;
    let before = saved(state, institution_id).await?;
    let text = serde_json::to_string(&details).map_err(|_| AppError::Internal)?;
    let mut tx = state.db.begin_write().await?;
    billing_details::save(&mut *tx, institution_id, &text).await?;
    audit::record(
        &mut *tx,
        institution_id,
        Actor::Admin(&account.email),
        AuditAction::BillingDetailsUpdated,
        ("institution", institution_id),
        json!({ "before": before, "after": details }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(institution_id, "billing details updated");
    Ok(with_verification(details, &tax_ids))
}

async fn saved(state: &AppState, institution_id: &str) -> Result<Option<BillingDetails>, AppError> {
    let Some(text) = billing_details::find(state.db.pool(), institution_id).await? else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|error| {
        tracing::error!(%error, institution_id, "stored billing details do not parse");
        AppError::Internal
    })
}
