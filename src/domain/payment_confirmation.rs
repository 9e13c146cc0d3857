//! What Stripe.js reports about a payment or a saved payment method, and how the admin is told
//! about it. Pure, so the wording is unit-tested; the browser build feeds it from
//! `crate::stripe_js`.

use serde::Deserialize;

/// The Payment Element's state after the admin typed something or chose a tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentChange {
    pub complete: bool,
    /// The payment method type of the chosen tab (`card`, `us_bank_account`, ...).
    pub kind: Option<String>,
    /// Stripe's own validation message ("Your card number is incomplete.").
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct RawChange {
    #[serde(default)]
    complete: bool,
    value: Option<RawValue>,
    error: Option<RawMessage>,
}

#[derive(Deserialize)]
struct RawValue {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct RawMessage {
    message: Option<String>,
}

impl PaymentChange {
    /// Reads the Element's `change` event; `None` when it is not one.
    pub fn from_json(json: &str) -> Option<Self> {
        let raw: RawChange = serde_json::from_str(json).ok()?;
        Some(PaymentChange {
            complete: raw.complete,
            kind: raw.value.and_then(|v| v.kind),
            error: raw.error.and_then(|e| e.message),
        })
    }
}

/// The error object of a Stripe.js result (https://docs.stripe.com/api/errors).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StripeJsError {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
}

/// How `confirmPayment` or `confirmSetup` ended (or what `retrievePaymentIntent` found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmResult {
    /// Stripe accepted the confirmation; `status` is the intent's (`succeeded`; `processing`
    /// while the bank has not answered yet; `requires_action` while a transfer is awaited),
    /// `payment_method` the card's or bank account's id.
    Confirmed {
        status: String,
        payment_method: Option<String>,
    },
    Failed(StripeJsError),
}

#[derive(Deserialize)]
struct RawResult {
    error: Option<StripeJsError>,
    #[serde(rename = "paymentIntent")]
    payment_intent: Option<RawIntent>,
    #[serde(rename = "setupIntent")]
    setup_intent: Option<RawIntent>,
}

#[derive(Deserialize)]
struct RawIntent {
    status: String,
    /// An id, or the whole payment method when expanded.
    #[serde(default)]
    payment_method: serde_json::Value,
}

impl ConfirmResult {
    /// Reads `{paymentIntent}`, `{setupIntent}` or `{error}`, as Stripe.js resolves its
    /// confirm calls.
    pub fn from_json(json: &str) -> Self {
        let Ok(raw) = serde_json::from_str::<RawResult>(json) else {
            return Self::unreadable();
        };
        if let Some(error) = raw.error {
            return ConfirmResult::Failed(error);
        }
        match raw.payment_intent.or(raw.setup_intent) {
            Some(intent) => ConfirmResult::Confirmed {
                payment_method: match &intent.payment_method {
                    serde_json::Value::String(id) => Some(id.clone()),
                    object => object["id"].as_str().map(str::to_owned),
                },
                status: intent.status,
            },
            None => Self::unreadable(),
        }
    }

    /// Stripe.js answered with something we cannot read; the server's view decides.
    pub fn unreadable() -> Self {
        ConfirmResult::Failed(StripeJsError::unreadable())
    }
}

impl StripeJsError {
    /// What an answer we cannot read counts as: a failure that says nothing more.
    pub fn unreadable() -> Self {
        StripeJsError {
            kind: "api_error".into(),
            code: None,
            decline_code: None,
            message: None,
        }
    }
}

/// The `{error}` of an answer that has nothing else to say (`elements.submit()`), if any.
pub fn error_of(json: &str) -> Option<StripeJsError> {
    serde_json::from_str::<RawResult>(json).ok()?.error
}

const NOT_CHARGED: &str = "You have not been charged.";

/// A payment that failed after it was confirmed (a debit the bank returned, a check that
/// failed on the bank's page), in Stripe's words for why, and that no money moved.
pub fn failed_with(reason: Option<&str>) -> String {
    let reason = reason.unwrap_or("The payment did not go through.");
    format!("{reason} {NOT_CHARGED}")
}

