//! Disputes, as Stripe's test mode makes them: a payment by card 4000 0000 0000 0259 is disputed
//! right after it succeeds (`charge.dispute.created`, status `needs_response`), and
//! `POST /v1/disputes/{id}` with `evidence[uncategorized_text]=winning_evidence` or
//! `losing_evidence` closes it as `won` or `lost` (`charge.dispute.closed`); other evidence puts
//! it `under_review` (`charge.dispute.updated`).

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::ids::{new_id, now};
use super::{ApiResult, Call, Tx};

/// Statuses in which the merchant may still submit evidence.
const OPEN: &[&str] = &["warning_needs_response", "needs_response", "under_review"];

/// Opens a dispute on a succeeded charge: the charge is marked `disputed` and
/// `charge.dispute.created` is emitted.
pub fn open(tx: &mut Tx, charge: &Value) {
    let amount = charge["amount"].clone();
    let dispute = json!({
        "id": new_id("dp"),
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge["id"],
        "created": now(),
        "currency": charge["currency"],
        "enhanced_eligibility_types": [],
        "evidence": evidence(&Value::Null),
        "evidence_details": {
            "due_by": now() + 7 * 24 * 60 * 60,
            "enhanced_eligibility": {},
            "has_evidence": false,
            "past_due": false,
            "submission_count": 0,
        },
        "is_charge_refundable": false,
        "livemode": false,
        "metadata": {},
        "network_reason_code": "10.4",
        "payment_intent": charge["payment_intent"],
        "payment_method_details": {
            "card": {
                "brand": charge["payment_method_details"]["card"]["brand"],
                "case_type": "chargeback",
                "network": charge["payment_method_details"]["card"]["network"],
                "network_reason_code": "10.4",
            },
            "type": "card",
        },
        "reason": "fraudulent",
        "status": "needs_response",
    });
    let mut charge = charge.clone();
    charge["disputed"] = json!(true);
    tx.store.insert(charge);
    let dispute = tx.store.insert(dispute);
    tx.emit("charge.dispute.created", &dispute);
}

/// Every evidence field Stripe has, null unless given.
fn evidence(given: &Value) -> Value {
    let mut evidence = json!({
        "access_activity_log": null, "billing_address": null, "cancellation_policy": null,
        "cancellation_policy_disclosure": null, "cancellation_rebuttal": null,
        "customer_communication": null, "customer_email_address": null, "customer_name": null,
        "customer_purchase_ip": null, "customer_signature": null,
        "duplicate_charge_documentation": null, "duplicate_charge_explanation": null,
        "duplicate_charge_id": null, "enhanced_evidence": {}, "product_description": null,
        "receipt": null, "refund_policy": null, "refund_policy_disclosure": null,
        "refund_refusal_explanation": null, "service_date": null, "service_documentation": null,
        "shipping_address": null, "shipping_carrier": null, "shipping_date": null,
        "shipping_documentation": null, "shipping_tracking_number": null,
        "uncategorized_file": null, "uncategorized_text": null,
    });
    if let (Some(fields), Some(given)) = (evidence.as_object_mut(), given.as_object()) {
        for (key, value) in given {
            if fields.contains_key(key) {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    evidence
}

/// `POST /v1/disputes/{id}` with `evidence[...]`: the test-mode outcomes above.
pub async fn update(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut dispute = tx.store.find("dispute", "dispute", &id)?;
        let status = dispute["status"].as_str().unwrap_or_default();
        if !OPEN.contains(&status) {
            return Err(StripeError::invalid_request(
                format!("This dispute is already closed ({status}); evidence can no longer be submitted."),
                None,
            ));
        }
        let Some(given) = params.get("evidence") else {
            return Ok(Json(dispute));
        };
        dispute["evidence"] = evidence(given);
        dispute["evidence_details"]["has_evidence"] = json!(true);
        let submitted = dispute["evidence_details"]["submission_count"]
            .as_i64()
            .unwrap_or_default();
        dispute["evidence_details"]["submission_count"] = json!(submitted + 1);
        let (status, event) = match given["uncategorized_text"].as_str() {
            Some("winning_evidence") => ("won", "charge.dispute.closed"),
            Some("losing_evidence") => ("lost", "charge.dispute.closed"),
            _ => ("under_review", "charge.dispute.updated"),
        };
        dispute["status"] = json!(status);
        let dispute = tx.store.insert(dispute);
        tx.emit(event, &dispute);
        Ok(Json(dispute))
    })
}
