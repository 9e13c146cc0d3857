//! Bank transfers (`customer_balance` with `bank_transfer`, USD: `us_bank_transfer`): a payment
//! intent confirmed with it waits in `requires_action`, showing the account to pay into and the
//! reference to quote (`next_action.display_bank_transfer_instructions`), until money arrives on
//! the customer's cash balance: `POST /v1/test_helpers/customers/{id}/fund_cash_balance`, as
//! Stripe's API has it. Arriving money pays the intent whose reference it quotes, else the
//! customer's oldest waiting intents, in part (`payment_intent.partially_funded`) or in whole
//! (`payment_intent.succeeded`); what is left stays on the cash balance.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now, random_alphanumeric};
use super::store::Store;
use super::{ApiResult, Call, Tx, charges, payment_intents};

/// The store's type for a customer's cash balance (Stripe's `cash_balance` has no id).
const BALANCE: &str = "emulator.cash_balance";

/// What the intent's page shows the payer: an account of the customer's at the test bank, the
/// amount still due and a reference of the intent's own.
pub fn await_transfer(tx: &mut Tx, mut intent: Value) -> Result<Value, StripeError> {
    let options = &intent["payment_method_options"]["customer_balance"];
    if options["funding_type"] != "bank_transfer" || options["bank_transfer"]["type"].is_null() {
        return Err(StripeError::invalid_request(
            "payment_method_options[customer_balance][funding_type] must be bank_transfer, with \
             payment_method_options[customer_balance][bank_transfer][type], to confirm a \
             PaymentIntent with a customer_balance PaymentMethod.",
            Some("payment_method_options[customer_balance][funding_type]"),
        ));
    }
    let Some(customer) = intent["customer"].as_str().map(str::to_owned) else {
        return Err(StripeError::invalid_request(
            "A customer is required to pay with customer_balance: set customer on the PaymentIntent.",
            Some("customer"),
        ));
    };
    if intent["currency"] != "usd" {
        return Err(StripeError::invalid_request(
            "The emulator takes bank transfers in usd only (us_bank_transfer).",
            Some("currency"),
        ));
    }
    let id = intent["id"].as_str().unwrap_or_default().to_owned();
    let reference = format!("OCTB{}", random_alphanumeric(8).to_uppercase());
    intent["status"] = json!("requires_action");
    intent["next_action"] = json!({
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": {
            "amount_remaining": intent["amount"],
            "currency": intent["currency"],
            "financial_addresses": [{
                "aba": {
                    "account_holder_address": address(),
                    "account_holder_name": "Octavia Billing (emulated)",
                    "account_number": account_number(&customer),
                    "account_type": "checking",
                    "bank_address": address(),
                    "bank_name": "STRIPE TEST BANK",
                    "routing_number": "110000000",
                },
                "supported_networks": ["ach", "domestic_wire_us"],
                "type": "aba",
            }],
            "hosted_instructions_url": format!("{}/bank_transfers/{id}", tx.public_base),
            "reference": reference,
            "type": "us_bank_transfer",
        },
    });
    let intent = tx.store.insert(intent);
    tx.emit("payment_intent.requires_action", &intent);
    // Money already on the balance pays at once, as on Stripe.
    apply_balance(tx, &customer, None)?;
    tx.store.find("payment_intent", "payment_intent", &id)
}

/// `payment_method_options[customer_balance]` of a create, update or confirm call, kept on the
/// intent as Stripe shows it. The emulator takes US transfers only.
pub fn take_options(intent: &mut Value, params: &Params) -> Result<(), StripeError> {
    let Some(given) = params
        .get("payment_method_options")
        .and_then(|o| o.get("customer_balance"))
    else {
        return Ok(());
    };
    let given = Params(given.clone());
    let funding_type = given.one_of("funding_type", &["bank_transfer"])?;
    let transfer_type = given
        .get("bank_transfer")
        .map(|b| Params(b.clone()))
        .map(|b| {
            b.one_of("type", &["us_bank_transfer"])
                .map(|t| t.map(str::to_owned))
        })
        .transpose()?
        .flatten();
    intent["payment_method_options"]["customer_balance"] = json!({
        "bank_transfer": transfer_type.map(|t| json!({ "type": t })),
        "funding_type": funding_type,
    });
    Ok(())
}

fn address() -> Value {
    json!({ "city": "San Francisco", "country": "US", "line1": "354 Oyster Point Blvd", "line2": null, "postal_code": "94080", "state": "CA" })
}

/// The customer's own account number at the test bank, the same for all their transfers.
fn account_number(customer: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(customer.as_bytes());
    digest
        .iter()
        .take(6)
        .map(|b| format!("{:02}", b % 100))
        .collect()
}

fn instructions(intent: &Value) -> &Value {
    &intent["next_action"]["display_bank_transfer_instructions"]
}

