//! Payment intents: create (optionally confirming), retrieve, update, confirm, cancel, list, and
//! the emulator's own 3-D Secure answer (`POST /v1/payment_intents/{id}/authenticate`
//! `result=complete|fail`), which stands for the cardholder's step at their bank.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::cards::{AUTHENTICATION_FAILED, AUTHENTICATION_REQUIRED, Behaviour, Decline};
use super::errors::StripeError;
use super::form::Params;
use super::ids::now;
use super::intents::{
    CONFIRMABLE, Kind, authentication_redirect, merge, payment_method_to_confirm,
    require_allowed_type, take_customer_and_payment_method,
};
use super::{
    ApiResult, Call, Tx, bank_accounts, charges, customer_balance, disputes, invoices,
    payment_methods,
};

pub static PAYMENT: Kind = Kind {
    object: "payment_intent",
    label: "PaymentIntent",
    id_prefix: "pi",
    confirm: confirm_intent,
    answer: answer_challenge,
};

/// Stripe's minimum charge is $0.50 (or its equivalent); amounts are in minor units.
const MINIMUM_AMOUNT: i64 = 50;
const MAXIMUM_AMOUNT: i64 = 99_999_999;
const CANCELABLE: &[&str] = &[
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
];

pub async fn create(call: Call) -> ApiResult {
    PAYMENT.create(call, |tx, intent, params| {
        let amount = amount(params)?.ok_or_else(|| StripeError::missing_param("amount"))?;
        let currency = currency(params)?.ok_or_else(|| StripeError::missing_param("currency"))?;
        let usd_only = ["us_bank_account", "customer_balance"];
        if let Some(kind) = intent["payment_method_types"].as_array().and_then(|t| {
            t.iter().filter_map(Value::as_str).find(|t| usd_only.contains(t))
        }) && currency != "usd"
        {
            return Err(StripeError::invalid_request(
                format!("The payment method type {kind} is only available for usd, not {currency}."),
                Some("payment_method_types"),
            ));
        }
        // The emulator has no manual capture.
        let capture_method = params
            .one_of("capture_method", &["automatic", "automatic_async"])?
            .unwrap_or("automatic");
        merge(intent, json!({
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": 0,
        "application_fee_amount": null,
        "canceled_at": null,
        "capture_method": capture_method,
        "confirmation_method": "automatic",
        "currency": currency,
        "customer_account": null,
        "description": null,
        "last_payment_error": null,
        "latest_charge": null,
        "managed_payments": { "enabled": false },
        "payment_method_options": {
        "card": { "installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic" },
        },
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "transfer_data": null,
        "transfer_group": null,
        }));
        apply_updates(tx, intent, params)
    })
}

fn amount(params: &Params) -> Result<Option<i64>, StripeError> {
    let Some(amount) = params.int("amount")? else {
        return Ok(None);
    };
    if amount < MINIMUM_AMOUNT {
        return Err(StripeError::invalid_request(
            "Amount must be at least $0.50 usd",
            Some("amount"),
        )
        .with_code("amount_too_small"));
    }
    if amount > MAXIMUM_AMOUNT {
        return Err(StripeError::invalid_request(
            "Amount must be no more than $999,999.99",
            Some("amount"),
        )
        .with_code("amount_too_large"));
    }
    Ok(Some(amount))
}

fn currency(params: &Params) -> Result<Option<String>, StripeError> {
    let Some(raw) = params.non_empty_str("currency") else {
        return Ok(None);
    };
    let code = raw.to_ascii_lowercase();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(StripeError::invalid_request(
            format!("Invalid currency: {raw}."),
            Some("currency"),
        ));
    }
    Ok(Some(code))
}

/// The fields create and update share.
fn apply_updates(tx: &mut Tx, intent: &mut Value, params: &Params) -> Result<(), StripeError> {
    if let Some(amount) = amount(params)? {
        intent["amount"] = json!(amount);
    }
    if let Some(currency) = currency(params)? {
        intent["currency"] = json!(currency);
    }
    take_customer_and_payment_method(tx, intent, params)?;
    customer_balance::take_options(intent, params)?;
    for field in [
        "description",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
    ] {
        if let Some(value) = params.str(field) {
            intent[field] = if value.is_empty() {
                Value::Null
            } else {
                json!(value)
            };
        }
    }
    match params.str("setup_future_usage") {
        None => {}
        Some("") => intent["setup_future_usage"] = Value::Null,
        Some(usage @ ("off_session" | "on_session")) => intent["setup_future_usage"] = json!(usage),
        Some(other) => {
            return Err(StripeError::invalid_request(
                format!(
                    "Invalid setup_future_usage: must be one of off_session or on_session, not {other}"
                ),
                Some("setup_future_usage"),
            ));
        }
    }
    if params.get("metadata").is_some() {
        intent["metadata"] = params.merge_metadata(&intent["metadata"])?;
    }
    Ok(())
}

