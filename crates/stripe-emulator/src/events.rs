//! Event objects, shaped like Stripe's, and the events API (retrieve, list).

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::ids::{new_id, now};
use super::store::page;
use super::{Call, Ctx};

/// The API version async-stripe 1.0.0-rc.10 is generated for; events carry it as Stripe's do.
pub const API_VERSION: &str = "2026-09-30.endive";

pub fn build(event_type: &str, object: &Value, previous: Option<Value>, ctx: &Ctx) -> Value {
    let mut data = json!({ "object": object });
    if let Some(previous) = previous {
        data["previous_attributes"] = previous;
    }
    json!({
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now(),
        "data": data,
        "livemode": false,
        // One endpoint (the app's); set to 0 once it has taken the event.
        "pending_webhooks": 1,
        "request": { "id": ctx.request_id, "idempotency_key": ctx.idempotency_key },
        "type": event_type,
    })
}

pub async fn retrieve(
    Path(id): Path<String>,
    Call(emulator, ctx, _): Call,
) -> Result<Json<Value>, StripeError> {
    ctx.require_secret_key()?;
    emulator.lock_store().find("event", "event", &id).map(Json)
}

/// `type` (one, or a `*` wildcard such as `payment_intent.*`) or `types[]` filter the list.
pub async fn list(Call(emulator, ctx, params): Call) -> Result<Json<Value>, StripeError> {
    ctx.require_secret_key()?;
    let single = params.non_empty_str("type").map(str::to_owned);
    let many: Vec<String> = match params.get("types") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    let matches = |event: &Value| {
        let event_type = event["type"].as_str().unwrap_or_default();
        let single_ok = single
            .as_deref()
            .is_none_or(|pattern| type_matches(pattern, event_type));
        single_ok && (many.is_empty() || many.iter().any(|t| t == event_type))
    };
    let items = emulator.lock_store().all("event", matches);
    page(items, &params, "/v1/events").map(Json)
}

fn type_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => event_type.starts_with(prefix),
        None => pattern == event_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Caller;

    #[test]
    fn events_carry_request_and_previous_attributes() {
        let ctx = Ctx {
            caller: Caller::Secret,
            request_id: "req_1".into(),
            idempotency_key: Some("k".into()),
        };
        let event = build(
            "customer.updated",
            &json!({"id": "cus_1"}),
            Some(json!({"email": null})),
            &ctx,
        );
        assert_eq!(
            event["request"],
            json!({"id": "req_1", "idempotency_key": "k"})
        );
        assert_eq!(event["data"]["previous_attributes"], json!({"email": null}));
        assert_eq!(event["data"]["object"]["id"], "cus_1");
    }

    #[test]
    fn wildcard_type_filter() {
        assert!(type_matches("payment_intent.*", "payment_intent.succeeded"));
        assert!(!type_matches("payment_intent.*", "charge.succeeded"));
        assert!(type_matches("charge.failed", "charge.failed"));
    }
}