/// `POST /v1/test_helpers/customers/{id}/fund_cash_balance` `amount`, `currency`, optional
/// `reference`: a transfer arrives.
pub async fn fund(Path(customer): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let amount = params.required_int("amount")?;
    if amount <= 0 {
        return Err(StripeError::invalid_request(
            "amount must be greater than 0.",
            Some("amount"),
        ));
    }
    let currency = params.required_str("currency")?.to_ascii_lowercase();
    if currency != "usd" {
        return Err(StripeError::invalid_request(
            "The emulator takes bank transfers in usd only.",
            Some("currency"),
        ));
    }
    let reference = params.non_empty_str("reference").map(str::to_owned);
    emulator.transact(&ctx, |tx| {
        tx.store.find("customer", "customer", &customer)?;
        let ending = balance(tx.store, &customer) + amount;
        set_balance(tx.store, &customer, ending);
        let funded = tx.store.insert(json!({
            "id": new_id("ccsbtxn"),
            "object": "customer_cash_balance_transaction",
            "created": now(),
            "currency": currency,
            "customer": customer,
            "customer_account": null,
            "ending_balance": ending,
            "funded": { "bank_transfer": {
                "reference": reference,
                "type": "us_bank_transfer",
                "us_bank_transfer": { "network": "ach", "sender_name": "Emulated sender" },
            }},
            "livemode": false,
            "net_amount": amount,
            "type": "funded",
        }));
        tx.emit("customer_cash_balance_transaction.created", &funded);
        apply_balance(tx, &customer, reference.as_deref())?;
        Ok(Json(funded))
    })
}

/// The balance pays the waiting intents: the one whose reference was quoted first, then the
/// oldest.
fn apply_balance(tx: &mut Tx, customer: &str, reference: Option<&str>) -> Result<(), StripeError> {
    let mut waiting = tx.store.naming("payment_intent", customer, |i| {
        i["status"] == "requires_action"
            && i["next_action"]["type"] == "display_bank_transfer_instructions"
    });
    waiting.reverse();
    waiting.sort_by_key(|i| reference.is_none_or(|r| instructions(i)["reference"] != r));
    for intent in waiting {
        let available = balance(tx.store, customer);
        if available == 0 {
            break;
        }
        let remaining = instructions(&intent)["amount_remaining"]
            .as_i64()
            .unwrap_or_default();
        let applied = available.min(remaining);
        set_balance(tx.store, customer, available - applied);
        let applied_txn = tx.store.insert(json!({
            "id": new_id("ccsbtxn"),
            "object": "customer_cash_balance_transaction",
            "applied_to_payment": { "payment_intent": intent["id"] },
            "created": now(),
            "currency": intent["currency"],
            "customer": customer,
            "customer_account": null,
            "ending_balance": available - applied,
            "livemode": false,
            "net_amount": -applied,
            "type": "applied_to_payment",
        }));
        tx.emit("customer_cash_balance_transaction.created", &applied_txn);
        let mut intent = intent;
        if applied < remaining {
            intent["next_action"]["display_bank_transfer_instructions"]["amount_remaining"] =
                json!(remaining - applied);
            let intent = tx.store.insert(intent);
            tx.emit("payment_intent.partially_funded", &intent);
            continue;
        }
        let pm = tx.store.find(
            "payment_method",
            "PaymentMethod",
            intent["payment_method"].as_str().unwrap_or_default(),
        )?;
        let charge = charges::from_balance(tx, &intent, &pm);
        intent["latest_charge"] = charge["id"].clone();
        intent["next_action"] = Value::Null;
        tx.emit("charge.succeeded", &charge);
        payment_intents::succeed(tx, intent, &pm)?;
    }
    Ok(())
}

/// A canceled intent gives back what had arrived for it: to the cash balance, where it stays.
pub fn release(tx: &mut Tx, intent: &Value) {
    let (Some(customer), remaining) = (
        intent["customer"].as_str(),
        instructions(intent)["amount_remaining"].as_i64(),
    ) else {
        return;
    };
    let Some(remaining) = remaining else {
        return;
    };
    let received = intent["amount"].as_i64().unwrap_or_default() - remaining;
    if received > 0 {
        let customer = customer.to_owned();
        let total = balance(tx.store, &customer) + received;
        set_balance(tx.store, &customer, total);
    }
}

/// `GET /v1/customers/{id}/cash_balance`.
pub async fn show(Path(customer): Path<String>, Call(emulator, ctx, _): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let store = emulator.lock_store();
    store.find("customer", "customer", &customer)?;
    Ok(Json(json!({
        "object": "cash_balance",
        "available": { "usd": balance(&store, &customer) },
        "customer": customer,
        "customer_account": null,
        "livemode": false,
        "settings": { "reconciliation_mode": "automatic", "using_merchant_default": true },
    })))
}

fn balance(store: &Store, customer: &str) -> i64 {
    store
        .get(&balance_id(customer))
        .and_then(|b| b["usd"].as_i64())
        .unwrap_or_default()
}

fn set_balance(store: &mut Store, customer: &str, usd: i64) {
    store.insert(json!({ "id": balance_id(customer), "object": BALANCE, "usd": usd }));
}

fn balance_id(customer: &str) -> String {
    format!("cashbal_{customer}")
}
