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
    let mut intent = stripe_fixture("payment_intent");
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
    let mut event = stripe_fixture("event");
    event["id"] = json!(event_id);
    event["type"] = json!("payment_intent.succeeded");
    event["data"] = json!({ "object": intent });
    event.to_string()
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
