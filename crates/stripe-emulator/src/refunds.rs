//! Refunds of a succeeded charge (named directly or through its payment intent), whole or
//! partial; the charge keeps the running total as Stripe's does.

use axum::Json;
use serde_json::{Value, json};

use super::cards::Behaviour;
use super::errors::StripeError;
use super::ids::{new_id, now};
use super::{ApiResult, Call, Tx, payment_methods};

pub async fn create(Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let reason = params.non_empty_str("reason");
    if let Some(r) = reason
        && !["duplicate", "fraudulent", "requested_by_customer"].contains(&r)
    {
        return Err(StripeError::invalid_request(
            format!("Invalid reason: {r}"),
            Some("reason"),
        ));
    }
    let requested = params.int("amount")?;
    emulator.transact(&ctx, |tx| {
        let charge_id = match (params.non_empty_str("charge"), params.non_empty_str("payment_intent")) {
            (Some(charge), _) => charge.to_owned(),
            (None, Some(pi)) => {
                let intent = tx.store.find("payment_intent", "payment_intent", pi)?;
                intent["latest_charge"].as_str().map(str::to_owned).ok_or_else(|| {
                    StripeError::invalid_request(
                        format!("This PaymentIntent ({pi}) does not have a successful charge to refund."),
                        Some("payment_intent"),
                    )
                })?
            }
            (None, None) => return Err(StripeError::missing_param("charge")),
        };
        let mut charge = tx.store.find("charge", "charge", &charge_id)?;
        if charge["status"] != "succeeded" {
            return Err(StripeError::invalid_request(
                format!("Charge {charge_id} has not succeeded, so it cannot be refunded."),
                Some("charge"),
            ));
        }
        let charged = charge["amount"].as_i64().unwrap_or_default();
        let refunded = charge["amount_refunded"].as_i64().unwrap_or_default();
        let remaining = charged - refunded;
        if remaining == 0 {
            return Err(StripeError::invalid_request(format!("Charge {charge_id} has already been refunded."), None)
                .with_code("charge_already_refunded"));
        }
        let amount = requested.unwrap_or(remaining);
        if amount <= 0 || amount > remaining {
            return Err(StripeError::invalid_request(
                format!(
                    "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                    minor_units(amount),
                    minor_units(remaining)
                ),
                Some("amount"),
            )
            .with_code("amount_too_large"));
        }
        let refund = tx.store.insert(json!({
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": new_id("txn"),
            "charge": charge_id,
            "created": now(),
            "currency": charge["currency"],
            "customer": charge["customer"],
            "customer_account": null,
            "destination_details": { "card": { "type": "refund", "reference_status": "pending" }, "type": "card" },
            "metadata": params.merge_metadata(&json!({}))?,
            "payment_intent": charge["payment_intent"],
            "payment_method": charge["payment_method"],
            "reason": reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": "succeeded",
            "transfer_reversal": null,
        }));
        charge["amount_refunded"] = json!(refunded + amount);
        charge["refunded"] = json!(refunded + amount == charged);
        if let Some(list) = charge["refunds"]["data"].as_array_mut() {
            list.insert(0, refund.clone());
        }
        let charge = tx.store.insert(charge);
        tx.emit("refund.created", &refund);
        tx.emit("charge.refunded", &charge);
        let card = tx.store.find("payment_method", "PaymentMethod", charge["payment_method"].as_str().unwrap_or_default());
        if card.is_ok_and(|pm| payment_methods::behaviour(&pm) == Behaviour::RefundsFail) {
            return Ok(Json(fail(tx, refund, charge)));
        }
        Ok(Json(refund))
    })
}

/// A refund of card 4000 0000 0000 5126 fails after it was made, as in Stripe's test mode (there
/// some time later, here at once): the money goes back to the charge, `refund.failed` and
/// `charge.refund.updated` are emitted.
fn fail(tx: &mut Tx, mut refund: Value, mut charge: Value) -> Value {
    refund["status"] = json!("failed");
    refund["failure_reason"] = json!("expired_or_canceled_card");
    refund["failure_balance_transaction"] = json!(new_id("txn"));
    let refund = tx.store.insert(refund);
    let amount = refund["amount"].as_i64().unwrap_or_default();
    let refunded = charge["amount_refunded"].as_i64().unwrap_or_default() - amount;
    charge["amount_refunded"] = json!(refunded.max(0));
    charge["refunded"] = json!(false);
    if let Some(list) = charge["refunds"]["data"].as_array_mut() {
        for listed in list.iter_mut().filter(|r| r["id"] == refund["id"]) {
            *listed = refund.clone();
        }
    }
    tx.store.insert(charge);
    tx.emit("refund.failed", &refund);
    tx.emit("charge.refund.updated", &refund);
    refund
}

/// "$12.34"-style, as Stripe's refund messages show amounts (two-decimal currencies).
fn minor_units(amount: i64) -> String {
    format!("${}.{:02}", amount / 100, amount % 100)
}

/// Filtered by `payment_intent` or `charge` when given.
pub async fn list(Call(emulator, ctx, params): Call) -> ApiResult {
    let filters: Vec<(&str, String)> = ["payment_intent", "charge"]
        .into_iter()
        .filter_map(|key| params.non_empty_str(key).map(|v| (key, v.to_owned())))
        .collect();
    emulator.list(&ctx, &params, "refund", "/v1/refunds", |refund: &Value| {
        filters
            .iter()
            .all(|(key, value)| refund[*key] == value.as_str())
    })
}
