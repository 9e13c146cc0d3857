//! Credit notes (`/v1/credit_notes`): a document that reduces a finalized invoice, by an
//! `amount` or `lines`, numbered after its invoice (`{invoice number}-CN-01`), with a PDF.
//!
//! On a paid invoice the credited amount must be accounted for, as Stripe requires: refunds
//! already made and linked (`refunds[][refund]`, `refunds[][amount_refunded]`), an amount put
//! on the customer's balance (`credit_amount`) or returned outside Stripe
//! (`out_of_band_amount`). The emulator does not make new refunds from a credit note
//! (`refund_amount`): refund first, then link it.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now};
use super::{ApiResult, Call};

const REASONS: &[&str] = &[
    "duplicate",
    "fraudulent",
    "order_change",
    "product_unsatisfactory",
];

pub async fn create(Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let invoice_id = params.required_str("invoice")?.to_owned();
    let reason = params.one_of("reason", REASONS)?;
    if params.non_empty_str("refund_amount").is_some() {
        return Err(StripeError::invalid_request(
            "The emulator does not refund through credit notes: create the refund, then link it with refunds[][refund].",
            Some("refund_amount"),
        ));
    }
    let amount = params
        .int("amount")?
        .ok_or_else(|| StripeError::missing_param("amount"))?;
    if amount <= 0 {
        return Err(StripeError::invalid_request(
            "The credit note amount must be greater than zero.",
            Some("amount"),
        ));
    }
    let credit_amount = params.int("credit_amount")?.unwrap_or(0);
    let out_of_band_amount = params.int("out_of_band_amount")?.unwrap_or(0);
    let links = refund_links(&params)?;
    emulator.transact(&ctx, |tx| {
        let mut invoice = tx.store.find("invoice", "invoice", &invoice_id)?;
        let status = invoice["status"].as_str().unwrap_or_default().to_owned();
        if status != "open" && status != "paid" {
            return Err(StripeError::invalid_request(
                format!("Credit notes can only be issued for open or paid invoices; this one is {status}."),
                Some("invoice"),
            ));
        }
        let issued: Vec<Value> =
            tx.store.naming("credit_note", &invoice_id, |c| c["invoice"] == invoice_id.as_str() && c["status"] == "issued");
        let credited: i64 = issued.iter().filter_map(|c| c["amount"].as_i64()).sum();
        let total = invoice["total"].as_i64().unwrap_or_default();
        if amount > total - credited {
            return Err(StripeError::invalid_request(
                format!(
                    "The credit note amount ({amount}) is more than the invoice's remaining creditable amount ({}).",
                    total - credited
                ),
                Some("amount"),
            ));
        }
        let mut refunds = Vec::new();
        for (refund_id, given) in &links {
            let refund = tx.store.find("refund", "refund", refund_id)?;
            if !pays_invoice(tx.store, &invoice, &refund) {
                return Err(StripeError::invalid_request(
                    format!("The refund {refund_id} is not a refund of this invoice's payment."),
                    Some("refunds"),
                ));
            }
            // A payment belongs to one invoice, so a refund of it can only be linked here.
            let linked_before = issued.iter().find(|c| {
                c["refunds"].as_array().into_iter().flatten().any(|r| r["refund"] == refund_id.as_str())
            });
            if let Some(other) = linked_before {
                return Err(StripeError::invalid_request(
                    format!("The refund {refund_id} is already linked to credit note {}.", other["id"].as_str().unwrap_or_default()),
                    Some("refunds"),
                ));
            }
            let refunded = given.unwrap_or_else(|| refund["amount"].as_i64().unwrap_or_default());
            refunds.push(json!({ "amount_refunded": refunded, "refund": refund_id, "payment_record_refund": null, "type": "refund" }));
        }
        let linked: i64 = refunds.iter().filter_map(|r| r["amount_refunded"].as_i64()).sum();
        let post_payment = status == "paid";
        if post_payment && linked + credit_amount + out_of_band_amount != amount {
            return Err(StripeError::invalid_request(
                format!(
                    "The sum of refunds ({linked}), credit_amount ({credit_amount}) and out_of_band_amount ({out_of_band_amount}) must equal the credit note amount ({amount})."
                ),
                None,
            ));
        }
        let id = new_id("cn");
        let number = format!("{}-CN-{:02}", invoice["number"].as_str().unwrap_or("INV"), issued.len() + 1);
        let created = now();
        let memo = params.non_empty_str("memo");
        let note = tx.store.insert(json!({
            "id": id,
            "object": "credit_note",
            "amount": amount,
            "amount_shipping": 0,
            "created": created,
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "customer_account": null,
            "customer_balance_transaction": if credit_amount > 0 { json!(new_id("cbtxn")) } else { Value::Null },
            "discount_amount": 0,
            "discount_amounts": [],
            "effective_at": created,
            "invoice": invoice_id,
            "lines": {
                "object": "list",
                "data": [{
                    "id": new_id("cnli"),
                    "object": "credit_note_line_item",
                    "amount": amount,
                    "description": memo.unwrap_or("Credit"),
                    "discount_amount": 0,
                    "discount_amounts": [],
                    "livemode": false,
                    "metadata": {},
                    "pretax_credit_amounts": [],
                    "quantity": 1,
                    "tax_rates": [],
                    "taxes": [],
                    "type": "custom_line_item",
                    "unit_amount": amount,
                    "unit_amount_decimal": amount.to_string(),
                }],
                "has_more": false,
                "url": format!("/v1/credit_notes/{id}/lines"),
            },
            "livemode": false,
            "memo": memo,
            "metadata": params.merge_metadata(&json!({}))?,
            "number": number,
            "out_of_band_amount": (out_of_band_amount > 0).then_some(out_of_band_amount),
            "pdf": format!("{}/credit_notes/{id}/pdf", tx.public_base),
            "post_payment_amount": if post_payment { amount } else { 0 },
            "pre_payment_amount": if post_payment { 0 } else { amount },
            "pretax_credit_amounts": [],
            "reason": reason,
            "refunds": refunds,
            "shipping_cost": null,
            "status": "issued",
            "subtotal": amount,
            "subtotal_excluding_tax": amount,
            "total": amount,
            "total_excluding_tax": amount,
            "total_taxes": [],
            "type": if post_payment { "post_payment" } else { "pre_payment" },
            "voided_at": null,
        }));
        tx.emit("credit_note.created", &note);
        if post_payment {
            let before = invoice["post_payment_credit_notes_amount"].as_i64().unwrap_or_default();
            invoice["post_payment_credit_notes_amount"] = json!(before + amount);
        } else {
            // Before payment the credit lowers what is still due.
            let before = invoice["pre_payment_credit_notes_amount"].as_i64().unwrap_or_default();
            invoice["pre_payment_credit_notes_amount"] = json!(before + amount);
            let remaining = invoice["amount_remaining"].as_i64().unwrap_or_default();
            invoice["amount_remaining"] = json!((remaining - amount).max(0));
        }
        let invoice = tx.store.insert(invoice);
        tx.emit("invoice.updated", &invoice);
        Ok(Json(note))
    })
}

