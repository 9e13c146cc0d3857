//! What payment and setup intents share: status guards, reads with a client secret, and the
//! cardholder's 3-D Secure step. Each kind is declared by its own module
//! (`payment_intents::PAYMENT`, `setup_intents::SETUP`), so this one depends on neither.

use axum::Json;
use axum::extract::Path;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use super::cards::Behaviour;
use super::errors::StripeError;
use super::form::Params;
use super::ids::{client_secret, new_id, now};
use super::{ApiResult, Call, StripeEmulator, Tx, customer_filter, payment_methods};

pub struct Kind {
    /// The `object` value, also the resource name in Stripe's messages.
    pub object: &'static str,
    /// How Stripe's state errors name it.
    pub label: &'static str,
    /// Its ids' prefix (`pi`, `seti`).
    pub id_prefix: &'static str,
    /// Confirms an intent in a confirmable state with the call's parameters.
    pub confirm: fn(&mut Tx, Value, &Params) -> Result<Value, StripeError>,
    /// Settles the intent after the challenge with its payment method: passed (`true`) or failed.
    pub answer: fn(&mut Tx, Value, Value, bool) -> Result<Value, StripeError>,
}

/// States an intent may be confirmed (or updated) in.
pub const CONFIRMABLE: &[&str] = &[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
];

