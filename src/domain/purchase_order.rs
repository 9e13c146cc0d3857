//! A purchase request checked against the pricing: what may be charged, decided on the server.
//!
//! The body is read as loose JSON rather than a typed struct so that each problem (missing
//! field, a quantity that is not a whole number, an unknown plan) gets its own message naming
//! the field, instead of a generic deserialisation error.

use serde_json::Value;

use super::payment_method::is_payment_method_id;
use super::plan::Plan;
use super::pricing::{Pricing, Quote, SessionQuantity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOrder {
    pub plan: Plan,
    pub quantity: SessionQuantity,
    pub quote: Quote,
    pub payment: PaymentChoice,
}

/// What the browser will pay with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChoice {
    /// A card typed in now; `save` keeps it on the institution's customer for later purchases.
    NewCard { save: bool },
    /// A saved payment method's id (its owner is checked against Stripe on the server).
    Saved(String),
}

impl PurchaseOrder {
    /// Validates `{"quantity": N, "plan": "annual"|"quarterly"}`, with optionally
    /// `"payment_method_id": "pm_..."` (a saved card) or `"save_card": true` (a new one).
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
        let payment = payment_choice(fields)?;
        Ok(PurchaseOrder {
            plan,
            quantity,
            quote,
            payment,
        })
    }
}

fn payment_choice(fields: &serde_json::Map<String, Value>) -> Result<PaymentChoice, String> {
    let save = match fields.get("save_card") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(save)) => *save,
        Some(other) => return Err(format!("\"save_card\" must be true or false, got {other}.")),
    };
    match fields.get("payment_method_id") {
        None | Some(Value::Null) => Ok(PaymentChoice::NewCard { save }),
        Some(Value::String(id)) if is_payment_method_id(id) => {
            if save {
                return Err(
                    "\"save_card\" is for a new card; the card in \"payment_method_id\" is \
                     already saved."
                        .into(),
                );
            }
            Ok(PaymentChoice::Saved(id.clone()))
        }
        Some(other) => Err(format!(
            "\"payment_method_id\" must be the id of a saved card (pm_...), got {other}."
        )),
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
        assert_eq!(order.payment, PaymentChoice::NewCard { save: false });
    }

    #[test]
    fn a_saved_card_or_saving_a_new_one_can_be_asked_for() {
        let order = |body| PurchaseOrder::from_json(&pricing(), &body).unwrap().payment;
        assert_eq!(
            order(json!({"quantity": 1, "plan": "annual", "payment_method_id": "pm_123"})),
            PaymentChoice::Saved("pm_123".into())
        );
        assert_eq!(
            order(json!({"quantity": 1, "plan": "annual", "save_card": true})),
            PaymentChoice::NewCard { save: true }
        );
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
        let order = |extra: Value| {
            let mut body = json!({"quantity": 1, "plan": "annual"});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            problem(body)
        };
        assert!(order(json!({"save_card": "yes"})).contains("\"save_card\""));
        assert!(order(json!({"payment_method_id": 7})).contains("\"payment_method_id\""));
        assert!(order(json!({"payment_method_id": "pm_../x"})).contains("\"payment_method_id\""));
        assert!(
            order(json!({"payment_method_id": "pm_1", "save_card": true}))
                .contains("already saved")
        );
    }
}
