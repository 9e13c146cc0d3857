//! `GET /api/stripe/invoices`: the institution's invoices, for signed-in admins.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

use super::page::ListParams;
use crate::api_types::InvoiceList;
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::invoices::service;
use crate::server::state::AppState;

/// `GET /api/stripe/invoices?limit=&starting_after=`.
pub async fn list(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<InvoiceList>, AppError> {
    let params = ListParams::from_query(query)?;
    Ok(Json(
        service::list(
            &state,
            &account.institution.id,
            params.limit,
            params.starting_after.as_deref(),
        )
        .await?,
    ))
}
