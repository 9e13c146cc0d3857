//! Events shaped like live Stripe's, built from Stripe's own example objects
//! (`tests/fixtures/stripe/`). Shared by the webhook tests and the webhook benchmark
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
    let mut intent = fixture("payment_intent.json");
    intent["id"] = json!(payment_intent_id);
    intent["amount"] = json!(amount);
    intent["amount_received"] = json!(amount);
    intent["currency"] = json!("usd");
    intent["metadata"] = json!({ "purchase_id": purchase_id });
    intent["status"] = json!("succeeded");
    intent["last_payment_error"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["canceled_at"] = Value::Null;
    intent["shipping"] = Value::Null;
    let mut event = fixture("event.json");
    event["id"] = json!(event_id);
    event["type"] = json!("payment_intent.succeeded");
    event["data"] = json!({ "object": intent });
    event.to_string()
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/stripe/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
