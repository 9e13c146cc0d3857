//! Server functions of the billing page (BillingControls).

use leptos::prelude::*;

use crate::api_types::BillingSummary;
use crate::error::AppError;

/// The signed-in admin and the institution's pool, in one round trip for the first render.
#[server(prefix = "/rpc", endpoint = "load_billing_summary")]
pub async fn load_billing_summary() -> Result<BillingSummary, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let pool = service::pool(&rpc_context::state().db, &account.institution.id).await?;
            Ok(BillingSummary { account, pool })
        }
        .await,
    )
}
