//! A customer's tax IDs (`/v1/customers/{id}/tax_ids`): add, list, retrieve, delete. Stripe
//! prints them on every invoice it renders afterwards and checks some types with the tax
//! authority; here the check is immediate: a value containing `111111111` is `unverified`,
//! any other value of a checked type `verified` (`pending` in between, as the events show).

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::errors::StripeError;
use super::ids::{new_id, now};
use super::{ApiResult, Call, Tx};

/// Types Stripe verifies with a tax authority (the EU's VIES, HMRC, the ABR); other types'
/// verification is `unavailable`.
const VERIFIED_TYPES: &[&str] = &["eu_vat", "gb_vat", "au_abn"];

/// The types the emulator accepts (a subset of Stripe's ~100), with the country each implies.
const TYPES: &[(&str, Option<&str>)] = &[
    ("eu_vat", None),
    ("gb_vat", Some("GB")),
    ("us_ein", Some("US")),
    ("ca_bn", Some("CA")),
    ("ca_gst_hst", Some("CA")),
    ("au_abn", Some("AU")),
    ("nz_gst", Some("NZ")),
    ("ch_vat", Some("CH")),
    ("no_vat", Some("NO")),
    ("in_gst", Some("IN")),
    ("sg_gst", Some("SG")),
    ("jp_cn", Some("JP")),
];

/// Test value that the tax authority does not know.
const UNVERIFIABLE: &str = "111111111";

pub async fn create(
    Path(customer_id): Path<String>,
    Call(emulator, ctx, params): Call,
) -> ApiResult {
    ctx.require_secret_key()?;
    let kind = params.required_str("type")?;
    let value = params.required_str("value")?;
    let Some((kind, country)) = TYPES.iter().find(|(t, _)| *t == kind).copied() else {
        return Err(StripeError::invalid_request(
            format!("Invalid value for type: {kind} is not a tax ID type the emulator knows."),
            Some("type"),
        ));
    };
    // eu_vat values start with their member state's code (EL is Greece in VAT numbers).
    let country = country
        .map(str::to_owned)
        .unwrap_or_else(|| match value.get(..2) {
            Some("EL") => "GR".to_owned(),
            Some(prefix) => prefix.to_ascii_uppercase(),
            None => String::new(),
        });
    emulator.transact(&ctx, |tx| {
        tx.store.find("customer", "customer", &customer_id)?;
        let checked = VERIFIED_TYPES.contains(&kind);
        let tax_id = tx.store.insert(json!({
            "id": new_id("txi"),
            "object": "tax_id",
            "country": country,
            "created": now(),
            "customer": customer_id,
            "customer_account": null,
            "livemode": false,
            "owner": { "customer": customer_id, "type": "customer", "customer_account": null },
            "type": kind,
            "value": value,
            "verification": {
                "status": if checked { "pending" } else { "unavailable" },
                "verified_address": null,
                "verified_name": null,
            },
        }));
        tx.emit("customer.tax_id.created", &tax_id);
        if !checked {
            return Ok(Json(tax_id));
        }
        Ok(Json(verify(tx, tax_id)))
    })
}

/// The tax authority's answer, at once.
fn verify(tx: &mut Tx, mut tax_id: Value) -> Value {
    let known = !tax_id["value"]
        .as_str()
        .unwrap_or_default()
        .contains(UNVERIFIABLE);
    tax_id["verification"]["status"] = json!(if known { "verified" } else { "unverified" });
    let tax_id = tx.store.insert(tax_id);
    tx.emit("customer.tax_id.updated", &tax_id);
    tax_id
}

pub async fn list(Path(customer_id): Path<String>, Call(emulator, ctx, params): Call) -> ApiResult {
    ctx.require_secret_key()?;
    emulator
        .lock_store()
        .find("customer", "customer", &customer_id)?;
    let url = format!("/v1/customers/{customer_id}/tax_ids");
    emulator.list(&ctx, &params, "tax_id", &url, |t| {
        t["customer"] == customer_id.as_str() && t["deleted"].is_null()
    })
}

pub async fn retrieve(
    Path((customer_id, id)): Path<(String, String)>,
    Call(emulator, ctx, _): Call,
) -> ApiResult {
    ctx.require_secret_key()?;
    Ok(Json(find(&emulator.lock_store(), &customer_id, &id)?))
}

pub async fn delete(
    Path((customer_id, id)): Path<(String, String)>,
    Call(emulator, ctx, _): Call,
) -> ApiResult {
    ctx.require_secret_key()?;
    emulator.transact(&ctx, |tx| {
        let mut tax_id = find(tx.store, &customer_id, &id)?;
        tax_id["deleted"] = json!(true);
        let tax_id = tx.store.insert(tax_id);
        tx.emit("customer.tax_id.deleted", &tax_id);
        Ok(Json(
            json!({ "id": id, "object": "tax_id", "deleted": true }),
        ))
    })
}

/// The customer's tax IDs as an invoice copies them when it is made (`customer_tax_ids`).
pub fn on_invoice(store: &super::store::Store, customer_id: &str) -> Value {
    // Among the few tax IDs, not among everything that names the customer (every payment,
    // charge and invoice of theirs): invoice creation stays as fast at the 10,000th invoice.
    let ids: Vec<Value> = store
        .all("tax_id", |t| {
            t["customer"] == customer_id && t["deleted"].is_null()
        })
        .into_iter()
        .rev()
        .map(|t| json!({ "type": t["type"], "value": t["value"] }))
        .collect();
    Value::Array(ids)
}

fn find(store: &super::store::Store, customer_id: &str, id: &str) -> Result<Value, StripeError> {
    let tax_id = store.find("tax_id", "tax_id", id)?;
    if tax_id["customer"] != customer_id || !tax_id["deleted"].is_null() {
        return Err(StripeError::no_such("tax_id", id));
    }
    Ok(tax_id)
}
