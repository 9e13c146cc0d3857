//! Server functions of the billing page (BillingControls).

use leptos::prelude::*;

use crate::api_types::{BillingSummary, InvoiceList, PurchaseList};
use crate::error::AppError;

/// Purchases and invoices shown per page.
#[cfg(feature = "ssr")]
const HISTORY_PAGE: i64 = 10;

/// The signed-in admin, the pool, the monthly summary and the newest purchases, in one round
/// trip for the first render.
#[server(prefix = "/rpc", endpoint = "load_billing_summary")]
pub async fn load_billing_summary() -> Result<BillingSummary, AppError> {
    use crate::api_types::AdminList;
    use crate::rpc::audit::ACTIVITY_PAGE;
    use crate::server::invoices::service as invoices;
    use crate::server::payment_methods;
    use crate::server::purchases::service;
    use crate::server::rpc_context;
    use crate::server::storage::{admins, institutions};
    use crate::server::{audit, billing_details, cash_balance};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let institution_id = &account.institution.id;
            let pool = service::pool(&state.db, institution_id).await?;
            let summary = service::summary(&state, institution_id).await?;
            let purchases =
                service::list(&state.db, institution_id, Some(HISTORY_PAGE), None).await?;
            let activity =
                audit::list(&state.db, institution_id, Some(ACTIVITY_PAGE), None, None).await?;
            let admins = AdminList {
                data: admins::list_for_institution(state.db.pool(), institution_id).await?,
            };
            // These may ask Stripe: in parallel, so the page waits for the slowest one only.
            let key = institutions::stripe_lists_key(state.db.pool(), institution_id).await?;
            let (payment_methods, invoices, billing_details, cash_balance, awaiting_transfers) = tokio::join!(
                payment_methods::list_under(&state, key.clone()),
                invoices::list_under(&state, key.clone(), Some(HISTORY_PAGE), None),
                billing_details::get(&state, institution_id),
                cash_balance::available_under(&state, key),
                service::awaiting_transfers(&state.db, institution_id),
            );
            let awaiting_transfers = awaiting_transfers?;
            Ok(BillingSummary {
                pricing: state.config.pricing().info(),
                account,
                pool,
                summary,
                purchases,
                awaiting_transfers,
                cash_balance,
                payment_methods,
                invoices,
                stripe: state.config.stripe_client(),
                activity,
                admins,
                billing_details,
            })
        }
        .await,
    )
}

/// The purchases after `starting_after` (the last id shown), newest first.
#[server(prefix = "/rpc", endpoint = "load_purchases")]
pub async fn load_purchases(starting_after: Option<String>) -> Result<PurchaseList, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            service::list(
                &rpc_context::state().db,
                &account.institution.id,
                Some(HISTORY_PAGE),
                starting_after.as_deref(),
            )
            .await
        }
        .await,
    )
}

/// The invoices after `starting_after` (the last id shown), newest first, from Stripe.
#[server(prefix = "/rpc", endpoint = "load_invoices")]
pub async fn load_invoices(starting_after: Option<String>) -> Result<InvoiceList, AppError> {
    use crate::server::invoices::service as invoices;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            invoices::list(
                &rpc_context::state(),
                &account.institution.id,
                Some(HISTORY_PAGE),
                starting_after.as_deref(),
            )
            .await
        }
        .await,
    )
}
