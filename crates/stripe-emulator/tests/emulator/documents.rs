//! What an institution's accounts-payable office reads: tax IDs printed on invoices, and credit
//! notes for refunds of paid invoices.

use reqwest::Method;
use serde_json::Value;

use crate::support::{TestEmulator, customer, get, intent_form, page_text, spawn_emulator};
use stripe_emulator::test_client::{stripe_error, stripe_ok};

/// The error object of a refused call, which must have answered `status`.
async fn refused(response: reqwest::Response, status: u16) -> Value {
    let (answered, error) = stripe_error(response).await;
    assert_eq!(answered, status, "{error}");
    error
}

/// A paid invoice of `amount` cents for a new customer, paid by attaching a succeeded card
/// payment (the app's way): `(invoice, payment intent)`.
pub async fn paid_invoice(app: &TestEmulator, amount: &str) -> (Value, Value) {
    let customer = customer(app).await;
    let intent = app
        .stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                amount,
                &[
                    ("customer", &customer),
                    ("payment_method", "pm_card_visa"),
                    ("confirm", "true"),
                ],
            ),
        )
        .await;
    assert_eq!(intent["status"], "succeeded");
    let draft = app
        .stripe()
        .create("v1/invoices", &[("customer", &customer)])
        .await;
    let id = draft["id"].as_str().unwrap().to_owned();
    app.stripe()
        .create(
            "v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", amount),
                ("invoice", &id),
            ],
        )
        .await;
    app.stripe()
        .create(&format!("v1/invoices/{id}/finalize"), &[])
        .await;
    let paid = app
        .stripe()
        .create(
            &format!("v1/invoices/{id}/attach_payment"),
            &[("payment_intent", intent["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(paid["status"], "paid");
    (paid, intent)
}

pub async fn refund(app: &TestEmulator, intent: &Value, amount: &str) -> Value {
    app.stripe()
        .create(
            "v1/refunds",
            &[
                ("payment_intent", intent["id"].as_str().unwrap()),
                ("amount", amount),
            ],
        )
        .await
}

#[tokio::test]
async fn a_refund_is_credited_once_on_its_paid_invoice_with_a_number_and_a_pdf() {
    let app = spawn_emulator().await;
    let (invoice, intent) = paid_invoice(&app, "5000").await;
    let invoice_id = invoice["id"].as_str().unwrap();
    let first = refund(&app, &intent, "1500").await;
    let first_id = first["id"].as_str().unwrap();
    let link = [
        ("invoice", invoice_id),
        ("amount", "1500"),
        ("refunds[0][refund]", first_id),
    ];
    let note = app.stripe().create("v1/credit_notes", &link).await;
    assert_eq!(note["status"], "issued");
    assert_eq!(note["type"], "post_payment");
    assert_eq!(note["amount"], 1500);
    assert_eq!(note["refunds"][0]["refund"], first_id);
    assert_eq!(note["refunds"][0]["amount_refunded"], 1500);
    let number = format!("{}-CN-01", invoice["number"].as_str().unwrap());
    assert_eq!(note["number"], number.as_str());

    // The same refund cannot be credited twice.
    let again = app.stripe().post("v1/credit_notes", &link).await;
    let error = refused(again, 400).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("already linked"),
        "{error}"
    );

    // A second refund gets the next number; the PDF and the hosted page show both.
    let second = refund(&app, &intent, "500").await;
    let note2 = app
        .stripe()
        .create(
            "v1/credit_notes",
            &[
                ("invoice", invoice_id),
                ("amount", "500"),
                ("refunds[0][refund]", second["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        note2["number"],
        format!("{}-CN-02", invoice["number"].as_str().unwrap()).as_str()
    );
    let pdf = reqwest::get(note["pdf"].as_str().unwrap()).await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.text().await.unwrap();
    assert!(pdf.contains(&format!("Credit note {number}")), "{pdf}");
    assert!(pdf.contains("Amount: 15.00 USD"), "{pdf}");
    let page = page_text(&invoice["hosted_invoice_url"]).await;
    assert!(
        page.contains(&number) && page.contains("5.00 USD"),
        "{page}"
    );

    let listed = get(&app, &format!("v1/credit_notes?invoice={invoice_id}")).await;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [note2["id"].as_str().unwrap(), note["id"].as_str().unwrap()]
    );
    let paid_invoice = get(&app, &format!("v1/invoices/{invoice_id}")).await;
    assert_eq!(paid_invoice["post_payment_credit_notes_amount"], 2000);
}

#[tokio::test]
async fn a_credit_note_must_account_for_its_amount_and_stay_within_the_invoice() {
    let app = spawn_emulator().await;
    let (invoice, intent) = paid_invoice(&app, "3000").await;
    let invoice_id = invoice["id"].as_str().unwrap();
    let refunded = refund(&app, &intent, "1000").await;
    let refund_id = refunded["id"].as_str().unwrap();

    // On a paid invoice the amount must be refunds + balance credit + out of band.
    let unaccounted = app
        .stripe()
        .post(
            "v1/credit_notes",
            &[
                ("invoice", invoice_id),
                ("amount", "1200"),
                ("refunds[0][refund]", refund_id),
            ],
        )
        .await;
    let error = refused(unaccounted, 400).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("must equal the credit note amount"),
        "{error}"
    );

    let too_much = app
        .stripe()
        .post(
            "v1/credit_notes",
            &[
                ("invoice", invoice_id),
                ("amount", "3001"),
                ("out_of_band_amount", "3001"),
            ],
        )
        .await;
    assert_eq!(refused(too_much, 400).await["param"], "amount");

    // Another payment's refund is not this invoice's.
    let (_, other_intent) = paid_invoice(&app, "2000").await;
    let other = refund(&app, &other_intent, "100").await;
    let foreign = app
        .stripe()
        .post(
            "v1/credit_notes",
            &[
                ("invoice", invoice_id),
                ("amount", "100"),
                ("refunds[0][refund]", other["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(refused(foreign, 400).await["param"], "refunds");

    let missing = app
        .stripe()
        .post("v1/credit_notes", &[("amount", "100")])
        .await;
    assert_eq!(refused(missing, 400).await["param"], "invoice");
    let unknown = app.stripe().get("v1/credit_notes/cn_nope").await;
    refused(unknown, 404).await;
}

#[tokio::test]
async fn tax_ids_are_verified_listed_deleted_and_printed_on_new_invoices() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let path = format!("v1/customers/{customer}/tax_ids");
    let vat = app
        .stripe()
        .create(&path, &[("type", "eu_vat"), ("value", "DE123456789")])
        .await;
    assert_eq!(vat["country"], "DE");
    assert_eq!(vat["verification"]["status"], "verified");
    let unknown = app
        .stripe()
        .create(&path, &[("type", "gb_vat"), ("value", "GB111111111")])
        .await;
    assert_eq!(unknown["verification"]["status"], "unverified");
    let ein = app
        .stripe()
        .create(&path, &[("type", "us_ein"), ("value", "12-3456789")])
        .await;
    assert_eq!(ein["verification"]["status"], "unavailable");
    let bad = app
        .stripe()
        .post(&path, &[("type", "xx_tax"), ("value", "1")])
        .await;
    assert_eq!(refused(bad, 400).await["param"], "type");

    let deleted = app
        .stripe()
        .request(
            Method::DELETE,
            &format!("{path}/{}", unknown["id"].as_str().unwrap()),
            &[],
            &[],
        )
        .await;
    assert_eq!(stripe_ok(deleted).await["deleted"], true);
    let listed = get(&app, &path).await;
    let values: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["12-3456789", "DE123456789"]);

    let draft = app
        .stripe()
        .create("v1/invoices", &[("customer", &customer)])
        .await;
    assert_eq!(draft["customer_tax_ids"][0]["type"], "eu_vat");
    assert_eq!(draft["customer_tax_ids"][0]["value"], "DE123456789");
    let id = draft["id"].as_str().unwrap();
    app.stripe()
        .create(
            "v1/invoiceitems",
            &[("customer", &customer), ("amount", "100"), ("invoice", id)],
        )
        .await;
    let open = app
        .stripe()
        .create(&format!("v1/invoices/{id}/finalize"), &[])
        .await;
    let page = page_text(&open["hosted_invoice_url"]).await;
    assert!(page.contains("Tax ID: eu_vat DE123456789"), "{page}");
}
