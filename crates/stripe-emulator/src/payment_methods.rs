//! Payment methods: cards (from a test card number or a `pm_card_*` token) and US bank
//! accounts (see `bank_accounts`); create, retrieve, attach, detach, list by customer and type.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::cards::{self, Behaviour, Card, Decline};
use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now};
use super::{ApiResult, Call, Ctx, StripeEmulator, Tx, bank_accounts, customer_filter};

pub async fn create(Call(emulator, ctx, params): Call) -> ApiResult {
    let billing = params
        .get("billing_details")
        .cloned()
        .unwrap_or(Value::Null);
    let metadata = params.merge_metadata(&json!({}))?;
    match params.required_str("type")? {
        "card" => {}
        "customer_balance" => {
            let mut pm = shell(&billing, metadata, "customer_balance");
            pm["customer_balance"] = json!({});
            return emulator.transact(&ctx, |tx| Ok(Json(tx.store.insert(pm))));
        }
        "us_bank_account" => {
            let bank = bank_accounts::parse(&params)?;
            // The account holder's name goes on the mandate; Stripe requires it.
            if billing["name"].as_str().is_none_or(str::is_empty) {
                return Err(StripeError::missing_param("billing_details[name]"));
            }
            let mut pm = shell(&billing, metadata, "us_bank_account");
            pm["us_bank_account"] = bank;
            return emulator.transact(&ctx, |tx| Ok(Json(tx.store.insert(pm))));
        }
        other => {
            return Err(StripeError::invalid_request(
                format!(
                    "The emulator supports card and us_bank_account payment methods, not {other:?}."
                ),
                Some("type"),
            ));
        }
    }
    let card_params = Params(params.get("card").cloned().unwrap_or(Value::Null));
    let number = card_params
        .non_empty_str("number")
        .ok_or_else(|| StripeError::missing_param("card[number]"))?;
    let exp_month = card_params
        .int("exp_month")?
        .ok_or_else(|| StripeError::missing_param("card[exp_month]"))?;
    let exp_year = card_params
        .int("exp_year")?
        .ok_or_else(|| StripeError::missing_param("card[exp_year]"))?;
    let cvc = card_params.non_empty_str("cvc");
    let card = cards::parse_card(number, exp_month, exp_year, cvc, today()).map_err(|d| {
        let param = match d.code {
            "invalid_expiry_month" => "card[exp_month]",
            "invalid_expiry_year" => "card[exp_year]",
            "invalid_cvc" => "card[cvc]",
            _ => "card[number]",
        };
        card_error(d).with_param(param)
    })?;
    emulator.transact(&ctx, |tx| {
        Ok(Json(tx.store.insert(build(
            &card,
            &billing,
            metadata,
            cvc.is_some(),
        ))))
    })
}

fn today() -> (i64, i64) {
    let now = time::OffsetDateTime::now_utc();
    (i64::from(now.year()), i64::from(u8::from(now.month())))
}

pub fn card_error(decline: Decline) -> StripeError {
    StripeError::card_error(decline.code, decline.decline_code, decline.message)
}

fn build(card: &Card, billing: &Value, metadata: Value, cvc_given: bool) -> Value {
    let postal_code = billing["address"]["postal_code"].clone();
    let mut pm = shell(billing, metadata, "card");
    pm["card"] = json!({
        "brand": card.brand,
        "checks": {
            "address_line1_check": null,
            "address_postal_code_check": if postal_code.is_null() { Value::Null } else { json!("pass") },
            "cvc_check": if cvc_given { json!("pass") } else { Value::Null },
        },
        "country": "US",
        "display_brand": card.brand,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "fingerprint": card.fingerprint,
        "funding": card.funding,
        "generated_from": null,
        "last4": card.last4,
        "networks": { "available": [card.brand], "preferred": null },
        "regulated_status": "unregulated",
        "three_d_secure_usage": { "supported": true },
        "wallet": null,
    });
    pm
}

/// A payment method of `kind` without its type's own hash (`card`, `us_bank_account`), which
/// Stripe sets for the type alone (the others are null here).
fn shell(billing: &Value, metadata: Value, kind: &str) -> Value {
    let text = |key: &str| {
        billing
            .get(key)
            .and_then(Value::as_str)
            .map_or(Value::Null, |s| json!(s))
    };
    let address = billing.get("address").cloned().unwrap_or(Value::Null);
    let address_field = |key: &str| {
        address
            .get(key)
            .and_then(Value::as_str)
            .map_or(Value::Null, |s| json!(s))
    };
    json!({
        "id": new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {
                "city": address_field("city"),
                "country": address_field("country"),
                "line1": address_field("line1"),
                "line2": address_field("line2"),
                "postal_code": address_field("postal_code"),
                "state": address_field("state"),
            },
            "email": text("email"),
            "name": text("name"),
            "phone": text("phone"),
            "tax_id": null,
        },
        "card": null,
        "created": now(),
        "customer": null,
        "customer_account": null,
        "livemode": false,
        "metadata": metadata,
        "type": kind,
        "us_bank_account": null,
    })
}

