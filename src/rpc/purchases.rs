//! Server functions of the SessionPurchase page, over the same `purchases::service` the REST
//! API (`/api/sessions/...`) uses.

use leptos::prelude::*;

use crate::api_types::{CreatedPurchase, PurchaseOutcome, PurchasePage, PurchaseView};
use crate::domain::plan::Plan;
use crate::error::AppError;

/// Prices, the current pool, saved payment methods, where Stripe.js comes from, and the purchase to
/// finish when the admin came to resume one.
#[server(prefix = "/rpc", endpoint = "load_purchase_page")]
pub async fn load_purchase_page(resume: Option<String>) -> Result<PurchasePage, AppError> {
    use crate::server::payment_methods;
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let institution_id = &account.institution.id;
            let resume = match resume {
                Some(id) => Some(service::get(&state.db, institution_id, &id).await?),
                None => None,
            };
            Ok(PurchasePage {
                pricing: state.config.pricing().info(),
                pool: service::pool(&state.db, institution_id).await?,
                stripe: state.config.stripe_client(),
                payment_methods: payment_methods::list(&state, institution_id).await,
                resume,
            })
        }
        .await,
    )
}

/// Creates the purchase and its PaymentIntent; the browser confirms it with the client secret.
/// The server prices the order; the browser only says how many sessions on which plan.
/// `idempotency_key` is made by the browser for one order: sending the same call again (a
/// lost answer, a double click) returns the same purchase instead of a second one.
/// `payment_method_id` is a saved card to pay with; `save_card` keeps a new card for later;
/// `po_number` is the institution's purchase-order number for the invoice.
#[server(prefix = "/rpc", endpoint = "start_purchase")]
pub async fn start_purchase(
    quantity: i64,
    plan: Plan,
    idempotency_key: String,
    payment_method_id: Option<String>,
    #[server(default)] save_card: bool,
    #[server(default)] po_number: Option<String>,
) -> Result<CreatedPurchase, AppError> {
    use crate::domain::idempotency_key::IdempotencyKey;
    use crate::domain::purchase_order::{PaymentChoice, PurchaseOrder};
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let key = IdempotencyKey::parse(&idempotency_key).map_err(AppError::BadRequest)?;
            let order = PaymentChoice::new(payment_method_id, save_card)
                .and_then(|payment| {
                    let pricing = state.config.pricing();
                    PurchaseOrder::new(&pricing, plan, quantity, payment, po_number.as_deref())
                })
                .map_err(AppError::BadRequest)?;
            let created = service::create(&state, &account, &order, Some(&key)).await?;
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
            let purchase = service::sync(&state, &account, &purchase_id).await?;
            let pool = service::pool(&state.db, &account.institution.id).await?;
            Ok(PurchaseOutcome { purchase, pool })
        }
        .await,
    )
}

/// The purchase and the pool as this server knows them (no call to Stripe): what a page
/// waiting for a bank debit or transfer to settle looks at.
#[server(prefix = "/rpc", endpoint = "check_purchase")]
pub async fn check_purchase(purchase_id: String) -> Result<PurchaseOutcome, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let institution_id = &account.institution.id;
            let purchase = service::get(&state.db, institution_id, &purchase_id).await?;
            let pool = service::pool(&state.db, institution_id).await?;
            Ok(PurchaseOutcome { purchase, pool })
        }
        .await,
    )
}

/// An unpaid purchase made earlier, to confirm again: finish 3-D Secure, or try another card.
#[server(prefix = "/rpc", endpoint = "resume_purchase")]
pub async fn resume_purchase(purchase_id: String) -> Result<CreatedPurchase, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            service::resume(&rpc_context::state(), &account.institution.id, &purchase_id).await
        }
        .await,
    )
}

/// Cancels an unpaid purchase and its PaymentIntent (as `POST .../{id}/cancel`).
#[server(prefix = "/rpc", endpoint = "cancel_purchase")]
pub async fn cancel_purchase(purchase_id: String) -> Result<PurchaseView, AppError> {
    use crate::server::purchases::service;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            service::cancel(&rpc_context::state(), &account, &purchase_id).await
        }
        .await,
    )
}
