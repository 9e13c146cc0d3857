//! The institution's invoices, for signed-in admins: the list, one invoice, and the link from
//! the purchase history to an invoice's page at Stripe.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;

use super::page::ListParams;
use crate::api_types::{InvoiceList, InvoiceView};
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

/// `GET /api/stripe/invoices/{id}`: one of the institution's invoices.
pub async fn get(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, AppError> {
    Ok(Json(
        service::get(&state, &account.institution.id, &id).await?,
    ))
}

/// `POST /api/stripe/invoices/{id}/send`: Stripe emails the invoice again; 200 with the
/// invoice, 404 for another institution's, an unknown or a malformed id.
pub async fn send(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, AppError> {
    Ok(Json(service::send(&state, &account, &id).await?))
}

/// `GET /billing/invoices/{id}`: the history's link to a purchase's invoice. Sends the admin
/// on to Stripe's hosted invoice page (whose address is only known once Stripe is asked), or
/// to sign-in when the session has ended.
pub async fn open_hosted(
    account: Result<SignedIn, AppError>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Redirect, AppError> {
    let Ok(SignedIn(account)) = account else {
        return Ok(Redirect::to("/login"));
    };
    let invoice = service::get(&state, &account.institution.id, &id).await?;
    invoice
        .hosted_invoice_url
        .map(|url| Redirect::to(&url))
        .ok_or_else(|| {
            AppError::Conflict(
                "This invoice has no page yet: Stripe makes one when the invoice is finalized. \
                 Try again in a minute."
                    .to_owned(),
            )
        })
}
