//! Setup intents: save a card for later (create, confirm, retrieve, list), with 3-D Secure for
//! the cards that demand it and the emulator's `authenticate` answer as for payment intents.

use serde_json::{Value, json};

use super::cards::{AUTHENTICATION_FAILED, Decline};
use super::errors::StripeError;
use super::form::Params;
use super::intents::{
    Kind, authentication_redirect, merge, payment_method_to_confirm, require_allowed_type,
    take_customer_and_payment_method,
};
use super::{ApiResult, Call, Tx, bank_accounts, payment_methods};

pub static SETUP: Kind = Kind {
    object: "setup_intent",
    label: "SetupIntent",
    id_prefix: "seti",
    confirm: confirm_intent,
    answer: answer_challenge,
};

pub async fn create(call: Call) -> ApiResult {
    SETUP.create(call, |tx, intent, params| {
        let usage = params
            .one_of("usage", &["off_session", "on_session"])?
            .unwrap_or("off_session");
        merge(intent, json!({
        "description": params.non_empty_str("description"),
        "flow_directions": null,
        "last_setup_error": null,
        "latest_attempt": null,
        "mandate": null,
        "payment_method_options": {
        "card": { "mandate_options": null, "network": null, "request_three_d_secure": "automatic" },
        },
        "single_use_mandate": null,
        "usage": usage,
        }));
        take_customer_and_payment_method(tx, intent, params)
    })
}

fn confirm_intent(tx: &mut Tx, mut intent: Value, params: &Params) -> Result<Value, StripeError> {
    let Some(chosen) = payment_method_to_confirm(tx, params, &intent)? else {
        return Err(StripeError::unexpected_state(
            "setup_intent_unexpected_state",
            "You cannot confirm this SetupIntent because it's missing a payment method.",
        )
        .with_param("payment_method"));
    };
    let pm = payment_methods::resolve(tx, &chosen)?;
    require_allowed_type(&intent, &pm)?;
    intent["payment_method"] = pm["id"].clone();
    if pm["type"] == "us_bank_account" {
        // Kept for later debits: under a standing (multi-use) mandate.
        let mandate = bank_accounts::mandate_for(tx, &pm, params, true, None)?;
        intent["mandate"] = mandate["id"].clone();
        return succeed(tx, intent, &pm);
    }
    let behaviour = payment_methods::behaviour(&pm);
    if let Some(decline) = behaviour.attach_decline() {
        return Err(fail(tx, intent, &pm, decline));
    }
    if behaviour.needs_authentication() {
        let redirect = authentication_redirect(params, behaviour)?;
        return Ok(SETUP.require_action(tx, intent, redirect));
    }
    succeed(tx, intent, &pm)
}

/// The card is saved: attached to the intent's customer, if it has one.
fn succeed(tx: &mut Tx, mut intent: Value, pm: &Value) -> Result<Value, StripeError> {
    if let Some(customer) = intent["customer"].as_str().map(str::to_owned) {
        payment_methods::attach_to(tx, pm["id"].as_str().unwrap_or_default(), &customer)?;
    }
    intent["status"] = json!("succeeded");
    intent["next_action"] = Value::Null;
    intent["last_setup_error"] = Value::Null;
    let intent = tx.store.insert(intent);
    tx.emit("setup_intent.succeeded", &intent);
    Ok(intent)
}

fn record_failure(tx: &mut Tx, mut intent: Value, error: Value) -> Value {
    intent["status"] = json!("requires_payment_method");
    intent["payment_method"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["last_setup_error"] = error;
    let intent = tx.store.insert(intent);
    tx.emit("setup_intent.setup_failed", &intent);
    intent
}

fn fail(tx: &mut Tx, intent: Value, pm: &Value, decline: Decline) -> StripeError {
    let error = json!({
        "type": "card_error",
        "code": decline.code,
        "decline_code": decline.decline_code,
        "message": decline.message,
        "payment_method": pm,
    });
    let intent = record_failure(tx, intent, error);
    payment_methods::card_error(decline).with_extra("setup_intent", intent)
}

/// The 3-D Secure answer: passed, the card is saved; failed, it is not.
fn answer_challenge(
    tx: &mut Tx,
    intent: Value,
    pm: Value,
    success: bool,
) -> Result<Value, StripeError> {
    if success {
        return succeed(tx, intent, &pm);
    }
    let error = json!({
        "type": "invalid_request_error",
        "code": "setup_intent_authentication_failure",
        "message": AUTHENTICATION_FAILED,
        "payment_method": pm,
    });
    Ok(record_failure(tx, intent, error))
}
