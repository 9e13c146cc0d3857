//! Server functions of the saved payment methods panel ("Saved cards"), over the same `payment_methods` service the
//! REST API (`/api/stripe/payment-methods`, `/api/stripe/setup-intents`) uses.

use leptos::prelude::*;

use crate::api_types::{PaymentMethodList, PaymentMethodView, SetupIntentCreated};
use crate::error::AppError;

/// The institution's saved payment methods, newest first.
#[server(prefix = "/rpc", endpoint = "load_payment_methods")]
pub async fn load_payment_methods() -> Result<PaymentMethodList, AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            payment_methods::list(&rpc_context::state(), &account.institution.id).await
        }
        .await,
    )
}

/// A SetupIntent for the card about to be typed; the browser confirms it with Stripe.js.
#[server(prefix = "/rpc", endpoint = "start_payment_method_setup")]
pub async fn start_payment_method_setup() -> Result<SetupIntentCreated, AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            payment_methods::create_setup_intent(&rpc_context::state(), &account).await
        }
        .await,
    )
}

/// Records the card `confirmCardSetup` saved, as the default card if asked.
#[server(prefix = "/rpc", endpoint = "record_payment_method")]
pub async fn record_payment_method(
    payment_method_id: String,
    set_default: bool,
) -> Result<(), AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            payment_methods::record(&state, &account, &payment_method_id, set_default)
                .await
                .map(drop)
        }
        .await,
    )
}

/// Records what a SetupIntent confirmed on the bank's page saved (the billing page, opened
/// again with `?setup_intent=…`); returns it and the updated list.
#[server(prefix = "/rpc", endpoint = "finish_payment_method_setup")]
pub async fn finish_payment_method_setup(
    setup_intent_id: String,
    set_default: bool,
) -> Result<(PaymentMethodView, PaymentMethodList), AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            let saved =
                payment_methods::finish_setup(&state, &account, &setup_intent_id, set_default)
                    .await?;
            Ok((
                saved,
                payment_methods::list(&state, &account.institution.id).await?,
            ))
        }
        .await,
    )
}

/// Detaches the card from the institution's customer.
#[server(prefix = "/rpc", endpoint = "remove_payment_method")]
pub async fn remove_payment_method(payment_method_id: String) -> Result<(), AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            payment_methods::remove(&state, &account, &payment_method_id).await
        }
        .await,
    )
}

/// Makes the card the one invoices and future payments use by default.
#[server(prefix = "/rpc", endpoint = "make_default_payment_method")]
pub async fn make_default_payment_method(payment_method_id: String) -> Result<(), AppError> {
    use crate::server::{payment_methods, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            payment_methods::make_default(&state, &account, &payment_method_id)
                .await
                .map(drop)
        }
        .await,
    )
}
