//! The institution's billing details: read, and replaced as a whole. A body that is not valid
//! is refused before anything is sent to Stripe; a valid one goes onto the Stripe customer
//! first (so the next invoice carries it), then is saved here with its audit entry.

use serde_json::{Value, json};

use crate::api_types::{Account, BillingDetailsView};
use crate::domain::audit::AuditAction;
use crate::domain::billing_details::BillingDetails;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::state::AppState;
use crate::server::storage::billing_details;

pub async fn get(state: &AppState, institution_id: &str) -> Result<BillingDetailsView, AppError> {
    Ok(saved(state, institution_id)
        .await?
        .map_or_else(BillingDetailsView::default, BillingDetailsView::from))
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
    state
        .stripe
        .update_customer_billing(&customer_id, &details)
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
    Ok(details.into())
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
