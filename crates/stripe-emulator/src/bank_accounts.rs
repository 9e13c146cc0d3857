//! US bank accounts (ACH Direct Debit): payment methods made from Stripe's test routing and
//! account numbers, the mandate a debit is made under, and debits that stay `processing` until
//! the bank answers: after [`EmulatorSettings::bank_debit_delay`](super::EmulatorSettings)
//! here (10 s unless set), about four business days on Stripe. The answer for a test account is
//! the one Stripe's ACH testing page gives it.

use serde_json::{Value, json};

use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now};
use super::{Tx, charges, payment_intents};

/// Stripe's test routing number, STRIPE TEST BANK.
pub const TEST_ROUTING_NUMBER: &str = "110000000";

/// Why the bank returned a debit: Stripe's failure code and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Return {
    pub code: &'static str,
    pub message: &'static str,
}

/// Stripe's ACH test accounts (at the test routing number) whose debits fail; any other
/// account's debit succeeds.
const RETURNED: &[(&str, Return)] = &[
    (
        "000111111116",
        Return {
            code: "no_account",
            message: "The customer's bank account could not be located.",
        },
    ),
    (
        "000111111113",
        Return {
            code: "account_closed",
            message: "The customer's bank account has been closed.",
        },
    ),
    (
        "000222222227",
        Return {
            code: "insufficient_funds",
            message: "The customer's account has insufficient funds to cover this payment.",
        },
    ),
    (
        "000333333335",
        Return {
            code: "debit_not_authorized",
            message: "The customer has notified their bank that this payment was unauthorized.",
        },
    ),
    (
        "000444444440",
        Return {
            code: "invalid_currency",
            message: "The bank was unable to process this payment because of its currency.",
        },
    ),
];

/// The `us_bank_account` hash of a new payment method, from `us_bank_account[routing_number]`,
/// `[account_number]`, `[account_holder_type]` and `[account_type]`.
pub fn parse(params: &Params) -> Result<Value, StripeError> {
    let bank = Params(
        params
            .get("us_bank_account")
            .cloned()
            .unwrap_or(Value::Null),
    );
    let routing = bank
        .non_empty_str("routing_number")
        .ok_or_else(|| StripeError::missing_param("us_bank_account[routing_number]"))?;
    let account = bank
        .non_empty_str("account_number")
        .ok_or_else(|| StripeError::missing_param("us_bank_account[account_number]"))?;
    if !valid_routing_number(routing) {
        return Err(StripeError::invalid_request(
            format!("Invalid routing number: {routing}. A routing number has 9 digits and a valid check digit."),
            Some("us_bank_account[routing_number]"),
        )
        .with_code("routing_number_invalid"));
    }
    if !(4..=17).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StripeError::invalid_request(
            "Invalid account number: it has 4 to 17 digits.",
            Some("us_bank_account[account_number]"),
        )
        .with_code("account_number_invalid"));
    }
    let holder_type = bank.one_of("account_holder_type", &["individual", "company"])?;
    let account_type = bank
        .one_of("account_type", &["checking", "savings"])?
        .unwrap_or("checking");
    Ok(json!({
        "account_holder_type": holder_type,
        "account_type": account_type,
        "bank_name": if routing == TEST_ROUTING_NUMBER { "STRIPE TEST BANK" } else { "EMULATED BANK" },
        "financial_connections_account": null,
        "fingerprint": fingerprint(routing, account),
        "last4": &account[account.len() - 4..],
        "networks": { "preferred": "ach", "supported": ["ach"] },
        "routing_number": routing,
        "status_details": null,
    }))
}

/// ABA routing numbers: nine digits whose weighted sum (3, 7, 1, …) is a multiple of ten.
fn valid_routing_number(routing: &str) -> bool {
    let digits: Vec<u32> = routing.chars().filter_map(|c| c.to_digit(10)).collect();
    if routing.len() != 9 || digits.len() != 9 {
        return false;
    }
    let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 10 == 0
}

/// Stripe never shows an account number again; like a card's, the fingerprint tells the
/// emulator which test account it is.
fn fingerprint(routing: &str, account: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("octavia-emulator-ach:{routing}:{account}").as_bytes());
    hex::encode(digest)[..16].to_owned()
}

/// What the bank answers to a debit from this payment method.
fn bank_answer(pm: &Value) -> Option<Return> {
    let bank = &pm["us_bank_account"];
    let routing = bank["routing_number"].as_str().unwrap_or_default();
    RETURNED
        .iter()
        .find(|(account, _)| bank["fingerprint"] == fingerprint(routing, account).as_str())
        .map(|(_, answer)| *answer)
}

