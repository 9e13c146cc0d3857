//! Invoice items and invoices: create, finalize, pay (by card or `paid_out_of_band`), attach a
//! PaymentIntent's payment (`attach_payment`), void, list by customer, with
//! `hosted_invoice_url` and `invoice_pdf` served by the emulator.
//!
//! As in API versions since 2022, a new invoice takes pending invoice items only with
//! `pending_invoice_items_behavior=include`; items can also be created with `invoice=in_...`.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::cards::AUTHENTICATION_REQUIRED;
use super::errors::StripeError;
use super::form::Params;
use super::ids::{new_id, now};
use super::{ApiResult, Call, Tx, charges, customer_filter, outbox, payment_methods, tax_ids};

pub async fn create_item(Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let customer_id = params.required_str("customer")?;
    let currency = params
        .non_empty_str("currency")
        .unwrap_or("usd")
        .to_ascii_lowercase();
    let quantity = params.int("quantity")?.unwrap_or(1);
    let unit_amount = match params.int("unit_amount")? {
        Some(unit) => Some(unit),
        None => whole_cents(&params, "unit_amount_decimal")?,
    };
    let amount = match (params.int("amount")?, unit_amount) {
        (Some(amount), _) => amount,
        (None, Some(unit)) => unit * quantity,
        (None, None) => return Err(StripeError::missing_param("amount")),
    };
    emulator.transact(&ctx, |tx| {
        tx.store.find("customer", "customer", customer_id)?;
        let invoice = match params.non_empty_str("invoice") {
            Some(invoice_id) => {
                let invoice = tx.store.find("invoice", "invoice", invoice_id)?;
                require_draft(&invoice)?;
                Some(invoice)
            }
            None => None,
        };
        let now = now();
        let item = tx.store.insert(json!({
            "id": new_id("ii"),
            "object": "invoiceitem",
            "amount": amount,
            "currency": currency,
            "customer": customer_id,
            "customer_account": null,
            "date": now,
            "description": params.non_empty_str("description"),
            "discountable": true,
            "discounts": [],
            "invoice": invoice.as_ref().map(|i| i["id"].clone()),
            "livemode": false,
            "metadata": params.merge_metadata(&json!({}))?,
            "net_amount": amount,
            "parent": null,
            "period": { "end": now, "start": now },
            "pricing": { "price_details": null, "type": "price_details", "unit_amount_decimal": (amount / quantity.max(1)).to_string() },
            "proration": false,
            "quantity": quantity,
            "quantity_decimal": quantity.to_string(),
            "tax_rates": [],
            "test_clock": null,
        }));
        tx.emit("invoiceitem.created", &item);
        if let Some(invoice) = invoice {
            let lines = lines_with(&invoice, std::slice::from_ref(&item));
            tx.store.insert(with_lines(invoice, lines));
        }
        Ok(Json(item))
    })
}

/// A decimal amount of cents (`"2000"`, `"2000.00"`); fractions of a cent are beyond what
/// the emulator models.
fn whole_cents(params: &Params, key: &str) -> Result<Option<i64>, StripeError> {
    let Some(raw) = params.non_empty_str(key) else {
        return Ok(None);
    };
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    match whole.parse::<i64>() {
        Ok(cents) if fraction.bytes().all(|b| b == b'0') => Ok(Some(cents)),
        _ => Err(StripeError::invalid_request(
            format!("The emulator takes whole cents in {key}, not {raw:?}."),
            Some(key),
        )),
    }
}

pub async fn list_items(Call(emulator, ctx, params): Call) -> ApiResult {
    emulator.list(
        &ctx,
        &params,
        "invoiceitem",
        "/v1/invoiceitems",
        customer_filter(&params),
    )
}

fn line_item(item: &Value, invoice_id: &str) -> Value {
    json!({
        "id": new_id("il"),
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": true,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": false,
        "metadata": item["metadata"],
        "parent": {
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": false,
                "proration_details": { "credited_items": null },
                "subscription": null,
            },
            "subscription_item_details": null,
            "type": "invoice_item_details",
        },
        "period": item["period"],
        "pretax_credit_amounts": [],
        "pricing": item["pricing"],
        "quantity": item["quantity"],
        "quantity_decimal": item["quantity_decimal"],
        "subscription": null,
        "subtotal": item["amount"],
        "taxes": [],
    })
}

