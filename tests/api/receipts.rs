//! Receipts: a paid purchase's invoice is emailed by Stripe once, an admin can send it again,
//! and the emulator's outbox shows what Stripe would have sent, to clients on this machine.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, get_json_with};
use crate::purchases::{
    ADMIN, other_institution_admin, paid_purchase, post_empty, signed_in_app, sync,
};

async fn outbox(app: &TestApp) -> Vec<Value> {
    let url = app.url("/_emulator/stripe/outbox");
    get_json_with(&reqwest::Client::new(), url).await["data"]
        .as_array()
        .unwrap()
        .clone()
}

/// The purchase's invoice id, once its receipt went out.
async fn receipted(app: &TestApp, purchase: &Value) -> (String, Vec<Value>) {
    let id = purchase["purchase_id"].as_str().unwrap().to_owned();
    eventually("the receipt to be sent", async || {
        let view = get_json_with(
            &app.client,
            app.url(&format!("/api/sessions/purchases/{id}")),
        )
        .await;
        let sent = outbox(app).await;
        match view["invoice_id"].as_str() {
            Some(invoice) if sent.iter().any(|e| e["invoice"] == invoice) => {
                Ok((invoice.to_owned(), sent))
            }
            _ => Err(sent),
        }
    })
    .await
}

#[tokio::test]
async fn a_paid_purchases_receipt_is_sent_once_to_the_institution_and_logged() {
    let app = signed_in_app().await;
    let purchase = paid_purchase(&app, &json!({"quantity": 2, "plan": "annual"})).await;
    let (invoice, sent) = receipted(&app, &purchase).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["to"], json!([ADMIN]));
    assert!(
        sent[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("Your receipt from"),
        "{sent:?}"
    );
    assert!(sent[0]["sent_at"].as_i64().is_some());

    // Reported again (the browser's own check, the sweep): nothing is sent twice.
    assert_eq!(sync(&app, &purchase).await.status(), StatusCode::OK);
    octavia_billing::server::invoices::issue::sweep(&app.state)
        .await
        .unwrap();
    assert_eq!(outbox(&app).await.len(), 1);
    // Issued again from the start (a retry after a crash before the invoice was marked done):
    // the receipt's send reaches Stripe again, under the same idempotency key, and Stripe sends
    // nothing new.
    let stored = octavia_billing::server::storage::purchases::find_by_payment_intent(
        app.db.pool(),
        purchase["payment_intent_id"].as_str().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    octavia_billing::server::invoices::issue::issue(&app.state, &stored)
        .await
        .unwrap();
    assert_eq!(outbox(&app).await.len(), 1);

    let log = get_json_with(&app.client, app.url("/api/audit-log?action=invoice.")).await;
    let entries = log["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["action"], "invoice.sent");
    assert_eq!(entries[0]["actor"], "system");
    assert_eq!(entries[0]["object_id"], invoice.as_str());
}

#[tokio::test]
async fn an_admin_can_send_an_invoice_again_and_another_institution_cannot() {
    let app = signed_in_app().await;
    let purchase = paid_purchase(&app, &json!({"quantity": 1, "plan": "annual"})).await;
    let (invoice, _) = receipted(&app, &purchase).await;
    let path = format!("/api/stripe/invoices/{invoice}/send");

    let other = other_institution_admin(&app).await;
    let theirs = other.post(app.url(&path)).send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(outbox(&app).await.len(), 1);

    let resent = post_empty(&app, &path).await;
    assert_eq!(resent.status(), StatusCode::OK);
    let body: Value = resent.json().await.unwrap();
    assert_eq!(body["id"], invoice.as_str());
    assert_eq!(outbox(&app).await.len(), 2);
    let log = get_json_with(&app.client, app.url("/api/audit-log?action=invoice.sent")).await;
    assert_eq!(log["data"][0]["actor"], ADMIN);
    assert_eq!(
        post_empty(&app, "/api/stripe/invoices/in_nope/send")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_outbox_is_shown_only_to_clients_on_this_machine() {
    let app = signed_in_app().await;
    let forwarded = reqwest::Client::new()
        .get(app.url("/_emulator/stripe/outbox"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), StatusCode::FORBIDDEN);
}
