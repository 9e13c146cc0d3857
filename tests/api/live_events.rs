//! Events shaped like live Stripe's, built from Stripe's own example objects
//! (`crates/stripe-emulator/tests/fixtures/stripe/`, kept with the emulator's conformance tests). Shared by the webhook tests and the webhook benchmark
//! (`benches/webhook.rs` includes this file), so both send what Stripe sends.

use serde_json::{Value, json};

/// A `payment_intent.succeeded` for the purchase's intent and `amount` cents (in usd): the
/// status-dependent fields set as a live event in that state carries them, every other field
/// as the fixture has it.
pub fn live_shaped_succeeded(
    event_id: &str,
    payment_intent_id: &str,
    purchase_id: &str,
    amount: i64,
) -> String {
    let mut intent = live_shaped_intent(payment_intent_id, purchase_id, amount);
    intent["status"] = json!("succeeded");
    intent["amount_received"] = json!(amount);
    live_shaped_event(event_id, "payment_intent.succeeded", intent).to_string()
}

/// The purchase's intent for `amount` cents (in usd) as a live event carries it, not yet in any
/// state: the status-dependent fields are cleared, every other field as the fixture has it.
pub fn live_shaped_intent(payment_intent_id: &str, purchase_id: &str, amount: i64) -> Value {
    let mut intent = stripe_fixture("payment_intent");
    intent["id"] = json!(payment_intent_id);
    intent["amount"] = json!(amount);
    intent["amount_received"] = json!(0);
    intent["currency"] = json!("usd");
    intent["metadata"] = json!({ "purchase_id": purchase_id });
    intent["last_payment_error"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["processing"] = Value::Null;
    intent["canceled_at"] = Value::Null;
    intent["shipping"] = Value::Null;
    intent
}

/// `object` wrapped in a live event of `event_type`.
pub fn live_shaped_event(event_id: &str, event_type: &str, object: Value) -> Value {
    let mut event = stripe_fixture("event");
    event["id"] = json!(event_id);
    event["type"] = json!(event_type);
    event["data"] = json!({ "object": object });
    event
}

/// A bank transfer's `next_action`, as live Stripe shows it for a US transfer with
/// `remaining` cents still to arrive: the financial address of Stripe's funding-instructions
/// example, with the ABA account details Stripe documents for it.
pub fn live_shaped_transfer_instructions(remaining: i64, reference: &str) -> Value {
    let funding = stripe_fixture("funding_instructions");
    let mut address = funding["bank_transfer"]["financial_addresses"][0].clone();
    let place = json!({
        "city": "San Francisco", "country": "US", "line1": "354 Oyster Point Blvd",
        "line2": null, "postal_code": "94080", "state": "CA"
    });
    address["aba"] = json!({
        "account_holder_address": place,
        "account_holder_name": "Stripe Test Account",
        "account_number": "111222333444",
        "account_type": "checking",
        "bank_address": place,
        "bank_name": "STRIPE TEST BANK",
        "routing_number": "110000000",
    });
    json!({
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": {
            "amount_remaining": remaining,
            "currency": funding["currency"],
            "financial_addresses": [address],
            "hosted_instructions_url": "https://payments.stripe.com/bank_transfers/instructions/test_123",
            "reference": reference,
            "type": "us_bank_transfer",
        },
    })
}

/// One of Stripe's own example objects, e.g. `stripe_fixture("charge")`.
pub fn stripe_fixture(resource: &str) -> Value {
    let path = format!(
        "{}/crates/stripe-emulator/tests/fixtures/stripe/{resource}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}
