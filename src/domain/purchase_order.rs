//! A purchase request checked against the pricing: what may be charged, decided on the server.
//!
//! The body is read as loose JSON rather than a typed struct so that each problem (missing
//! field, a quantity that is not a whole number, an unknown plan) gets its own message naming
//! the field, instead of a generic deserialisation error.

use serde_json::Value;

use super::plan::Plan;
use super::pricing::{Pricing, Quote, SessionQuantity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurchaseOrder {
    pub plan: Plan,
    pub quantity: SessionQuantity,
    pub quote: Quote,
}

impl PurchaseOrder {
    /// Validates `{"quantity": N, "plan": "annual"|"quarterly"}`.
    pub fn from_json(pricing: &Pricing, body: &Value) -> Result<Self, String> {
        let Some(fields) = body.as_object() else {
            return Err(
                "The request body must be a JSON object with \"quantity\" and \"plan\".".into(),
            );
        };
        let quantity = match fields.get("quantity") {
            None | Some(Value::Null) => return Err("\"quantity\" is required.".into()),
            Some(value) => value.as_i64().ok_or_else(|| {
                format!("\"quantity\" must be a whole number of sessions, got {value}.")
            })?,
        };
        let plan = match fields.get("plan") {
            None | Some(Value::Null) => return Err("\"plan\" is required.".into()),
            Some(Value::String(plan)) => Plan::parse(plan)?,
            Some(other) => {
                return Err(format!(
                    "\"plan\" must be \"annual\" or \"quarterly\", got {other}."
                ));
            }
        };
        let quantity = pricing.quantity(quantity)?;
        let quote = pricing.quote(plan, quantity)?;
        Ok(PurchaseOrder {
            plan,
            quantity,
            quote,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::pricing::sample_pricing as pricing;

    fn problem(body: Value) -> String {
        PurchaseOrder::from_json(&pricing(), &body).unwrap_err()
    }

    #[test]
    fn a_valid_order_is_priced_by_its_plan() {
        let order =
            PurchaseOrder::from_json(&pricing(), &json!({"quantity": 3, "plan": "quarterly"}))
                .unwrap();
        assert_eq!(order.plan, Plan::Quarterly);
        assert_eq!(order.quantity.get(), 3);
        assert_eq!(order.quote.amount, 7_500);
    }

    #[test]
    fn each_problem_names_its_field() {
        assert!(problem(json!([1])).contains("JSON object"));
        assert!(problem(json!({"plan": "annual"})).contains("\"quantity\" is required"));
        assert!(problem(json!({"quantity": 1})).contains("\"plan\" is required"));
        assert!(problem(json!({"quantity": 1.5, "plan": "annual"})).contains("whole number"));
        assert!(problem(json!({"quantity": "5", "plan": "annual"})).contains("whole number"));
        assert!(problem(json!({"quantity": 5, "plan": "monthly"})).contains("monthly"));
        assert!(problem(json!({"quantity": 5, "plan": 1})).contains("\"plan\""));
        assert!(problem(json!({"quantity": 0, "plan": "annual"})).contains("between 1 and"));
        assert!(problem(json!({"quantity": 10_001, "plan": "annual"})).contains("between 1 and"));
    }
}