/// `payment_method_data[type]=…` of a confirmation (what Stripe.js sends for a bank account or
/// a bank transfer): a new payment method of that type.
pub fn from_data(tx: &mut Tx, data: &Value) -> Result<Value, StripeError> {
    let params = Params(data.clone());
    let billing = data.get("billing_details").cloned().unwrap_or(Value::Null);
    let pm = match params
        .required_str("type")
        .map_err(|_| StripeError::missing_param("payment_method_data[type]"))?
    {
        "customer_balance" => {
            let mut pm = shell(&billing, json!({}), "customer_balance");
            pm["customer_balance"] = json!({});
            pm
        }
        "us_bank_account" => {
            let mut pm = shell(&billing, json!({}), "us_bank_account");
            pm["us_bank_account"] = bank_accounts::parse(&params)?;
            pm
        }
        other => {
            return Err(StripeError::invalid_request(
                format!(
                    "The emulator makes payment_method_data of type customer_balance or us_bank_account, not {other:?}."
                ),
                Some("payment_method_data[type]"),
            ));
        }
    };
    Ok(tx.store.insert(pm))
}

/// A payment method named in a request: an id, or a `pm_card_*` token, which (as on Stripe)
/// makes a new payment method from that test card each time it is used.
pub fn resolve(tx: &mut Tx, id_or_token: &str) -> Result<Value, StripeError> {
    if let Some(number) = cards::token_number(id_or_token) {
        let card = cards::parse_card(number, 12, today().0 + 3, Some("123"), today())
            .expect("the token table holds valid test cards");
        return Ok(tx.store.insert(build(&card, &Value::Null, json!({}), true)));
    }
    tx.store
        .find("payment_method", "PaymentMethod", id_or_token)
}

/// The test-card behaviour of a stored payment method.
pub fn behaviour(payment_method: &Value) -> Behaviour {
    cards::behaviour_of_fingerprint(
        payment_method["card"]["fingerprint"]
            .as_str()
            .unwrap_or_default(),
    )
}

/// Attaches as Stripe does: the card is checked, so declining cards fail here with their code.
pub fn attach_to(tx: &mut Tx, id_or_token: &str, customer_id: &str) -> Result<Value, StripeError> {
    tx.store.find("customer", "customer", customer_id)?;
    let mut pm = resolve(tx, id_or_token)?;
    if pm["customer"] == customer_id {
        return Ok(pm);
    }
    if !pm["customer"].is_null() {
        return Err(StripeError::invalid_request(
            "The payment method you provided has already been attached to a customer.",
            Some("payment_method"),
        ));
    }
    if let Some(decline) = behaviour(&pm).attach_decline() {
        return Err(card_error(decline));
    }
    pm["customer"] = json!(customer_id);
    let pm = tx.store.insert(pm);
    tx.emit("payment_method.attached", &pm);
    Ok(pm)
}

pub async fn attach(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let customer = params.required_str("customer")?;
    emulator.transact(&ctx, |tx| attach_to(tx, &id, customer).map(Json))
}

pub async fn detach(Path(id): Path<String>, Call(emulator, ctx, _): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut pm = tx.store.find("payment_method", "PaymentMethod", &id)?;
        if pm["customer"].is_null() {
            return Err(StripeError::invalid_request(
                format!("The payment method {id} is not attached to a customer so detachment is impossible."),
                None,
            ));
        }
        let customer_id = pm["customer"].as_str().unwrap_or_default().to_owned();
        pm["customer"] = Value::Null;
        let pm = tx.store.insert(pm);
        tx.emit("payment_method.detached", &pm);
        clear_default(tx, &customer_id, &id)?;
        Ok(Json(pm))
    })
}

/// A detached card stops being the customer's default, as on Stripe.
fn clear_default(tx: &mut Tx, customer_id: &str, pm_id: &str) -> Result<(), StripeError> {
    let mut customer = tx.store.find("customer", "customer", customer_id)?;
    if customer["invoice_settings"]["default_payment_method"] != pm_id {
        return Ok(());
    }
    let previous = json!({ "invoice_settings": customer["invoice_settings"].clone() });
    customer["invoice_settings"]["default_payment_method"] = Value::Null;
    let customer = tx.store.insert(customer);
    tx.emit_with_previous("customer.updated", &customer, Some(previous));
    Ok(())
}

/// `GET /v1/payment_methods?customer=...&type=card`.
pub async fn list(Call(emulator, ctx, params): Call) -> ApiResult {
    list_matching(&emulator, &ctx, &params, "/v1/payment_methods")
}

/// `GET /v1/customers/{id}/payment_methods?type=card`.
pub async fn list_for_customer(
    State(emulator): State<StripeEmulator>,
    ctx: Ctx,
    Path(customer): Path<String>,
    mut params: Params,
) -> ApiResult {
    emulator
        .lock_store()
        .find("customer", "customer", &customer)?;
    params.0["customer"] = json!(customer);
    list_matching(
        &emulator,
        &ctx,
        &params,
        &format!("/v1/customers/{customer}/payment_methods"),
    )
}

fn list_matching(emulator: &StripeEmulator, ctx: &Ctx, params: &Params, url: &str) -> ApiResult {
    let of_customer = customer_filter(params);
    let kind = params.non_empty_str("type").map(str::to_owned);
    emulator.list(ctx, params, "payment_method", url, |pm| {
        of_customer(pm) && kind.as_deref().is_none_or(|k| pm["type"] == k)
    })
}
