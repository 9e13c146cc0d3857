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

/// `type` (one, or a `*` wildcard such as `payment_intent.*`), `types[]` and `created[gt|gte|lt|lte]`
/// filter the list, newest first, as Stripe's does.
pub async fn list(Call(emulator, ctx, params): Call) -> Result<Json<Value>, StripeError> {
    ctx.require_secret_key()?;
    let single = params.non_empty_str("type").map(str::to_owned);
    let many = list_of_strings(params.get("types"));
    let created = CreatedRange::from(params.get("created"))?;
    let matches = |event: &Value| {
        let event_type = event["type"].as_str().unwrap_or_default();
        let single_ok = single
            .as_deref()
            .is_none_or(|pattern| type_matches(pattern, event_type));
        single_ok
            && (many.is_empty() || many.iter().any(|t| t == event_type))
            && created.contains(event["created"].as_i64().unwrap_or_default())
    };
    let items = emulator.lock_store().all("event", matches);
    page(items, &params, "/v1/events").map(Json)
}

/// `x[]=a&x[]=b` (an array) or `x[0]=a&x[1]=b` (an object keyed by index, as serde_qs and
/// async-stripe send lists).
fn list_of_strings(value: Option<&Value>) -> Vec<String> {
    let items: Vec<&Value> = match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(items)) => items.values().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

/// Stripe's range filter on `created`: `created=T` or any of `created[gt|gte|lt|lte]=T`, as the
/// inclusive range it amounts to.
struct CreatedRange {
    first: i64,
    last: i64,
}

impl CreatedRange {
    fn from(value: Option<&Value>) -> Result<Self, StripeError> {
        let mut range = CreatedRange {
            first: i64::MIN,
            last: i64::MAX,
        };
        let parse = |field: &str, raw: &Value| {
            raw.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| {
                    StripeError::invalid_request(format!("Invalid integer: {raw}"), Some(field))
                })
        };
        match value {
            None => {}
            Some(Value::Object(ops)) => {
                for (op, raw) in ops {
                    let t = parse(&format!("created[{op}]"), raw)?;
                    match op.as_str() {
                        "gt" => range.first = range.first.max(t.saturating_add(1)),
                        "gte" => range.first = range.first.max(t),
                        "lt" => range.last = range.last.min(t.saturating_sub(1)),
                        "lte" => range.last = range.last.min(t),
                        _ => {
                            return Err(StripeError::invalid_request(
                                format!("Received unknown parameter: created[{op}]"),
                                Some(&format!("created[{op}]")),
                            ));
                        }
                    }
                }
            }
            Some(raw) => {
                let t = parse("created", raw)?;
                (range.first, range.last) = (t, t);
            }
        }
        Ok(range)
    }

    fn contains(&self, created: i64) -> bool {
        (self.first..=self.last).contains(&created)
    }
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