/// The invoice's lines plus lines for `items`.
fn lines_with(invoice: &Value, items: &[Value]) -> Vec<Value> {
    let id = invoice["id"].as_str().unwrap_or_default();
    let mut lines = invoice["lines"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    lines.extend(items.iter().map(|item| line_item(item, id)));
    lines
}

/// Sets the lines and the totals that follow from them (no tax, discounts or credit).
fn with_lines(mut invoice: Value, lines: Vec<Value>) -> Value {
    let total: i64 = lines.iter().filter_map(|l| l["amount"].as_i64()).sum();
    let id = invoice["id"].as_str().unwrap_or_default().to_owned();
    invoice["lines"] = json!({ "object": "list", "data": lines, "has_more": false, "url": format!("/v1/invoices/{id}/lines") });
    for field in [
        "subtotal",
        "subtotal_excluding_tax",
        "total",
        "total_excluding_tax",
        "amount_due",
        "amount_remaining",
    ] {
        invoice[field] = json!(total);
    }
    invoice
}

/// `custom_fields[N][name]` and `[value]`, as Stripe checks them: at most four, a name of up
/// to 40 characters and a value of up to 140. `null` when there are none, as Stripe shows it.
fn custom_fields(params: &Params) -> Result<Value, StripeError> {
    let Some(fields) = params.get("custom_fields") else {
        return Ok(Value::Null);
    };
    let invalid = |message: &str| StripeError::invalid_request(message, Some("custom_fields"));
    let fields = fields.as_array().ok_or_else(|| invalid("Invalid array"))?;
    if fields.len() > 4 {
        return Err(invalid("You can have at most 4 custom fields."));
    }
    let mut shown = Vec::new();
    for field in fields {
        let (Some(name), Some(value)) = (field["name"].as_str(), field["value"].as_str()) else {
            return Err(invalid("Each custom field needs a name and a value."));
        };
        if name.chars().count() > 40 || value.chars().count() > 140 {
            return Err(invalid(
                "A custom field's name may be up to 40 characters and its value up to 140.",
            ));
        }
        shown.push(json!({ "name": name, "value": value }));
    }
    Ok(if shown.is_empty() {
        Value::Null
    } else {
        Value::Array(shown)
    })
}

pub async fn create(Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let customer_id = params.required_str("customer")?;
    let collection_method = params
        .one_of(
            "collection_method",
            &["charge_automatically", "send_invoice"],
        )?
        .unwrap_or("charge_automatically");
    let days_until_due = params.int("days_until_due")?;
    if collection_method == "send_invoice" && days_until_due.is_none() {
        return Err(StripeError::invalid_request(
            "Invoices with collection_method=send_invoice need either a due_date or days_until_due.",
            Some("days_until_due"),
        ));
    }
    let include_pending = params
        .one_of("pending_invoice_items_behavior", &["include", "exclude"])?
        == Some("include");
    let custom_fields = custom_fields(&params)?;
    emulator.transact(&ctx, |tx| {
        let customer = tx.store.find("customer", "customer", customer_id)?;
        let id = new_id("in");
        let now = now();
        let invoice = json!({
            "id": id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "Octavia Billing (emulated Stripe account)",
            "account_tax_ids": null,
            "amount_due": 0,
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": 0,
            "amount_shipping": 0,
            "application": null,
            "attempt_count": 0,
            "attempted": false,
            "auto_advance": params.bool("auto_advance")?.unwrap_or(false),
            "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null, "provider": null, "status": null },
            "automatically_finalizes_at": null,
            "billing_reason": "manual",
            "collection_method": collection_method,
            "created": now,
            "currency": params.non_empty_str("currency").unwrap_or("usd").to_ascii_lowercase(),
            "custom_fields": custom_fields,
            "customer": customer_id,
            "customer_account": null,
            "customer_address": customer["address"],
            "customer_email": customer["email"],
            "customer_name": customer["name"],
            "customer_phone": customer["phone"],
            "customer_shipping": customer["shipping"],
            "customer_tax_exempt": customer["tax_exempt"],
            "customer_tax_ids": tax_ids::on_invoice(tx.store, customer_id),
            "default_payment_method": params.non_empty_str("default_payment_method"),
            "default_source": null,
            "default_tax_rates": [],
            "description": params.non_empty_str("description"),
            "discounts": [],
            "due_date": days_until_due.map(|days| now + days * 86_400),
            "effective_at": null,
            "ending_balance": null,
            "footer": customer["invoice_settings"]["footer"],
            "from_invoice": null,
            "hosted_invoice_url": null,
            "invoice_pdf": null,
            "issuer": { "type": "self" },
            "last_finalization_error": null,
            "latest_revision": null,
            "lines": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
            "livemode": false,
            "metadata": params.merge_metadata(&json!({}))?,
            "next_payment_attempt": null,
            "number": null,
            "on_behalf_of": null,
            "parent": null,
            "payment_settings": { "default_mandate": null, "payment_method_options": null, "payment_method_types": null },
            // Stripe returns it when expanded; the emulator always does.
            "payments": { "object": "list", "data": [], "has_more": false, "url": "/v1/invoice_payments" },
            "period_end": now,
            "period_start": now,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": null,
            "rendering": null,
            "shipping_cost": null,
            "shipping_details": null,
            "starting_balance": 0,
            "statement_descriptor": null,
            "status": "draft",
            "status_transitions": { "finalized_at": null, "marked_uncollectible_at": null, "paid_at": null, "voided_at": null },
            "subscription": null,
            "subtotal": 0,
            "subtotal_excluding_tax": 0,
            "test_clock": null,
            "total": 0,
            "total_discount_amounts": [],
            "total_excluding_tax": 0,
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "webhooks_delivered_at": null,
        });
        let pending: Vec<Value> = if include_pending {
            tx.store.naming("invoiceitem", customer_id, |i| {
                i["customer"] == customer_id && i["invoice"].is_null()
            })
        } else {
            Vec::new()
        };
        for item in &pending {
            let mut item = item.clone();
            item["invoice"] = json!(id);
            tx.store.insert(item);
        }
        let lines = lines_with(&invoice, &pending);
        let invoice = tx.store.insert(with_lines(invoice, lines));
        tx.emit("invoice.created", &invoice);
        Ok(Json(invoice))
    })
}

/// Filtered by `customer` and `status` when given.
pub async fn list(Call(emulator, ctx, params): Call) -> ApiResult {
    let of_customer = customer_filter(&params);
    let status = params.non_empty_str("status").map(str::to_owned);
    emulator.list(&ctx, &params, "invoice", "/v1/invoices", |invoice| {
        of_customer(invoice) && status.as_deref().is_none_or(|s| invoice["status"] == s)
    })
}

fn require_draft(invoice: &Value) -> Result<(), StripeError> {
    require_status(
        invoice,
        "draft",
        "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
    )
}

fn require_status(invoice: &Value, status: &str, message: &str) -> Result<(), StripeError> {
    if invoice["status"] == status {
        Ok(())
    } else {
        Err(StripeError::unexpected_state(
            "invoice_not_editable",
            message,
        ))
    }
}

pub async fn finalize(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let invoice = tx.store.find("invoice", "invoice", &id)?;
        let invoice = finalize_invoice(tx, invoice)?;
        Ok(Json(tx.store.expand(invoice, &params.expand())))
    })
}

