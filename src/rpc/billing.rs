//! Server functions of the billing page (BillingControls).

use leptos::prelude::*;

use crate::api_types::{BillingSummary, PurchaseList};
use crate::error::AppError;

/// Purchases the history shows per page.
const HISTORY_PAGE: i64 = 10;

/// The signed-in admin, the pool and the newest purchases, in one round trip for the first
/// render.
#[server(prefix = "/rpc", endpoint = "load_billing_summary")]
pub async fn load_billing_summary() -> Result<BillingSummary, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let db = rpc_context::state().db;
            let institution_id = &account.institution.id;
            let pool = service::pool(&db, institution_id).await?;
            let purchases = service::list(&db, institution_id, Some(HISTORY_PAGE), None).await?;
            Ok(BillingSummary {
                account,
                pool,
                purchases,
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
