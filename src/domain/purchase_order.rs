//! A purchase request checked against the pricing: what may be charged, decided on the server.
//!
//! The REST body is read as loose JSON rather than a typed struct so that each problem (missing
//! field, a quantity that is not a whole number, an unknown plan) gets its own message naming
//! the field, instead of a generic deserialisation error. The UI's server function has typed
//! arguments already and checks them with the same rules and messages.

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
    /// The institution's purchase-order number, printed on the invoice.
    pub po_number: Option<String>,
}

/// The longest purchase-order number accepted, in characters.
pub const PO_NUMBER_MAX: usize = 64;

/// A purchase-order number as typed: surrounding spaces dropped, blank means none; at most
/// [`PO_NUMBER_MAX`] characters, none of them control characters.
pub fn parse_po_number(typed: Option<&str>) -> Result<Option<String>, String> {
    let Some(number) = typed.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if number.chars().count() > PO_NUMBER_MAX {
        return Err(format!(
            "\"po_number\" must be at most {PO_NUMBER_MAX} characters."
        ));
    }
    if number.chars().any(char::is_control) {
        return Err("\"po_number\" must be one line of text.".into());
    }
    Ok(Some(number.to_owned()))
}

/// What the browser will pay with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChoice {
    /// Details entered now in the Payment Element (a card, a bank account, or a transfer);
    /// `save` keeps the card or bank account on the institution's customer for later purchases.
    New { save: bool },
    /// A saved payment method's id (its owner is checked against Stripe on the server).
    Saved(String),
}

impl PaymentChoice {
    /// `payment_method_id` names a saved payment method; without one, new details are entered,
    /// and `save_card` keeps them.
    pub fn new(payment_method_id: Option<String>, save_card: bool) -> Result<Self, String> {
        match payment_method_id {
            None => Ok(PaymentChoice::New { save: save_card }),
            Some(id) if !is_payment_method_id(&id) => Err(format!(
                "\"payment_method_id\" must be the id of a saved card (pm_...), got {}.",
                Value::from(id)
            )),
            Some(_) if save_card => Err(
                "\"save_card\" is for a new card; the card in \"payment_method_id\" is already \
                 saved."
                    .into(),
            ),
            Some(id) => Ok(PaymentChoice::Saved(id)),
        }
    }
}

impl PurchaseOrder {
    /// Validates an order given as typed values (the UI's server function).
    pub fn new(
        pricing: &Pricing,
        plan: Plan,
        quantity: i64,
        payment: PaymentChoice,
        po_number: Option<&str>,
    ) -> Result<Self, String> {
        let (quantity, quote) = priced(pricing, plan, quantity)?;
        Ok(PurchaseOrder {
            plan,
            quantity,
            quote,
            payment,
            po_number: parse_po_number(po_number)?,
        })
    }

    /// Validates `{"quantity": N, "plan": "annual"|"quarterly"}`, with optionally
    /// `"payment_method_id": "pm_..."` (a saved card) or `"save_card": true` (a new one), and
    /// `"po_number"`.
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
        // Priced before the payment fields are read, so the order's own problems come first.
        let (quantity, quote) = priced(pricing, plan, quantity)?;
        let payment = payment_choice(fields)?;
        let po_number = match fields.get("po_number") {
            None | Some(Value::Null) => None,
            Some(Value::String(number)) => parse_po_number(Some(number))?,
            Some(other) => return Err(format!("\"po_number\" must be text, got {other}.")),
        };
        Ok(PurchaseOrder {
            plan,
            quantity,
            quote,
            payment,
            po_number,
        })
    }
}

fn priced(
    pricing: &Pricing,
    plan: Plan,
    quantity: i64,
) -> Result<(SessionQuantity, Quote), String> {
    let quantity = pricing.quantity(quantity)?;
    Ok((quantity, pricing.quote(plan, quantity)?))
}

fn payment_choice(fields: &serde_json::Map<String, Value>) -> Result<PaymentChoice, String> {
    let save = match fields.get("save_card") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(save)) => *save,
        Some(other) => return Err(format!("\"save_card\" must be true or false, got {other}.")),
    };
    let id = match fields.get("payment_method_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(other) => {
            return Err(format!(
                "\"payment_method_id\" must be the id of a saved card (pm_...), got {other}."
            ));
        }
    };
    PaymentChoice::new(id, save)
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
        assert_eq!(order.payment, PaymentChoice::New { save: false });
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
            PaymentChoice::New { save: true }
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

    #[test]
    fn a_po_number_is_optional_trimmed_one_line_and_at_most_64_characters() {
        let po = |number: Value| {
            let body = json!({"quantity": 1, "plan": "annual", "po_number": number});
            PurchaseOrder::from_json(&pricing(), &body).map(|order| order.po_number)
        };
        assert_eq!(po(json!(" PO-2026-0042 ")), Ok(Some("PO-2026-0042".into())));
        assert_eq!(po(json!("   ")), Ok(None));
        assert_eq!(po(Value::Null), Ok(None));
        assert_eq!(po(json!("é".repeat(64))), Ok(Some("é".repeat(64))));
        assert!(
            po(json!("x".repeat(65)))
                .unwrap_err()
                .contains("at most 64 characters")
        );
        assert!(po(json!("PO\n42")).unwrap_err().contains("one line"));
        assert!(
            po(json!(42))
                .unwrap_err()
                .contains("\"po_number\" must be text")
        );
    }

    #[test]
    fn typed_orders_follow_the_same_rules_with_the_same_messages() {
        let typed = PurchaseOrder::new(
            &pricing(),
            Plan::Quarterly,
            3,
            PaymentChoice::New { save: false },
            None,
        );
        let sent =
            PurchaseOrder::from_json(&pricing(), &json!({"quantity": 3, "plan": "quarterly"}));
        assert_eq!(typed, sent);
        let too_few = PurchaseOrder::new(
            &pricing(),
            Plan::Annual,
            0,
            PaymentChoice::New { save: false },
            None,
        );
        assert_eq!(
            too_few,
            Err(problem(json!({"quantity": 0, "plan": "annual"})))
        );
        let saved_again = PaymentChoice::new(Some("pm_1".into()), true).unwrap_err();
        assert!(saved_again.contains("already saved"), "{saved_again}");
        let not_an_id = PaymentChoice::new(Some("card_1".into()), false).unwrap_err();
        assert!(not_an_id.contains("\"payment_method_id\""), "{not_an_id}");
    }
}
