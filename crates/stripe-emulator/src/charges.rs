//! Charges: made when a payment intent's card is charged or its bank account debited;
//! retrievable, refunded by refunds.

use serde_json::{Value, json};

use super::Tx;
use super::cards::Decline;
use super::ids::{new_id, now};
use super::intents::merge;
use super::payment_methods;

/// Charges the intent's card: stores the charge, emits `charge.succeeded` or `charge.failed`,
/// and returns it with the decline, if any.
pub fn charge(tx: &mut Tx, intent: &Value, payment_method: &Value) -> (Value, Option<Decline>) {
    let decline = payment_methods::behaviour(payment_method).charge_decline();
    let amount = intent["amount"].as_i64().unwrap_or_default();
    let succeeded = decline.is_none();
    let card = &payment_method["card"];
    let mut charge = shell(intent, payment_method);
    merge(
        &mut charge,
        json!({
            "amount_captured": if succeeded { amount } else { 0 },
            "balance_transaction": if succeeded { json!(new_id("txn")) } else { Value::Null },
            "captured": succeeded,
            "failure_code": decline.map(|d| d.code),
            "failure_message": decline.map(|d| d.message),
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
            "status": if succeeded { "succeeded" } else { "failed" },
        }),
    );
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

/// A debit sent to the customer's bank: `pending` until the bank answers (the caller emits
/// `charge.pending`).
pub fn bank_debit(tx: &mut Tx, intent: &Value, payment_method: &Value, mandate: &Value) -> Value {
    let bank = &payment_method["us_bank_account"];
    let mut charge = shell(intent, payment_method);
    merge(
        &mut charge,
        json!({
            "amount_captured": 0,
            "balance_transaction": null,
            "captured": false,
            "failure_code": null,
            "failure_message": null,
            "outcome": accepted("Payment pending: the bank has not answered yet."),
            "paid": false,
            "payment_method_details": {
                "type": "us_bank_account",
                "us_bank_account": {
                    "account_holder_type": bank["account_holder_type"],
                    "account_type": bank["account_type"],
                    "bank_name": bank["bank_name"],
                    "expected_debit_date": null,
                    "fingerprint": bank["fingerprint"],
                    "last4": bank["last4"],
                    "mandate": mandate["id"],
                    "payment_reference": null,
                    "routing_number": bank["routing_number"],
                },
            },
            "status": "pending",
        }),
    );
    tx.store.insert(charge)
}

/// A payment from the customer's cash balance (a bank transfer that arrived): succeeded (the
/// caller emits `charge.succeeded`).
pub fn from_balance(tx: &mut Tx, intent: &Value, payment_method: &Value) -> Value {
    let mut charge = shell(intent, payment_method);
    merge(
        &mut charge,
        json!({
            "amount_captured": intent["amount"],
            "balance_transaction": new_id("txn"),
            "captured": true,
            "failure_code": null,
            "failure_message": null,
            "outcome": accepted("Payment complete."),
            "paid": true,
            "payment_method_details": { "customer_balance": {}, "type": "customer_balance" },
            "status": "succeeded",
        }),
    );
    tx.store.insert(charge)
}

/// The outcome of a charge the network took (no card risk check: a bank debit or transfer).
fn accepted(seller_message: &str) -> Value {
    json!({
        "advice_code": null,
        "network_advice_code": null,
        "network_decline_code": null,
        "network_status": "approved_by_network",
        "reason": null,
        "risk_level": "not_assessed",
        "seller_message": seller_message,
        "type": "authorized",
    })
}

/// What every charge of the intent has, whatever the payment method.
fn shell(intent: &Value, payment_method: &Value) -> Value {
    let id = new_id("ch");
    json!({
        "id": id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "billing_details": payment_method["billing_details"],
        "calculated_statement_descriptor": "OCTAVIA BILLING",
        "created": now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": false,
        "failure_balance_transaction": null,
        "fraud_details": {},
        "livemode": false,
        "metadata": intent["metadata"],
        "on_behalf_of": null,
        "payment_intent": intent["id"],
        "payment_method": payment_method["id"],
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
        "transfer_data": null,
        "transfer_group": null,
    })
}