pub async fn update(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut intent = tx.store.find("payment_intent", "payment_intent", &id)?;
        PAYMENT.require_status(&intent, CONFIRMABLE, "update")?;
        apply_updates(tx, &mut intent, &params)?;
        Ok(Json(tx.store.insert(intent)))
    })
}

/// Confirmation: attempts the payment with the given (or already set) payment method.
fn confirm_intent(tx: &mut Tx, mut intent: Value, params: &Params) -> Result<Value, StripeError> {
    let pm = match payment_method_to_confirm(tx, params, &intent)? {
        Some(id) => payment_methods::resolve(tx, &id)?,
        None => {
            return Err(StripeError::unexpected_state(
                "payment_intent_unexpected_state",
                "You cannot confirm this PaymentIntent because it's missing a payment method. To \
                 confirm the PaymentIntent, pass a payment method in the payment_method parameter.",
            )
            .with_param("payment_method"));
        }
    };
    if !pm["customer"].is_null() && pm["customer"] != intent["customer"] {
        return Err(StripeError::invalid_request(
            "The provided PaymentMethod belongs to a different Customer than the PaymentIntent.",
            Some("payment_method"),
        ));
    }
    require_allowed_type(&intent, &pm)?;
    customer_balance::take_options(&mut intent, params)?;
    for field in ["receipt_email", "setup_future_usage"] {
        if let Some(value) = params.non_empty_str(field) {
            intent[field] = json!(value);
        }
    }
    intent["payment_method"] = pm["id"].clone();
    if pm["type"] == "customer_balance" {
        return customer_balance::await_transfer(tx, intent);
    }
    if pm["type"] == "us_bank_account" {
        let multi_use = !intent["setup_future_usage"].is_null();
        let (amount, currency) = (intent["amount"].clone(), intent["currency"].clone());
        let mandate =
            bank_accounts::mandate_for(tx, &pm, params, multi_use, Some((&amount, &currency)))?;
        if bank_accounts::by_microdeposits(&intent, params) {
            return Ok(bank_accounts::await_microdeposits(tx, intent));
        }
        return Ok(bank_accounts::start_debit(tx, intent, &pm, &mandate));
    }
    let off_session = params.bool("off_session")?.unwrap_or(false);
    let behaviour = payment_methods::behaviour(&pm);
    if behaviour.needs_authentication() {
        if off_session {
            return Err(fail(tx, intent, &pm, AUTHENTICATION_REQUIRED, None));
        }
        let redirect = authentication_redirect(params, behaviour)?;
        return Ok(PAYMENT.require_action(tx, intent, redirect));
    }
    settle(tx, intent, &pm)
}

/// Charges the card; passes through `processing` as the emulator always does (see mod docs).
fn settle(tx: &mut Tx, mut intent: Value, pm: &Value) -> Result<Value, StripeError> {
    intent["status"] = json!("processing");
    intent["next_action"] = Value::Null;
    let processing = tx.store.insert(intent.clone());
    tx.emit("payment_intent.processing", &processing);
    let (charge, decline) = charges::charge(tx, &intent, pm);
    intent["latest_charge"] = charge["id"].clone();
    if let Some(decline) = decline {
        return Err(fail(tx, intent, pm, decline, Some(&charge)));
    }
    let intent = succeed(tx, intent, pm)?;
    if payment_methods::behaviour(pm) == Behaviour::Disputed {
        disputes::open(tx, &charge);
    }
    Ok(intent)
}

