//! Credit notes for refunds: each refund of a purchase with an invoice is matched by one credit
//! note on that invoice (however its events arrive), listed with the invoice, logged, and
//! issued by the sweep when Stripe could not be reached the first time.

use serde_json::{Value, json};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, eventually, get_json_with};
use crate::purchases::{paid_purchase, refund_in_stripe, signed_in_app, wait_for_status};

/// A paid purchase of 10 sessions ($200), once its invoice is paid: `(purchase, invoice id)`.
async fn invoiced(app: &TestApp) -> (Value, String) {
    let purchase = paid_purchase(app, &json!({"quantity": 10, "plan": "annual"})).await;
    app.settle().await;
    let invoice = invoice_of(app, &purchase).await;
    assert_eq!(invoice["status"], "paid");
    (purchase, invoice["id"].as_str().unwrap().to_owned())
}

/// The purchase's invoice as `GET /api/stripe/invoices` lists it.
async fn invoice_of(app: &TestApp, purchase: &Value) -> Value {
    let list = get_json_with(&app.client, app.url("/api/stripe/invoices?limit=100")).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["purchase_id"] == purchase["purchase_id"])
        .cloned()
        .unwrap_or_else(|| panic!("no invoice for the purchase in {list}"))
}

/// Every credit note Stripe holds for the invoice, oldest first.
async fn stripe_credit_notes(app: &TestApp, invoice: &str) -> Vec<Value> {
    let list = stripe_ok(
        app.stripe()
            .get(&format!("v1/credit_notes?invoice={invoice}"))
            .await,
    )
    .await;
    let mut notes = list["data"].as_array().unwrap().clone();
    notes.reverse();
    notes
}

/// Waits until the invoice lists `count` credit notes.
async fn credit_notes_listed(app: &TestApp, purchase: &Value, count: usize) -> Vec<Value> {
    eventually(
        &format!("{count} credit notes under the invoice"),
        async || {
            let notes = invoice_of(app, purchase).await["credit_notes"]
                .as_array()
                .unwrap()
                .clone();
            if notes.len() == count {
                Ok(notes)
            } else {
                Err(notes)
            }
        },
    )
    .await
}

async fn credit_note_log(app: &TestApp) -> Vec<Value> {
    let log = get_json_with(&app.client, app.url("/api/audit-log?action=credit_note.")).await;
    log["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn each_refund_is_credited_on_the_invoice_once_listed_and_logged() {
    let app = signed_in_app().await;
    let (purchase, invoice) = invoiced(&app).await;
    refund_in_stripe(&app, &purchase, 5_000).await;
    let notes = credit_notes_listed(&app, &purchase, 1).await;
    refund_in_stripe(&app, &purchase, 3_000).await;
    let notes_after = credit_notes_listed(&app, &purchase, 2).await;
    app.settle().await;

    assert_eq!(
        notes_after[0], notes[0],
        "the first credit note is unchanged"
    );
    let number = invoice_of(&app, &purchase).await["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(notes_after[0]["number"], format!("{number}-CN-01").as_str());
    assert_eq!(notes_after[0]["amount"], 5_000);
    assert_eq!(notes_after[1]["number"], format!("{number}-CN-02").as_str());
    assert_eq!(notes_after[1]["amount"], 3_000);
    for note in &notes_after {
        assert!(note["id"].as_str().unwrap().starts_with("cn_"), "{note}");
        assert!(note["created"].as_i64().is_some(), "{note}");
        let pdf = reqwest::get(note["pdf_url"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
    }

    // At Stripe: two credit notes, each linked to its own refund.
    let at_stripe = stripe_credit_notes(&app, &invoice).await;
    assert_eq!(at_stripe.len(), 2);
    let refunds = stripe_ok(
        app.stripe()
            .get(&format!(
                "v1/refunds?payment_intent={}",
                purchase["payment_intent_id"].as_str().unwrap()
            ))
            .await,
    )
    .await;
    let mut refund_ids: Vec<&str> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    refund_ids.reverse();
    let linked: Vec<&str> = at_stripe
        .iter()
        .map(|n| n["refunds"][0]["refund"].as_str().unwrap())
        .collect();
    assert_eq!(linked, refund_ids);

    let log = credit_note_log(&app).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e["action"] == "credit_note.issued" && e["actor"] == "stripe"),
        "{log:?}"
    );
    assert_eq!(log[1]["object_id"], notes_after[0]["id"]);
    assert_eq!(log[1]["details"]["amount"], 5_000);
    assert_eq!(log[1]["details"]["invoice"], invoice.as_str());
}

#[tokio::test]
async fn duplicated_and_shuffled_refund_events_credit_each_refund_once() {
    let app = signed_in_app().await;
    let (purchase, invoice) = invoiced(&app).await;
    let stripe = app.stripe();
    stripe.arm_fault("webhooks", &[("mode", "duplicate")]).await;
    stripe
        .arm_fault("webhooks", &[("mode", "out_of_order"), ("count", "4")])
        .await;

    // Three refunds whose events arrive twice each, shuffled.
    for amount in [2_000, 4_000, 6_000] {
        refund_in_stripe(&app, &purchase, amount).await;
    }
    wait_for_status(&app, &purchase, "partially_refunded").await;
    let notes = credit_notes_listed(&app, &purchase, 3).await;
    app.settle().await;

    let amounts: Vec<i64> = notes
        .iter()
        .map(|n| n["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [2_000, 4_000, 6_000]);
    assert_eq!(stripe_credit_notes(&app, &invoice).await.len(), 3);
    assert_eq!(credit_note_log(&app).await.len(), 3);

    // The sweep finds nothing left to do.
    octavia_billing::server::invoices::credit::sweep(&app.state)
        .await
        .unwrap();
    assert_eq!(stripe_credit_notes(&app, &invoice).await.len(), 3);
}

#[tokio::test]
async fn a_credit_note_stripe_refused_is_issued_by_the_sweep() {
    let app = signed_in_app().await;
    let (purchase, invoice) = invoiced(&app).await;
    app.stripe()
        .arm_fault(
            "api",
            &[
                ("mode", "error"),
                ("path", "credit_notes"),
                ("count", "100"),
            ],
        )
        .await;
    refund_in_stripe(&app, &purchase, 20_000).await;
    wait_for_status(&app, &purchase, "refunded").await;
    app.settle().await;
    app.stripe().post("_faults/reset", &[]).await;
    assert!(stripe_credit_notes(&app, &invoice).await.is_empty());
    assert!(
        invoice_of(&app, &purchase).await["credit_notes"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Past the sweep's grace period for a just-refunded purchase.
    sqlx::query("UPDATE purchases SET updated_at = updated_at - 120 WHERE id = $1")
        .bind(purchase["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    let taken_up = octavia_billing::server::invoices::credit::sweep(&app.state)
        .await
        .unwrap();
    assert_eq!(taken_up, 1);
    let notes = credit_notes_listed(&app, &purchase, 1).await;
    assert_eq!(notes[0]["amount"], 20_000);
    let log = credit_note_log(&app).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["actor"], "system");

    // Done: the next sweep has nothing to take up.
    assert_eq!(
        octavia_billing::server::invoices::credit::sweep(&app.state)
            .await
            .unwrap(),
        0
    );
}