/// Draft → open, numbered `{customer's invoice_prefix}-{sequence}`, with its hosted page and
/// PDF; an invoice with nothing to pay is paid at once, as on Stripe.
fn finalize_invoice(tx: &mut Tx, mut invoice: Value) -> Result<Value, StripeError> {
    require_draft(&invoice)?;
    let mut customer = tx.store.find(
        "customer",
        "customer",
        invoice["customer"].as_str().unwrap_or_default(),
    )?;
    let sequence = customer["next_invoice_sequence"].as_i64().unwrap_or(1);
    customer["next_invoice_sequence"] = json!(sequence + 1);
    tx.store.insert(customer.clone());
    let id = invoice["id"].as_str().unwrap_or_default().to_owned();
    let now = now();
    invoice["number"] = json!(format!(
        "{}-{sequence:04}",
        customer["invoice_prefix"].as_str().unwrap_or("INV")
    ));
    invoice["status"] = json!("open");
    invoice["effective_at"] = json!(now);
    invoice["status_transitions"]["finalized_at"] = json!(now);
    invoice["hosted_invoice_url"] = json!(format!("{}/invoices/{id}", tx.public_base));
    invoice["invoice_pdf"] = json!(format!("{}/invoices/{id}/pdf", tx.public_base));
    let invoice = tx.store.insert(invoice);
    tx.emit("invoice.finalized", &invoice);
    if invoice["amount_due"] == 0 {
        return Ok(mark_paid(tx, invoice, 0));
    }
    Ok(invoice)
}

fn mark_paid(tx: &mut Tx, mut invoice: Value, amount_paid: i64) -> Value {
    invoice["status"] = json!("paid");
    invoice["amount_paid"] = json!(amount_paid);
    invoice["amount_remaining"] = json!(0);
    invoice["status_transitions"]["paid_at"] = json!(now());
    let invoice = tx.store.insert(invoice);
    tx.emit("invoice.paid", &invoice);
    invoice
}

