//! Charges: made when a payment intent's card is charged; retrievable, refunded by refunds.

use serde_json::{Value, json};

use super::Tx;
use super::cards::Decline;
use super::ids::{new_id, now};
use super::payment_methods;

/// Charges the intent's card: stores the charge, emits `charge.succeeded` or `charge.failed`,
/// and returns it with the decline, if any.
pub fn charge(tx: &mut Tx, intent: &Value, payment_method: &Value) -> (Value, Option<Decline>) {
    let decline = payment_methods::behaviour(payment_method).charge_decline();
    let id = new_id("ch");
    let amount = intent["amount"].as_i64().unwrap_or_default();
    let succeeded = decline.is_none();
    let card = &payment_method["card"];
    let charge = json!({
        "id": id,
        "object": "charge",
        "amount": amount,
        "amount_captured": if succeeded { amount } else { 0 },
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "balance_transaction": if succeeded { json!(new_id("txn")) } else { Value::Null },
        "billing_details": payment_method["billing_details"],
        "calculated_statement_descriptor": "OCTAVIA BILLING",
        "captured": succeeded,
        "created": now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": decline.map(|d| d.code),
        "failure_message": decline.map(|d| d.message),
        "fraud_details": {},
        "livemode": false,
        "metadata": intent["metadata"],
        "on_behalf_of": null,
        "outcome": {
            "advice_code": null,
            "network_advice_code": null,
            "network_decline_code": null,
            "network_status": if succeeded { "approved_by_network" } else { "declined_by_network" },
            "reason": decline.and_then(|d| d.decline_code),
            "risk_level": "normal",
            "seller_message": if succeeded { "Payment complete." } else { "The bank did not return any further details with this decline." },
            "type": if succeeded { "authorized" } else { "issuer_declined" },
        },
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": payment_method["id"],
        "payment_method_details": {
            "card": {
                "amount_authorized": if succeeded { json!(amount) } else { Value::Null },
                "authorization_code": null,
                "brand": card["brand"],
                "checks": card["checks"],
                "country": card["country"],
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "extended_authorization": { "status": "disabled" },
                "fingerprint": card["fingerprint"],
                "funding": card["funding"],
                "incremental_authorization": { "status": "unavailable" },
                "installments": null,
                "last4": card["last4"],
                "mandate": null,
                "multicapture": { "status": "unavailable" },
                "network": card["brand"],
                "network_token": { "used": false },
                "network_transaction_id": null,
                "overcapture": { "maximum_amount_capturable": amount, "status": "unavailable" },
                "regulated_status": "unregulated",
                "three_d_secure": null,
                "wallet": null,
            },
            "type": "card",
        },
        "receipt_email": intent["receipt_email"],
        "receipt_number": null,
        "receipt_url": null,
        "refunded": false,
        "refunds": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/charges/{id}/refunds") },
        "review": null,
        "shipping": null,
        "source": null,
        "source_transfer": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": if succeeded { "succeeded" } else { "failed" },
        "transfer_data": null,
        "transfer_group": null,
    });
    let charge = tx.store.insert(charge);
    tx.emit(
        if succeeded {
            "charge.succeeded"
        } else {
            "charge.failed"
        },
        &charge,
    );
    (charge, decline)
}
