//! `/api/institution/...`: the signed-in admin's institution.

use axum::Json;
use axum::extract::State;

use serde_json::Value;

use super::json::ApiJson;
use crate::api_types::{AdminList, BillingDetailsView};
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::billing_details;
use crate::server::state::AppState;
use crate::server::storage::admins;

/// `GET /api/institution/admins`: `{data: [{email, last_sign_in_at}]}`, by email. Admins are
/// added with the `add-admin` command.
pub async fn admins(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<AdminList>, AppError> {
    let data = admins::list_for_institution(state.db.pool(), &account.institution.id).await?;
    Ok(Json(AdminList { data }))
}

/// `GET /api/institution/billing-details`: as last saved; empty fields until then.
pub async fn billing_details(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<BillingDetailsView>, AppError> {
    Ok(Json(
        billing_details::get(&state, &account.institution.id).await?,
    ))
}

/// `PUT /api/institution/billing-details` `{"legal_name", "emails", "address", "tax_ids"}`:
/// 200 with the details as saved (normalised); 400 naming the field, with nothing sent to
/// Stripe.
pub async fn replace_billing_details(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<BillingDetailsView>, AppError> {
    Ok(Json(
        billing_details::replace(&state, &account, &body).await?,
    ))
}
