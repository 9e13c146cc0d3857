//! Setup intents: save a card for later (create, confirm, retrieve, list), with 3-D Secure for
//! the cards that demand it and the emulator's `authenticate` answer as for payment intents.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::cards::{AUTHENTICATION_FAILED, Behaviour, Decline};
use super::errors::StripeError;
use super::form::Params;
use super::ids::{client_secret, new_id, now};
use super::intents::{Kind, three_d_secure_action};
use super::{ApiResult, Ctx, StripeEmulator, Tx, customer_filter, payment_methods};

pub const SETUP: Kind = Kind {
    object: "setup_intent",
    label: "SetupIntent",
    answer: answer_challenge,
};

const CONFIRMABLE: &[&str] = &[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
];

pub async fn create(State(emulator): State<StripeEmulator>, ctx: Ctx, params: Params) -> ApiResult {
    ctx.require_secret_key()?;
    let usage = match params.non_empty_str("usage") {
        None => "off_session",
        Some(usage @ ("off_session" | "on_session")) => usage,
        Some(other) => {
            return Err(StripeError::invalid_request(
                format!("Invalid usage: {other}"),
                Some("usage"),
            ));
        }
    };
    let confirm = params.bool("confirm")?.unwrap_or(false);
    emulator.transact(&ctx, |tx| {
        let id = new_id("seti");
        let mut intent = json!({
            "id": id,
            "object": "setup_intent",
            "application": null,
            "automatic_payment_methods": null,
            "cancellation_reason": null,
            "client_secret": client_secret(&id),
            "created": now(),
            "customer": null,
            "description": params.non_empty_str("description"),
            "excluded_payment_method_types": null,
            "flow_directions": null,
            "last_setup_error": null,
            "latest_attempt": null,
            "livemode": false,
            "mandate": null,
            "metadata": params.merge_metadata(&json!({}))?,
            "next_action": null,
            "on_behalf_of": null,
            "payment_method": null,
            "payment_method_configuration_details": null,
            "payment_method_options": {
                "card": { "mandate_options": null, "network": null, "request_three_d_secure": "automatic" },
            },
            "payment_method_types": ["card"],
            "single_use_mandate": null,
            "status": "requires_payment_method",
            "usage": usage,
        });
        if let Some(customer) = params.non_empty_str("customer") {
            tx.store.find("customer", "customer", customer)?;
            intent["customer"] = json!(customer);
        }
        if let Some(pm) = params.non_empty_str("payment_method") {
            intent["payment_method"] = payment_methods::resolve(tx, pm)?["id"].clone();
            intent["status"] = json!("requires_confirmation");
        }
        let intent = tx.store.insert(intent);
        tx.emit("setup_intent.created", &intent);
        let intent = if confirm { confirm_intent(tx, intent, &params)? } else { intent };
        Ok(Json(intent))
    })
}

pub async fn retrieve(
    State(emulator): State<StripeEmulator>,
    ctx: Ctx,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult {
    SETUP.retrieve(&emulator, &ctx, &params, &id)
}

pub async fn list(State(emulator): State<StripeEmulator>, ctx: Ctx, params: Params) -> ApiResult {
    emulator.list(
        &ctx,
        &params,
        "setup_intent",
        "/v1/setup_intents",
        customer_filter(&params),
    )
}

pub async fn confirm(
    State(emulator): State<StripeEmulator>,
    ctx: Ctx,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult {
    emulator.transact(&ctx, |tx| {
        let intent = tx.store.find("setup_intent", "setup_intent", &id)?;
        ctx.require_secret_or_client_secret(&params, &intent)?;
        confirm_intent(tx, intent, &params).map(Json)
    })
}

fn confirm_intent(tx: &mut Tx, mut intent: Value, params: &Params) -> Result<Value, StripeError> {
    SETUP.require_status(&intent, CONFIRMABLE, "confirm")?;
    let chosen = params
        .non_empty_str("payment_method")
        .or(intent["payment_method"].as_str())
        .map(str::to_owned);
    let Some(chosen) = chosen else {
        return Err(StripeError::unexpected_state(
            "setup_intent_unexpected_state",
            "You cannot confirm this SetupIntent because it's missing a payment method.",
        )
        .with_param("payment_method"));
    };
    let pm = payment_methods::resolve(tx, &chosen)?;
    intent["payment_method"] = pm["id"].clone();
    let behaviour = payment_methods::behaviour(&pm);
    if let Some(decline) = behaviour.attach_decline() {
        return Err(fail(tx, intent, &pm, decline));
    }
    if behaviour == Behaviour::RequiresAuthentication {
        intent["status"] = json!("requires_action");
        intent["next_action"] =
            three_d_secure_action(tx.public_base, &intent, params.non_empty_str("return_url"));
        let intent = tx.store.insert(intent);
        tx.emit("setup_intent.requires_action", &intent);
        return Ok(intent);
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

pub async fn authenticate(
    State(emulator): State<StripeEmulator>,
    ctx: Ctx,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult {
    SETUP.authenticate(&emulator, &ctx, &params, &id)
}

/// The 3-D Secure answer: passed, the card is saved; failed, it is not.
pub(super) fn answer_challenge(
    tx: &mut Tx,
    intent: Value,
    success: bool,
) -> Result<Value, StripeError> {
    let pm = tx.store.find(
        "payment_method",
        "PaymentMethod",
        intent["payment_method"].as_str().unwrap_or_default(),
    )?;
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
