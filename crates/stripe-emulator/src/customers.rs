//! Customers: create, retrieve, update, list.

use axum::Json;
use axum::extract::Path;
use serde_json::{Map, Value, json};

use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now, random_alphanumeric};
use super::{ApiResult, Call, Tx, payment_methods};

/// Fields an update may set directly from a same-named string parameter.
const TEXT_FIELDS: &[&str] = &["email", "name", "description", "phone"];

pub async fn create(Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut customer = json!({
            "id": new_id("cus"),
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": now(),
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": null,
            "discount": null,
            "email": null,
            "invoice_prefix": random_alphanumeric(8).to_uppercase(),
            "invoice_settings": {
                "custom_fields": null,
                "default_payment_method": null,
                "footer": null,
                "rendering_options": null,
            },
            "livemode": false,
            "metadata": params.merge_metadata(&json!({}))?,
            "name": null,
            "next_invoice_sequence": 1,
            "phone": null,
            "preferred_locales": [],
            "shipping": null,
            "tax_exempt": "none",
            "test_clock": null,
        });
        apply_text_fields(&mut customer, &params);
        apply_address(&mut customer, &params);
        let customer = tx.store.insert(customer);
        tx.emit("customer.created", &customer);
        // Stripe attaches `payment_method` on create, then sets the default if asked.
        if let Some(pm) = params.non_empty_str("payment_method") {
            payment_methods::attach_to(tx, pm, customer["id"].as_str().unwrap_or_default())?;
        }
        let customer = set_default_payment_method(tx, customer, &params)?;
        Ok(Json(customer))
    })
}

pub async fn list(Call(emulator, ctx, params): Call) -> ApiResult {
    let email = params.non_empty_str("email").map(str::to_owned);
    emulator.list(&ctx, &params, "customer", "/v1/customers", |c| {
        email.as_deref().is_none_or(|e| c["email"] == e)
    })
}

pub async fn update(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let before = tx.store.find("customer", "customer", &id)?;
        let mut customer = before.clone();
        apply_text_fields(&mut customer, &params);
        apply_address(&mut customer, &params);
        customer["metadata"] = params.merge_metadata(&before["metadata"])?;
        let customer = set_default_payment_method(tx, customer, &params)?;
        let previous = changed_fields(&before, &customer);
        if !previous.is_empty() {
            tx.emit_with_previous("customer.updated", &customer, Some(Value::Object(previous)));
        }
        Ok(Json(customer))
    })
}

fn apply_text_fields(customer: &mut Value, params: &Params) {
    for field in TEXT_FIELDS {
        if let Some(value) = params.str(field) {
            // An empty string unsets the field, as in Stripe's update calls.
            customer[*field] = if value.is_empty() {
                Value::Null
            } else {
                json!(value)
            };
        }
    }
}

/// `address[line1]`, `address[city]`…: replaces the address (empty parts are null); an empty
/// `address` unsets it, as in Stripe's update calls.
fn apply_address(customer: &mut Value, params: &Params) {
    match params.get("address") {
        Some(Value::Object(parts)) => {
            let part = |key: &str| {
                parts
                    .get(key)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                    .map_or(Value::Null, |v| json!(v))
            };
            customer["address"] = json!({
                "city": part("city"),
                "country": part("country"),
                "line1": part("line1"),
                "line2": part("line2"),
                "postal_code": part("postal_code"),
                "state": part("state"),
            });
        }
        Some(Value::String(empty)) if empty.is_empty() => customer["address"] = Value::Null,
        _ => {}
    }
}

/// `invoice_settings[default_payment_method]`: must be a payment method of this customer.
/// `invoice_settings[footer]` (empty unsets it) is copied onto the invoices made afterwards.
fn set_default_payment_method(
    tx: &mut Tx,
    mut customer: Value,
    params: &Params,
) -> Result<Value, StripeError> {
    if let Some(footer) = params
        .get("invoice_settings")
        .and_then(|s| s.get("footer"))
        .and_then(Value::as_str)
    {
        customer["invoice_settings"]["footer"] = if footer.is_empty() {
            Value::Null
        } else {
            json!(footer)
        };
    }
    if let Some(pm_id) = params
        .get("invoice_settings")
        .and_then(|s| s.get("default_payment_method"))
        .and_then(Value::as_str)
    {
        if pm_id.is_empty() {
            customer["invoice_settings"]["default_payment_method"] = Value::Null;
        } else {
            let pm = tx.store.find("payment_method", "PaymentMethod", pm_id)?;
            if pm["customer"] != customer["id"] {
                return Err(StripeError::invalid_request(
                    format!(
                        "The customer does not have a payment method with the ID {pm_id}. The payment \
                         method must be attached to the customer."
                    ),
                    Some("invoice_settings[default_payment_method]"),
                ));
            }
            customer["invoice_settings"]["default_payment_method"] = json!(pm_id);
        }
    }
    Ok(tx.store.insert(customer))
}

/// `previous_attributes` of a `*.updated` event: the old values of the top-level fields that
/// changed.
pub fn changed_fields(before: &Value, after: &Value) -> Map<String, Value> {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return Map::new();
    };
    after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(value))
        .map(|(key, _)| (key.clone(), before.get(key).cloned().unwrap_or(Value::Null)))
        .collect()
}
