//! What payment and setup intents share: status guards, reads with a client secret, and the
//! cardholder's 3-D Secure step. Each kind is declared by its own module
//! (`payment_intents::PAYMENT`, `setup_intents::SETUP`), so this one depends on neither.

use axum::Json;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::form::Params;
use super::{ApiResult, Ctx, StripeEmulator, Tx};

pub struct Kind {
    /// The `object` value, also the resource name in Stripe's messages.
    pub object: &'static str,
    /// How Stripe's state errors name it.
    pub label: &'static str,
    /// Settles the intent after the challenge: passed (`true`) or failed.
    pub answer: fn(&mut Tx, Value, bool) -> Result<Value, StripeError>,
}

impl Kind {
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

    /// GET with the secret key, or with a publishable key and the intent's client secret.
    pub fn retrieve(
        &self,
        emulator: &StripeEmulator,
        ctx: &Ctx,
        params: &Params,
        id: &str,
    ) -> ApiResult {
        let store = emulator.lock_store();
        let intent = store.find(self.object, self.object, id)?;
        ctx.require_secret_or_client_secret(params, &intent)?;
        Ok(Json(store.expand(intent, &params.expand())))
    }

    /// The emulator's `authenticate` call: `result=complete|fail` for an intent in
    /// `requires_action`, as the cardholder answers at their bank.
    pub fn authenticate(
        &self,
        emulator: &StripeEmulator,
        ctx: &Ctx,
        params: &Params,
        id: &str,
    ) -> ApiResult {
        let success = match params.required_str("result")? {
            "complete" => true,
            "fail" => false,
            other => {
                return Err(StripeError::invalid_request(
                    format!("Invalid result: {other}"),
                    Some("result"),
                ));
            }
        };
        emulator.transact(ctx, |tx| {
            let intent = tx.store.find(self.object, self.object, id)?;
            ctx.require_secret_or_client_secret(params, &intent)?;
            self.answer(tx, intent, success).map(Json)
        })
    }

    pub fn answer(&self, tx: &mut Tx, intent: Value, success: bool) -> Result<Value, StripeError> {
        self.require_status(&intent, &["requires_action"], "authenticate")?;
        (self.answer)(tx, intent, success)
    }
}

/// The `next_action` of an intent waiting for 3-D Secure: a redirect to the emulator's challenge
/// page when the caller gave a `return_url`, else what Stripe.js opens in a dialog.
pub fn three_d_secure_action(public_base: &str, intent: &Value, return_url: Option<&str>) -> Value {
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