/// `refunds[N][refund]` and optional `refunds[N][amount_refunded]`, in order.
fn refund_links(params: &Params) -> Result<Vec<(String, Option<i64>)>, StripeError> {
    let Some(given) = params.get("refunds") else {
        return Ok(Vec::new());
    };
    let invalid = |message: &str| StripeError::invalid_request(message, Some("refunds"));
    let items = given.as_array().ok_or_else(|| invalid("Invalid array"))?;
    items
        .iter()
        .map(|item| {
            let refund = item["refund"]
                .as_str()
                .filter(|r| !r.is_empty())
                .ok_or_else(|| invalid("Each of refunds needs a refund id."))?;
            let amount = match item["amount_refunded"].as_str() {
                None => None,
                Some(raw) => Some(
                    raw.parse::<i64>()
                        .map_err(|_| invalid("Invalid integer in refunds[][amount_refunded]"))?,
                ),
            };
            Ok((refund.to_owned(), amount))
        })
        .collect()
}

/// Whether the refund gives back (part of) a payment credited to the invoice.
fn pays_invoice(store: &super::store::Store, invoice: &Value, refund: &Value) -> bool {
    invoice["payments"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|payment| {
            let intent = &payment["payment"]["payment_intent"];
            payment["status"] == "paid"
                && !intent.is_null()
                && (refund["payment_intent"] == *intent
                    || charge_of(store, intent) == refund["charge"])
        })
}

fn charge_of(store: &super::store::Store, intent: &Value) -> Value {
    intent
        .as_str()
        .and_then(|id| store.get(id))
        .map_or(Value::Null, |i| i["latest_charge"].clone())
}

/// Filtered by `invoice` and `customer` when given.
pub async fn list(Call(emulator, ctx, params): Call) -> ApiResult {
    let invoice = params.non_empty_str("invoice").map(str::to_owned);
    let of_customer = super::customer_filter(&params);
    emulator.list(&ctx, &params, "credit_note", "/v1/credit_notes", |note| {
        of_customer(note) && invoice.as_deref().is_none_or(|i| note["invoice"] == i)
    })
}

/// Every issued credit note of an invoice, oldest first: what its hosted page lists.
pub fn of_invoice(store: &super::store::Store, invoice_id: &str) -> Vec<Value> {
    let mut notes = store.naming("credit_note", invoice_id, |c| c["invoice"] == invoice_id);
    notes.reverse();
    notes
}

pub async fn retrieve(Path(id): Path<String>, Call(emulator, ctx, _): Call) -> ApiResult {
    ctx.require_secret_key()?;
    Ok(Json(emulator.lock_store().find(
        "credit_note",
        "credit_note",
        &id,
    )?))
}