/// The mandate a debit from `pm` is made under: the one named (`mandate`), else the payment
/// method's active multi-use mandate, else a new one from `mandate_data` (which Stripe.js sends
/// for the customer who accepted on the page). Multi-use when the account is kept for later.
pub fn mandate_for(
    tx: &mut Tx,
    pm: &Value,
    params: &Params,
    multi_use: bool,
    single_use: Option<(&Value, &Value)>,
) -> Result<Value, StripeError> {
    let pm_id = pm["id"].as_str().unwrap_or_default();
    if let Some(id) = params.non_empty_str("mandate") {
        let mandate = tx.store.find("mandate", "mandate", id)?;
        if mandate["payment_method"] != pm_id || mandate["status"] != "active" {
            return Err(StripeError::invalid_request(
                format!("The mandate {id} is not an active mandate of this payment method."),
                Some("mandate"),
            ));
        }
        return Ok(mandate);
    }
    let standing = tx.store.naming("mandate", pm_id, |m| {
        m["payment_method"] == pm_id && m["type"] == "multi_use" && m["status"] == "active"
    });
    if let Some(mandate) = standing.into_iter().next() {
        return Ok(mandate);
    }
    let acceptance = params
        .get("mandate_data")
        .and_then(|data| data.get("customer_acceptance"))
        .ok_or_else(|| {
            StripeError::invalid_request(
                "A debit from a bank account needs the customer's mandate: pass mandate_data[customer_acceptance] (Stripe.js does), or a mandate.",
                Some("mandate_data"),
            )
        })?;
    let online = acceptance.get("online").cloned().unwrap_or(Value::Null);
    let text = |key: &str| online.get(key).and_then(Value::as_str).map(str::to_owned);
    let mandate = tx.store.insert(json!({
        "id": new_id("mandate"),
        "object": "mandate",
        "customer_acceptance": {
            "accepted_at": now(),
            "online": {
                "ip_address": text("ip_address").unwrap_or_else(|| "127.0.0.1".into()),
                "user_agent": text("user_agent").unwrap_or_else(|| "emulated browser".into()),
            },
            "type": "online",
        },
        "livemode": false,
        "multi_use": if multi_use { json!({}) } else { Value::Null },
        "payment_method": pm_id,
        "payment_method_details": {
            "type": "us_bank_account",
            "us_bank_account": { "collection_method": null },
        },
        "single_use": match (multi_use, single_use) {
            (false, Some((amount, currency))) => json!({ "amount": amount, "currency": currency }),
            _ => Value::Null,
        },
        "status": "active",
        "type": if multi_use { "multi_use" } else { "single_use" },
    }));
    Ok(mandate)
}

/// Stripe's test values that verify microdeposits: the two amounts, or the descriptor code.
const MICRODEPOSIT_AMOUNTS: [i64; 2] = [32, 45];
const MICRODEPOSIT_CODE: &str = "SM11AA";

/// Whether the account is verified with microdeposits before it is debited:
/// `payment_method_options[us_bank_account][verification_method]=microdeposits`, given with the
/// confirmation or on the intent (Stripe does so for manually entered accounts).
pub fn by_microdeposits(intent: &Value, params: &Params) -> bool {
    let given = params
        .get("payment_method_options")
        .and_then(|o| o.get("us_bank_account"))
        .and_then(|o| o.get("verification_method"))
        .and_then(Value::as_str);
    let on_intent =
        intent["payment_method_options"]["us_bank_account"]["verification_method"].as_str();
    given.or(on_intent) == Some("microdeposits")
}

/// Two small deposits are on their way to the account: the intent waits until the customer
/// says what arrived (on the hosted page, or `verify_microdeposits`).
pub fn await_microdeposits(tx: &mut Tx, mut intent: Value) -> Value {
    let id = intent["id"].as_str().unwrap_or_default().to_owned();
    intent["status"] = json!("requires_action");
    intent["next_action"] = json!({
        "type": "verify_with_microdeposits",
        "verify_with_microdeposits": {
            "arrival_date": now() + 2 * 24 * 3600,
            "hosted_verification_url": format!("{}/microdeposits/{id}", tx.public_base),
            "microdeposit_type": "descriptor_code",
        },
    });
    let intent = tx.store.insert(intent);
    tx.emit("payment_intent.requires_action", &intent);
    intent
}

