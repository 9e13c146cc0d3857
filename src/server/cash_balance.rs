//! Money bank transfers left on the institution's Stripe cash balance (an overpayment, or a
//! canceled transfer's money): the billing page says how much, since Stripe applies it to the
//! next bank-transfer payment rather than giving it back by itself.

use crate::domain::payment_method_types::PaymentMethodType;
use crate::error::AppError;
use crate::server::state::AppState;

/// The balance in the app's currency, in minor units, read under the institution's
/// `(customer, lists version)` (see `stripe::list_cache`); 0 without a Stripe customer or
/// when bank transfers are not offered.
pub async fn available_under(
    state: &AppState,
    key: Option<(String, i64)>,
) -> Result<i64, AppError> {
    let Some((customer_id, version)) = key else {
        return Ok(0);
    };
    if !state
        .config
        .payment_methods
        .contains(&PaymentMethodType::CustomerBalance)
    {
        return Ok(0);
    }
    let cache = &state.stripe_lists.cash_balances;
    if let Some(available) = cache.get(&customer_id, version) {
        return Ok(available);
    }
    let currency = state.config.currency.code();
    let available = state.stripe.cash_balance(&customer_id, currency).await?;
    cache.put(customer_id, version, available);
    Ok(available)
}