impl Kind {
    /// `POST /v1/<kind>s`: the fields both kinds share, then `fill` adds its own (and may refuse
    /// the parameters); stored, `<object>.created` emitted, and confirmed at once with
    /// `confirm=true`.
    pub fn create(
        &self,
        Call(emulator, ctx, params): Call,
        fill: impl FnOnce(&mut Tx, &mut Value, &Params) -> Result<(), StripeError>,
    ) -> ApiResult {
        ctx.require_secret_key()?;
        let confirm = params.bool("confirm")?.unwrap_or(false);
        let payment_method_types = payment_method_types(&params)?;
        if self.object == "setup_intent"
            && payment_method_types
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "customer_balance"))
        {
            return Err(StripeError::invalid_request(
                "customer_balance cannot be set up for later: a bank transfer is a payment.",
                Some("payment_method_types"),
            ));
        }
        emulator.transact(&ctx, |tx| {
            let id = new_id(self.id_prefix);
            let mut intent = json!({
                "id": id,
                "object": self.object,
                "application": null,
                "automatic_payment_methods": null,
                "cancellation_reason": null,
                "client_secret": client_secret(&id),
                "created": now(),
                "customer": null,
                "excluded_payment_method_types": null,
                "livemode": false,
                "metadata": params.merge_metadata(&json!({}))?,
                "next_action": null,
                "on_behalf_of": null,
                "payment_method": null,
                "payment_method_configuration_details": null,
                "payment_method_types": payment_method_types,
                "status": "requires_payment_method",
            });
            fill(tx, &mut intent, &params)?;
            let intent = tx.store.insert(intent);
            tx.emit(&format!("{}.created", self.object), &intent);
            let intent = if confirm {
                self.confirm_intent(tx, intent, &params)?
            } else {
                intent
            };
            Ok(Json(tx.store.expand(intent, &params.expand())))
        })
    }

    /// `GET /v1/<kind>s`, of one `customer` when given.
    pub fn list_route(&'static self) -> MethodRouter<StripeEmulator> {
        get(move |Call(emulator, ctx, params): Call| async move {
            let url = format!("/v1/{}s", self.object);
            emulator.list(&ctx, &params, self.object, &url, customer_filter(&params))
        })
    }

    /// `POST /v1/<kind>s/{id}/confirm`, with the secret key or with the client secret.
    pub fn confirm_route(&'static self) -> MethodRouter<StripeEmulator> {
        post(
            move |Path(id): Path<String>, Call(emulator, ctx, params): Call| async move {
                emulator.transact(&ctx, |tx| {
                    let intent = tx.store.find(self.object, self.object, &id)?;
                    ctx.require_secret_or_client_secret(&params, &intent)?;
                    let intent = self.confirm_intent(tx, intent, &params)?;
                    Ok(Json(tx.store.expand(intent, &params.expand())))
                })
            },
        )
    }

    fn confirm_intent(
        &self,
        tx: &mut Tx,
        intent: Value,
        params: &Params,
    ) -> Result<Value, StripeError> {
        self.require_status(&intent, CONFIRMABLE, "confirm")?;
        (self.confirm)(tx, intent, params)
    }

    /// The payment method a confirmation uses: the call's, else the one set on the intent.
    pub fn chosen_payment_method(params: &Params, intent: &Value) -> Option<String> {
        params
            .non_empty_str("payment_method")
            .or(intent["payment_method"].as_str())
            .map(str::to_owned)
    }

    /// Stripe's 400 `*_unexpected_state` unless the intent's status is one of `allowed`.
    pub fn require_status(
        &self,
        intent: &Value,
        allowed: &[&str],
        action: &str,
    ) -> Result<(), StripeError> {
        let status = intent["status"].as_str().unwrap_or_default();
        if allowed.contains(&status) {
            return Ok(());
        }
        Err(StripeError::unexpected_state(
            &format!("{}_unexpected_state", self.object),
            format!(
                "You cannot {action} this {} because it has a status of {status}.",
                self.label
            ),
        )
        .with_extra(self.object, intent.clone()))
    }

    /// `GET /v1/<kind>s/{id}` with the secret key, or with a publishable key and the intent's
    /// client secret.
    pub fn retrieve_route(&'static self) -> MethodRouter<StripeEmulator> {
        get(
            move |Path(id): Path<String>, Call(emulator, ctx, params): Call| async move {
                let store = emulator.lock_store();
                let intent = store.find(self.object, self.object, &id)?;
                ctx.require_secret_or_client_secret(&params, &intent)?;
                ApiResult::Ok(Json(store.expand(intent, &params.expand())))
            },
        )
    }

    /// The emulator's `POST /v1/<kind>s/{id}/authenticate`: `result=complete|fail` for an intent
    /// in `requires_action`, as the cardholder answers at their bank.
    pub fn authenticate_route(&'static self) -> MethodRouter<StripeEmulator> {
        post(
            move |Path(id): Path<String>, Call(emulator, ctx, params): Call| async move {
                let success = match params.one_of("result", &["complete", "fail"])? {
                    Some(answer) => answer == "complete",
                    None => return Err(StripeError::missing_param("result")),
                };
                emulator.transact(&ctx, |tx| {
                    let intent = tx.store.find(self.object, self.object, &id)?;
                    ctx.require_secret_or_client_secret(&params, &intent)?;
                    self.answer(tx, intent, success).map(Json)
                })
            },
        )
    }

    /// Puts the intent in `requires_action` with the 3-D Secure step for the cardholder.
    pub fn require_action(
        &self,
        tx: &mut Tx,
        mut intent: Value,
        return_url: Option<&str>,
    ) -> Value {
        intent["status"] = json!("requires_action");
        intent["next_action"] = three_d_secure_action(tx.public_base, &intent, return_url);
        let intent = tx.store.insert(intent);
        tx.emit(&format!("{}.requires_action", self.object), &intent);
        intent
    }

    pub fn answer(&self, tx: &mut Tx, intent: Value, success: bool) -> Result<Value, StripeError> {
        self.require_status(&intent, &["requires_action"], "authenticate")?;
        let pm = tx.store.find(
            "payment_method",
            "PaymentMethod",
            intent["payment_method"].as_str().unwrap_or_default(),
        )?;
        (self.answer)(tx, intent, pm, success)
    }
}

/// The payment method a confirmation is for: one made from the call's `payment_method_data`
/// (what the Payment Element sends for new details), else the one it names or the intent has.
pub fn payment_method_to_confirm(
    tx: &mut Tx,
    params: &Params,
    intent: &Value,
) -> Result<Option<String>, StripeError> {
    Ok(match params.get("payment_method_data") {
        Some(data) => {
            let pm = payment_methods::from_data(tx, data)?;
            Some(pm["id"].as_str().unwrap_or_default().to_owned())
        }
        None => Kind::chosen_payment_method(params, intent),
    })
}