/// `paid_out_of_band=true` records a payment made elsewhere; otherwise the customer's card
/// (`payment_method`, else the invoice's or customer's default) is charged off-session.
pub async fn pay(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    let out_of_band = params.bool("paid_out_of_band")?.unwrap_or(false);
    emulator.transact(&ctx, |tx| {
        let mut invoice = tx.store.find("invoice", "invoice", &id)?;
        if invoice["status"] == "draft" {
            invoice = finalize_invoice(tx, invoice)?;
        }
        require_status(&invoice, "open", "Invoice is already paid or void; only open invoices can be paid.")?;
        let amount_due = invoice["amount_due"].as_i64().unwrap_or_default();
        if out_of_band {
            return Ok(Json(mark_paid(tx, invoice, amount_due)));
        }
        let pm = card_for(tx, &invoice, &params)?;
        invoice["attempted"] = json!(true);
        invoice["attempt_count"] = json!(invoice["attempt_count"].as_i64().unwrap_or_default() + 1);
        let charge_request = json!({
            "id": null,
            "amount": amount_due,
            "currency": invoice["currency"],
            "customer": invoice["customer"],
            "description": format!("Payment for Invoice {}", invoice["number"].as_str().unwrap_or_default()),
            "metadata": {},
            "receipt_email": null,
        });
        // Off-session, a card that needs 3-D Secure is declined without a charge, as on Stripe.
        let decline = if payment_methods::behaviour(&pm).needs_authentication() {
            Some(AUTHENTICATION_REQUIRED)
        } else {
            charges::charge(tx, &charge_request, &pm).1
        };
        if let Some(decline) = decline {
            let invoice = tx.store.insert(invoice);
            tx.emit("invoice.payment_failed", &invoice);
            return Err(payment_methods::card_error(decline));
        }
        let invoice = mark_paid(tx, invoice, amount_due);
        tx.emit("invoice.payment_succeeded", &invoice);
        Ok(Json(invoice))
    })
}

/// `POST /v1/invoices/{id}/attach_payment` `payment_intent=pi_...`: the intent's payment
/// counts towards the open invoice, at once if it has succeeded, else when it succeeds. The
/// intent must be the invoice's customer's, in its currency, for no more than is still due.
pub async fn attach_payment(
    Path(id): Path<String>,
    Call(emulator, ctx, params): Call,
) -> ApiResult {
    ctx.require_secret_key()?;
    if params.non_empty_str("payment_record").is_some() {
        return Err(StripeError::invalid_request(
            "The emulator attaches PaymentIntents only, not payment records.",
            Some("payment_record"),
        ));
    }
    let intent_id = params.required_str("payment_intent")?;
    emulator.transact(&ctx, |tx| {
        let invoice = tx.store.find("invoice", "invoice", &id)?;
        require_status(
            &invoice,
            "open",
            "Payments can only be attached to open invoices; finalize the invoice first.",
        )?;
        let intent = tx
            .store
            .find("payment_intent", "payment_intent", intent_id)?;
        if intent["customer"] != invoice["customer"] || intent["currency"] != invoice["currency"] {
            return Err(StripeError::invalid_request(
                "The PaymentIntent must have the same customer and currency as the invoice.",
                Some("payment_intent"),
            ));
        }
        if !tx
            .store
            .naming("invoice_payment", intent_id, |p| {
                p["payment"]["payment_intent"] == intent_id
            })
            .is_empty()
        {
            return Err(StripeError::invalid_request(
                format!("The PaymentIntent {intent_id} is already attached to an invoice."),
                Some("payment_intent"),
            ));
        }
        let amount = intent["amount"].as_i64().unwrap_or_default();
        if amount > invoice["amount_remaining"].as_i64().unwrap_or_default() {
            return Err(StripeError::invalid_request(
                "The PaymentIntent's amount is more than the invoice's amount remaining.",
                Some("payment_intent"),
            ));
        }
        let payment = tx.store.insert(json!({
            "id": new_id("inpay"),
            "object": "invoice_payment",
            "amount_paid": null,
            "amount_requested": amount,
            "created": now(),
            "currency": invoice["currency"],
            "invoice": id,
            "is_default": false,
            "livemode": false,
            "payment": { "type": "payment_intent", "payment_intent": intent_id },
            "status": "open",
            "status_transitions": { "canceled_at": null, "paid_at": null },
        }));
        let mut invoice = invoice;
        if let Some(list) = invoice["payments"]["data"].as_array_mut() {
            list.insert(0, payment.clone());
        }
        // Stripe has no event for an attached payment; `invoice_payment.paid` follows below.
        let mut invoice = tx.store.insert(invoice);
        if intent["status"] == "succeeded" {
            invoice = credit(tx, payment)?;
        }
        Ok(Json(tx.store.expand(invoice, &params.expand())))
    })
}