/// A sentence the admin can act on. Declines never say more than the issuer allows (a lost or
/// stolen card reads as a plain decline, as Stripe advises), and always say whether money moved.
pub fn explain(error: &StripeJsError) -> String {
    let code = error.decline_code.as_deref().or(error.code.as_deref());
    let advice = match code {
        Some("insufficient_funds") => {
            "The card was declined for insufficient funds. Use another card, or ask the card's \
             issuer to allow the payment."
        }
        Some("expired_card") => "The card has expired. Check the expiry date, or use another card.",
        Some("incorrect_cvc" | "invalid_cvc") => {
            "The card's security code (CVC) is incorrect. Check it and try again."
        }
        Some("incorrect_number" | "invalid_number") => {
            "The card number is incorrect. Check it and try again."
        }
        Some("processing_error") => {
            "The card could not be processed because of an error at the bank. Try again in a \
             moment."
        }
        Some("payment_intent_authentication_failure" | "authentication_required") => {
            "The card's issuer could not confirm the payment: the 3-D Secure check failed or \
             was closed. Try again and complete the check, or use another card."
        }
        _ if error.kind == "validation_error" => {
            // Stripe's own field message ("Your card number is incomplete.") is already clear.
            return error
                .message
                .clone()
                .unwrap_or_else(|| "Check the card details and try again.".into());
        }
        _ if error.kind == "card_error" => {
            "The card was declined. Use another card, or ask the card's issuer why."
        }
        // Stripe's words for a bank account it refused ("The routing number is invalid.").
        _ if error.kind == "invalid_request_error" && error.message.is_some() => {
            let message = error.message.as_deref().unwrap_or_default();
            return format!("{message} {NOT_CHARGED}");
        }
        _ if error.kind == "api_connection_error" => {
            "Could not reach Stripe. Check your internet connection and try again."
        }
        _ => "The payment could not be completed. Try again in a moment.",
    };
    format!("{advice} {NOT_CHARGED}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(json: &str) -> StripeJsError {
        match ConfirmResult::from_json(json) {
            ConfirmResult::Failed(error) => error,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_confirmed_intent_carries_its_status() {
        let result = ConfirmResult::from_json(
            r#"{"paymentIntent":{"id":"pi_1","status":"succeeded","amount":2000}}"#,
        );
        assert_eq!(
            result,
            ConfirmResult::Confirmed {
                status: "succeeded".into(),
                payment_method: None,
            }
        );
    }

    #[test]
    fn a_confirmed_setup_names_the_saved_card_as_id_or_object() {
        for payment_method in [
            r#""pm_123""#,
            r#"{"id":"pm_123","object":"payment_method"}"#,
        ] {
            let result = ConfirmResult::from_json(&format!(
                r#"{{"setupIntent":{{"id":"seti_1","status":"succeeded","payment_method":{payment_method}}}}}"#
            ));
            assert_eq!(
                result,
                ConfirmResult::Confirmed {
                    status: "succeeded".into(),
                    payment_method: Some("pm_123".into()),
                }
            );
        }
    }

    #[test]
    fn a_generic_decline_says_declined_and_not_charged() {
        let error = failure(
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline","message":"Your card was declined."}}"#,
        );
        let text = explain(&error);
        assert!(text.starts_with("The card was declined."), "{text}");
        assert!(text.ends_with(NOT_CHARGED), "{text}");
    }

    #[test]
    fn insufficient_funds_is_named() {
        let error = failure(
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds"}}"#,
        );
        assert!(explain(&error).contains("insufficient funds"));
    }

    #[test]
    fn a_stolen_card_reads_as_a_plain_decline() {
        let error = failure(
            r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"stolen_card"}}"#,
        );
        let text = explain(&error);
        assert!(!text.contains("stolen"), "{text}");
        assert!(text.starts_with("The card was declined."), "{text}");
    }

    #[test]
    fn failed_authentication_mentions_the_check() {
        let error = failure(
            r#"{"error":{"type":"invalid_request_error","code":"payment_intent_authentication_failure"}}"#,
        );
        assert!(explain(&error).contains("3-D Secure"));
    }

    #[test]
    fn validation_errors_keep_stripes_field_message() {
        let error = failure(
            r#"{"error":{"type":"validation_error","code":"incomplete_number","message":"Your card number is incomplete."}}"#,
        );
        assert_eq!(explain(&error), "Your card number is incomplete.");
    }

    #[test]
    fn a_submit_answer_is_an_error_only_when_it_carries_one() {
        assert_eq!(error_of("{}"), None);
        assert_eq!(error_of(r#"{"selectedPaymentMethod":"card"}"#), None);
        let error = error_of(r#"{"error":{"type":"validation_error","message":"Incomplete."}}"#);
        assert_eq!(error.unwrap().message.as_deref(), Some("Incomplete."));
    }

    #[test]
    fn a_refused_bank_account_keeps_stripes_words() {
        let error = failure(
            r#"{"error":{"type":"invalid_request_error","message":"The routing number is invalid."}}"#,
        );
        assert_eq!(
            explain(&error),
            format!("The routing number is invalid. {NOT_CHARGED}")
        );
    }

    #[test]
    fn the_elements_change_says_the_chosen_tab_and_what_is_wrong() {
        let change = PaymentChange::from_json(
            r#"{"elementType":"payment","complete":false,"value":{"type":"us_bank_account"},
                "error":{"type":"validation_error","message":"Your routing number is invalid."}}"#,
        )
        .unwrap();
        assert_eq!(
            change,
            PaymentChange {
                complete: false,
                kind: Some("us_bank_account".into()),
                error: Some("Your routing number is invalid.".into()),
            }
        );
        assert_eq!(PaymentChange::from_json("[]"), None);
    }

    #[test]
    fn an_unreadable_result_is_a_failure_not_a_success() {
        assert!(matches!(
            ConfirmResult::from_json("{}"),
            ConfirmResult::Failed(_)
        ));
        assert!(matches!(
            ConfirmResult::from_json("not json"),
            ConfirmResult::Failed(_)
        ));
    }
}