/// Where the cardholder is sent for 3-D Secure: nowhere (Stripe.js shows the challenge in the
/// page) when the confirmation came from Stripe.js (`use_stripe_sdk`) and the card allows it,
/// else the bank's page, returning to the call's `return_url`.
pub fn authentication_redirect(
    params: &Params,
    behaviour: Behaviour,
) -> Result<Option<&str>, StripeError> {
    let in_page = params.bool("use_stripe_sdk")?.unwrap_or(false)
        && behaviour != Behaviour::RequiresRedirectAuthentication;
    Ok(params.non_empty_str("return_url").filter(|_| !in_page))
}

/// Sets the `customer` and the `payment_method` the call names, if it does; an intent that had
/// no payment method now awaits confirmation.
pub fn take_customer_and_payment_method(
    tx: &mut Tx,
    intent: &mut Value,
    params: &Params,
) -> Result<(), StripeError> {
    if let Some(customer) = params.non_empty_str("customer") {
        tx.store.find("customer", "customer", customer)?;
        intent["customer"] = json!(customer);
    }
    if let Some(pm) = params.non_empty_str("payment_method") {
        intent["payment_method"] = payment_methods::resolve(tx, pm)?["id"].clone();
        if intent["status"] == "requires_payment_method" {
            intent["status"] = json!("requires_confirmation");
        }
    }
    Ok(())
}

/// The payment method types the emulator has.
const PAYMENT_METHOD_TYPES: &[&str] = &["card", "us_bank_account", "customer_balance"];

/// The payment method types of a new intent, `["card"]` when not given: the request's
/// `allowed_payment_method_types[]` (API versions since 2026) or `payment_method_types[]`
/// (before); the object says `payment_method_types` either way.
fn payment_method_types(params: &Params) -> Result<Value, StripeError> {
    let named = ["allowed_payment_method_types", "payment_method_types"]
        .into_iter()
        .find_map(|param| params.get(param).map(|given| (param, given)));
    let Some((param, given)) = named else {
        return Ok(json!(["card"]));
    };
    let invalid = |message: String| StripeError::invalid_request(message, Some(param));
    let types = given
        .as_array()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid(format!("{param} must be a non-empty list.")))?;
    for kind in types {
        let kind = kind.as_str().unwrap_or_default();
        if !PAYMENT_METHOD_TYPES.contains(&kind) {
            return Err(invalid(format!(
                "The payment method type {kind:?} is invalid: the emulator has {}.",
                PAYMENT_METHOD_TYPES.join(", ")
            )));
        }
    }
    Ok(given.clone())
}

/// Stripe's 400 when the payment method's type is not one the intent accepts.
pub fn require_allowed_type(intent: &Value, pm: &Value) -> Result<(), StripeError> {
    let kind = pm["type"].as_str().unwrap_or_default();
    let allowed = intent["payment_method_types"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if allowed.iter().any(|t| t == kind) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
    Err(StripeError::invalid_request(
        format!(
            "The PaymentMethod provided ({kind}) is not allowed for this {}. Please attach a PaymentMethod of one of the following types: {}.",
            if intent["object"] == "setup_intent" {
                "SetupIntent"
            } else {
                "PaymentIntent"
            },
            names.join(", ")
        ),
        Some("payment_method"),
    ))
}

/// Sets each of `fields`' entries on `object`.
pub fn merge(object: &mut Value, fields: Value) {
    if let (Some(object), Value::Object(fields)) = (object.as_object_mut(), fields) {
        object.extend(fields);
    }
}

/// The `next_action` of an intent waiting for 3-D Secure: a redirect to the emulator's challenge
/// page when the caller gave a `return_url`, else what Stripe.js opens in a dialog.
fn three_d_secure_action(public_base: &str, intent: &Value, return_url: Option<&str>) -> Value {
    let id = intent["id"].as_str().unwrap_or_default();
    let challenge = format!("{public_base}/_3ds/{id}");
    match return_url {
        Some(return_url) => json!({
            "type": "redirect_to_url",
            "redirect_to_url": { "return_url": return_url, "url": format!("{challenge}?return_url={}", encode(return_url)) },
        }),
        None => json!({
            "type": "use_stripe_sdk",
            "use_stripe_sdk": { "type": "three_d_secure_redirect", "stripe_js": challenge },
        }),
    }
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