/// The money arrived (a card charged, a bank debit answered): the intent succeeds, the payment
/// method is kept on the customer if the payment asked for future use (as Stripe does), and an
/// invoice the intent is attached to is paid.
pub fn succeed(tx: &mut Tx, mut intent: Value, pm: &Value) -> Result<Value, StripeError> {
    intent["status"] = json!("succeeded");
    intent["amount_received"] = intent["amount"].clone();
    intent["last_payment_error"] = Value::Null;
    if !intent["setup_future_usage"].is_null()
        && let Some(customer) = intent["customer"].as_str().map(str::to_owned)
    {
        payment_methods::attach_to(tx, pm["id"].as_str().unwrap_or_default(), &customer)?;
    }
    let intent = tx.store.insert(intent);
    tx.emit("payment_intent.succeeded", &intent);
    invoices::credit_attached(tx, &intent)?;
    Ok(intent)
}

/// A failed attempt: the intent goes back to `requires_payment_method` with the error kept in
/// `last_payment_error`, and the caller gets Stripe's 402 with the intent attached.
fn fail(
    tx: &mut Tx,
    mut intent: Value,
    pm: &Value,
    decline: Decline,
    charge: Option<&Value>,
) -> StripeError {
    let charge_id = charge.map_or(Value::Null, |c| c["id"].clone());
    intent["status"] = json!("requires_payment_method");
    intent["payment_method"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["last_payment_error"] = json!({
        "type": "card_error",
        "code": decline.code,
        "decline_code": decline.decline_code,
        "message": decline.message,
        "charge": charge_id,
        "doc_url": format!("https://stripe.com/docs/error-codes/{}", decline.code.replace('_', "-")),
        "payment_method": pm,
    });
    let intent = tx.store.insert(intent);
    tx.emit("payment_intent.payment_failed", &intent);
    let mut error = payment_methods::card_error(decline)
        .with_extra("payment_intent", intent)
        .with_extra("payment_method", pm.clone());
    if !charge_id.is_null() {
        error = error.with_extra("charge", charge_id);
    }
    error
}

pub async fn cancel(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let reason = params.one_of(
        "cancellation_reason",
        &[
            "duplicate",
            "fraudulent",
            "requested_by_customer",
            "abandoned",
        ],
    )?;
    emulator.transact(&ctx, |tx| {
        let mut intent = tx.store.find("payment_intent", "payment_intent", &id)?;
        PAYMENT.require_status(&intent, CANCELABLE, "cancel")?;
        customer_balance::release(tx, &intent);
        intent["status"] = json!("canceled");
        intent["canceled_at"] = json!(now());
        intent["cancellation_reason"] = json!(reason);
        intent["next_action"] = Value::Null;
        let intent = tx.store.insert(intent);
        tx.emit("payment_intent.canceled", &intent);
        Ok(Json(intent))
    })
}

/// The 3-D Secure answer: passed, the card is charged (and may still be declined); failed, the
/// intent needs another payment method.
fn answer_challenge(
    tx: &mut Tx,
    mut intent: Value,
    pm: Value,
    success: bool,
) -> Result<Value, StripeError> {
    if success {
        let id = intent["id"].as_str().unwrap_or_default().to_owned();
        return match settle(tx, intent, &pm) {
            Ok(intent) => Ok(intent),
            // A declined charge is still an answered challenge: the intent now says why.
            Err(_) => tx.store.find("payment_intent", "payment_intent", &id),
        };
    }
    intent["status"] = json!("requires_payment_method");
    intent["payment_method"] = Value::Null;
    intent["next_action"] = Value::Null;
    intent["last_payment_error"] = json!({
        "type": "invalid_request_error",
        "code": "payment_intent_authentication_failure",
        "message": AUTHENTICATION_FAILED,
        "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
        "payment_method": pm,
    });
    let intent = tx.store.insert(intent);
    tx.emit("payment_intent.payment_failed", &intent);
    Ok(intent)
}

/// `POST /v1/payment_intents/{id}/verify_microdeposits` (`amounts[]` or `descriptor_code`), with
/// the secret key or the intent's client secret, as Stripe.js's `verifyMicrodepositsForPayment`.
pub async fn verify_microdeposits(
    Path(id): Path<String>,
    Call(emulator, ctx, params): Call,
) -> ApiResult {
    emulator.transact(&ctx, |tx| {
        let intent = tx.store.find("payment_intent", "payment_intent", &id)?;
        ctx.require_secret_or_client_secret(&params, &intent)?;
        bank_accounts::verify_microdeposits(tx, intent, &params).map(Json)
    })
}
