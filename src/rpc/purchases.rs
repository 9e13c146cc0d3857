//! Server functions of the SessionPurchase page, over the same `purchases::service` the REST
//! API (`/api/sessions/...`) uses.

use leptos::prelude::*;

use crate::api_types::{CreatedPurchase, PurchaseOutcome, PurchasePage};
use crate::error::AppError;

/// Prices, the current pool and where Stripe.js comes from.
#[server(prefix = "/rpc", endpoint = "load_purchase_page")]
pub async fn load_purchase_page() -> Result<PurchasePage, AppError> {
    use crate::api_types::StripeClientConfig;
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            Ok(PurchasePage {
                pricing: state.config.pricing().info(),
                pool: service::pool(&state.db, &account.institution.id).await?,
                stripe: StripeClientConfig {
                    publishable_key: state.config.publishable_key().to_owned(),
                    js_url: state.config.stripe_js_url.clone(),
                },
            })
        }
        .await,
    )
}

/// Creates the purchase and its PaymentIntent; the browser confirms it with the client secret.
/// The server prices the order; the browser only says how many sessions on which plan.
/// `idempotency_key` is made by the browser for one order: sending the same call again (a
/// lost answer, a double click) returns the same purchase instead of a second one.
#[server(prefix = "/rpc", endpoint = "start_purchase")]
pub async fn start_purchase(
    quantity: i64,
    plan: String,
    idempotency_key: String,
) -> Result<CreatedPurchase, AppError> {
    use crate::domain::idempotency_key::IdempotencyKey;
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let key = IdempotencyKey::parse(&idempotency_key).map_err(AppError::BadRequest)?;
            let order = serde_json::json!({ "quantity": quantity, "plan": plan });
            let created =
                service::create(&rpc_context::state(), &account, &order, Some(&key)).await?;
            Ok(created.purchase)
        }
        .await,
    )
}

/// After `confirmCardPayment` resolves: asks Stripe how the payment stands (the webhook may
/// not have arrived yet) and returns the purchase and the pool as they are now.
#[server(prefix = "/rpc", endpoint = "finish_purchase")]
pub async fn finish_purchase(purchase_id: String) -> Result<PurchaseOutcome, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let purchase = service::sync(&state, &account.institution.id, &purchase_id).await?;
            let pool = service::pool(&state.db, &account.institution.id).await?;
            Ok(PurchaseOutcome { purchase, pool })
        }
        .await,
    )
}