/// A succeeded intent's attached invoice payment, if any, is credited to its invoice.
pub fn credit_attached(tx: &mut Tx, intent: &Value) -> Result<(), StripeError> {
    let intent_id = intent["id"].clone();
    let Some(intent) = intent["id"].as_str() else {
        return Ok(());
    };
    let attached = tx.store.naming("invoice_payment", intent, |p| {
        p["payment"]["payment_intent"] == intent_id && p["status"] == "open"
    });
    for payment in attached {
        credit(tx, payment)?;
    }
    Ok(())
}

/// The payment counts: it is `paid`, and the invoice's `amount_paid` grows by it; when
/// nothing remains due, the invoice is paid.
fn credit(tx: &mut Tx, mut payment: Value) -> Result<Value, StripeError> {
    let now = now();
    let amount = payment["amount_requested"].as_i64().unwrap_or_default();
    payment["status"] = json!("paid");
    payment["amount_paid"] = json!(amount);
    payment["status_transitions"]["paid_at"] = json!(now);
    let payment = tx.store.insert(payment);
    tx.emit("invoice_payment.paid", &payment);
    let mut invoice = tx.store.find(
        "invoice",
        "invoice",
        payment["invoice"].as_str().unwrap_or_default(),
    )?;
    if let Some(list) = invoice["payments"]["data"].as_array_mut() {
        for item in list.iter_mut().filter(|p| p["id"] == payment["id"]) {
            *item = payment.clone();
        }
    }
    let paid = invoice["amount_paid"].as_i64().unwrap_or_default() + amount;
    let remaining = invoice["amount_remaining"].as_i64().unwrap_or_default() - amount;
    invoice["amount_remaining"] = json!(remaining);
    if remaining > 0 {
        invoice["amount_paid"] = json!(paid);
        let invoice = tx.store.insert(invoice);
        tx.emit("invoice.updated", &invoice);
        return Ok(invoice);
    }
    let invoice = mark_paid(tx, invoice, paid);
    tx.emit("invoice.payment_succeeded", &invoice);
    Ok(invoice)
}

fn card_for(tx: &mut Tx, invoice: &Value, params: &Params) -> Result<Value, StripeError> {
    let customer = tx.store.find(
        "customer",
        "customer",
        invoice["customer"].as_str().unwrap_or_default(),
    )?;
    let chosen = params
        .non_empty_str("payment_method")
        .or(invoice["default_payment_method"].as_str())
        .or(customer["invoice_settings"]["default_payment_method"].as_str())
        .map(str::to_owned);
    match chosen {
        Some(pm) => payment_methods::resolve(tx, &pm),
        None => Err(StripeError::invalid_request(
            "This customer has no attached payment source or default payment method. Please \
             consider adding a default payment method.",
            None,
        )),
    }
}

pub async fn void(Path(id): Path<String>, Call(emulator, ctx, _): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut invoice = tx.store.find("invoice", "invoice", &id)?;
        require_status(
            &invoice,
            "open",
            "You can only pass in open invoices. This invoice isn't open.",
        )?;
        invoice["status"] = json!("void");
        invoice["status_transitions"]["voided_at"] = json!(now());
        let invoice = tx.store.insert(invoice);
        tx.emit("invoice.voided", &invoice);
        Ok(Json(invoice))
    })
}

/// `POST /v1/invoices/{id}/send`: Stripe emails a finalized invoice (a receipt once paid) to
/// the customer's email address; the emulator keeps the email in its outbox instead.
pub async fn send(Path(id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let invoice = tx.store.find("invoice", "invoice", &id)?;
        match invoice["status"].as_str() {
            Some("draft") => {
                return Err(StripeError::invalid_request(
                    "You can only send an invoice that has been finalized.",
                    None,
                ));
            }
            Some("void") => {
                return Err(StripeError::invalid_request(
                    "You can't send an invoice that has been voided.",
                    None,
                ));
            }
            _ => {}
        }
        let Some(to) = invoice["customer_email"].as_str().map(str::to_owned) else {
            return Err(StripeError::invalid_request(
                "This invoice's customer has no email address to send it to.",
                None,
            ));
        };
        let number = invoice["number"].as_str().unwrap_or_default();
        let account = invoice["account_name"].as_str().unwrap_or("Stripe");
        let subject = if invoice["status"] == "paid" {
            format!("Your receipt from {account} #{number}")
        } else {
            format!("New invoice from {account} #{number}")
        };
        outbox::keep(tx.store, &to, subject, &id);
        Ok(Json(tx.store.expand(invoice, &params.expand())))
    })
}