/// `verify_microdeposits` with `amounts[]` or `descriptor_code`: Stripe's test values start the
/// debit, anything else is Stripe's 400 and the intent keeps waiting.
pub fn verify_microdeposits(
    tx: &mut Tx,
    intent: Value,
    params: &Params,
) -> Result<Value, StripeError> {
    if intent["next_action"]["type"] != "verify_with_microdeposits" {
        return Err(StripeError::unexpected_state(
            "payment_intent_unexpected_state",
            "This PaymentIntent is not waiting for microdeposits to be verified.",
        ));
    }
    let amounts: Option<Vec<i64>> = params.get("amounts").and_then(Value::as_array).map(|list| {
        list.iter()
            .filter_map(|a| a.as_i64().or_else(|| a.as_str()?.trim().parse().ok()))
            .collect()
    });
    match (amounts, params.non_empty_str("descriptor_code")) {
        (Some(amounts), _) if amounts != MICRODEPOSIT_AMOUNTS => {
            return Err(StripeError::invalid_request(
                "The amounts provided do not match the amounts that were sent to the bank account.",
                Some("amounts"),
            )
            .with_code("payment_method_microdeposit_verification_amounts_mismatch"));
        }
        (None, Some(code)) if code != MICRODEPOSIT_CODE => {
            return Err(StripeError::invalid_request(
                "The descriptor code provided does not match the one in the deposit's statement descriptor.",
                Some("descriptor_code"),
            )
            .with_code("payment_method_microdeposit_verification_descriptor_code_mismatch"));
        }
        (None, None) => return Err(StripeError::missing_param("amounts")),
        _ => {}
    }
    let pm_id = intent["payment_method"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pm = tx.store.find("payment_method", "PaymentMethod", &pm_id)?;
    let mandate = tx
        .store
        .naming("mandate", &pm_id, |m| m["payment_method"] == pm_id.as_str())
        .into_iter()
        .next()
        .ok_or_else(|| StripeError::missing_param("mandate_data"))?;
    Ok(start_debit(tx, intent, &pm, &mandate))
}

/// The debit is sent to the bank: the intent and its charge are `processing`/`pending` until
/// [`settle`] gives the bank's answer, which the emulator does after the debit delay.
pub fn start_debit(tx: &mut Tx, mut intent: Value, pm: &Value, mandate: &Value) -> Value {
    let charge = charges::bank_debit(tx, &intent, pm, mandate);
    intent["status"] = json!("processing");
    intent["next_action"] = Value::Null;
    intent["last_payment_error"] = Value::Null;
    intent["latest_charge"] = charge["id"].clone();
    let intent = tx.store.insert(intent);
    tx.emit("charge.pending", &charge);
    tx.emit("payment_intent.processing", &intent);
    tx.settle_later(intent["id"].as_str().unwrap_or_default());
    intent
}

/// The bank's answer to a debit still `processing` (none for an intent settled already).
pub fn settle(tx: &mut Tx, intent_id: &str) -> Result<Value, StripeError> {
    let mut intent = tx
        .store
        .find("payment_intent", "payment_intent", intent_id)?;
    if intent["status"] != "processing" {
        return Ok(intent);
    }
    let pm = tx.store.find(
        "payment_method",
        "PaymentMethod",
        intent["payment_method"].as_str().unwrap_or_default(),
    )?;
    let mut charge = tx.store.find(
        "charge",
        "charge",
        intent["latest_charge"].as_str().unwrap_or_default(),
    )?;
    match bank_answer(&pm) {
        None => {
            charge["status"] = json!("succeeded");
            charge["paid"] = json!(true);
            charge["captured"] = json!(true);
            charge["amount_captured"] = charge["amount"].clone();
            charge["balance_transaction"] = json!(new_id("txn"));
            charge["outcome"]["seller_message"] = json!("Payment complete.");
            let charge = tx.store.insert(charge);
            tx.emit("charge.succeeded", &charge);
            payment_intents::succeed(tx, intent, &pm)
        }
        Some(returned) => {
            charge["status"] = json!("failed");
            charge["failure_code"] = json!(returned.code);
            charge["failure_message"] = json!(returned.message);
            charge["outcome"]["type"] = json!("invalid");
            charge["outcome"]["network_status"] = json!("declined_by_network");
            charge["outcome"]["seller_message"] = json!(returned.message);
            let charge = tx.store.insert(charge);
            tx.emit("charge.failed", &charge);
            intent["status"] = json!("requires_payment_method");
            intent["payment_method"] = Value::Null;
            intent["last_payment_error"] = json!({
                "type": "invalid_request_error",
                "code": returned.code,
                "message": returned.message,
                "charge": charge["id"],
                "doc_url": format!("https://stripe.com/docs/error-codes/{}", returned.code.replace('_', "-")),
                "payment_method": pm,
            });
            let intent = tx.store.insert(intent);
            tx.emit("payment_intent.payment_failed", &intent);
            Ok(intent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_test_routing_number_and_real_ones_pass_the_check_digit() {
        assert!(valid_routing_number(TEST_ROUTING_NUMBER));
        assert!(valid_routing_number("021000021"));
        assert!(!valid_routing_number("110000001"));
        assert!(!valid_routing_number("11000000"));
        assert!(!valid_routing_number("11000000a"));
    }

    #[test]
    fn each_failing_test_account_is_known_by_its_fingerprint_only() {
        let pm = |account: &str| {
            json!({ "us_bank_account": {
                "routing_number": TEST_ROUTING_NUMBER,
                "fingerprint": fingerprint(TEST_ROUTING_NUMBER, account),
            }})
        };
        assert_eq!(bank_answer(&pm("000123456789")), None);
        assert_eq!(
            bank_answer(&pm("000111111113")).map(|r| r.code),
            Some("account_closed")
        );
        assert_eq!(
            bank_answer(&pm("000222222227")).map(|r| r.code),
            Some("insufficient_funds")
        );
        assert_eq!(
            bank_answer(&pm("000333333335")).map(|r| r.code),
            Some("debit_not_authorized")
        );
    }
}
