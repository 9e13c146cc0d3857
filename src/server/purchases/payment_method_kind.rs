//! What kind of payment method a webhook's intent was paid with. Stripe's events name the
//! payment method by id only (unless the intent waits on something that shows it), so its type
//! is looked up once per payment method a purchase is attempted with.

use super::transitions::IntentReport;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::server::state::AppState;
use crate::server::storage::purchases;

/// Fills in the type of the report's payment method when the intent did not show it and the
/// purchase has not recorded it yet. Best effort: the type is for display, so a lookup that
/// fails leaves it unknown rather than holding back the payment's news.
pub async fn identify(state: &AppState, report: &mut IntentReport) {
    let Some(method) = report.payment_method.as_mut().filter(|m| m.kind.is_none()) else {
        return;
    };
    match purchases::find_by_payment_intent(state.db.pool(), &report.payment_intent_id).await {
        Ok(Some(purchase))
            if purchase.payment_method_id.as_deref() != Some(method.id.as_str())
                || purchase.payment_method_type.is_none() => {}
        // Known already, not one of ours, or unreadable (the event's own transaction will
        // meet the same database and say so).
        _ => return,
    }
    match state.stripe.find_payment_method(&method.id).await {
        Ok(found) => {
            method.kind = found.and_then(|m| PaymentMethodType::parse(m.type_.as_str()));
        }
        Err(e) => tracing::warn!(
            payment_intent_id = %report.payment_intent_id,
            payment_method_id = %method.id,
            error = %e,
            "could not look up the payment method's type; left unknown"
        ),
    }
}
