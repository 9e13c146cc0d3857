//! Billing details: validated, kept on the institution's Stripe customer (so the next invoice
//! carries them), audited, and each institution's own.

use reqwest::StatusCode;
use serde_json::{Value, json};

use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, error_message, get_json_with};
use crate::purchases::{ADMIN, other_institution_admin, paid_purchase, signed_in_app};

fn details() -> Value {
    json!({
        "legal_name": "State University Board of Regents",
        "emails": ["ap@state.test", "Bursar@State.test"],
        "address": {"line1": "1 College Ave", "line2": "Room 101", "city": "Springfield",
                    "state": "IL", "postal_code": "62701", "country": "us"},
        "tax_ids": [{"type": "us_ein", "value": "12-3456789"}]
    })
}

async fn put(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url("/api/institution/billing-details"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn customers(app: &TestApp) -> Vec<Value> {
    let list = stripe_ok(app.stripe().get("v1/customers").await).await;
    list["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn billing_details_are_saved_normalised_put_on_the_stripe_customer_and_audited() {
    let app = signed_in_app().await;
    let empty = get_json_with(&app.client, app.url("/api/institution/billing-details")).await;
    assert_eq!(
        empty,
        json!({"legal_name": null, "emails": [], "address": null, "tax_ids": []})
    );

    let response = put(&app, &details()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(
        saved["emails"],
        json!(["ap@state.test", "bursar@state.test"])
    );
    assert_eq!(saved["address"]["country"], "US");
    // Stripe does not check US EINs with a tax authority.
    assert_eq!(
        saved["tax_ids"],
        json!([{"type": "us_ein", "value": "12-3456789", "verification": "unavailable"}])
    );
    let read = get_json_with(&app.client, app.url("/api/institution/billing-details")).await;
    assert_eq!(read, saved);

    let customer = customers(&app).await.remove(0);
    assert_eq!(customer["name"], "State University Board of Regents");
    assert_eq!(customer["email"], "ap@state.test");
    assert_eq!(customer["address"]["line2"], "Room 101");
    assert_eq!(customer["address"]["country"], "US");
    assert_eq!(
        customer["metadata"]["billing_emails"],
        "ap@state.test,bursar@state.test"
    );
    assert_eq!(
        customer["invoice_settings"]["footer"],
        "Billing contacts: ap@state.test, bursar@state.test"
    );

    let log = get_json_with(
        &app.client,
        app.url("/api/audit-log?action=billing_details."),
    )
    .await;
    let entry = &log["data"][0];
    assert_eq!(entry["action"], "billing_details.updated");
    assert_eq!(entry["actor"], ADMIN);
    assert_eq!(entry["details"]["before"], Value::Null);
    assert_eq!(
        entry["details"]["after"]["legal_name"],
        "State University Board of Regents"
    );
}

#[tokio::test]
async fn invalid_details_are_400_naming_the_field_and_nothing_reaches_stripe() {
    let app = signed_in_app().await;
    let cases = [
        ("legal_name", json!(""), "\"legal_name\" is required"),
        ("emails", json!(["not an address"]), "\"emails[0]\""),
        (
            "address",
            json!({"line1": "1 College Ave", "city": "Springfield", "postal_code": "62701", "country": "USA"}),
            "\"address.country\"",
        ),
        (
            "tax_ids",
            json!([{"type": "gb_vat", "value": "123"}]),
            "GB123456789",
        ),
    ];
    for (field, value, expected) in cases {
        let mut body = details();
        body[field] = value;
        let response = put(&app, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
        let message = error_message(response).await;
        assert!(message.contains(expected), "{field}: {message}");
    }
    assert!(
        customers(&app).await.is_empty(),
        "a customer was made for an invalid body"
    );
}

#[tokio::test]
async fn the_next_invoice_carries_the_details_and_another_institution_sees_only_its_own() {
    let app = signed_in_app().await;
    assert_eq!(put(&app, &details()).await.status(), StatusCode::OK);
    let purchase = paid_purchase(&app, &json!({"quantity": 1, "plan": "annual"})).await;
    let invoice = crate::helpers::eventually("the invoice", async || {
        let list = get_json_with(&app.client, app.url("/api/stripe/invoices")).await;
        let first = list["data"][0].clone();
        if first["purchase_id"] == purchase["purchase_id"]
            && first["hosted_invoice_url"].is_string()
        {
            Ok(first)
        } else {
            Err(list)
        }
    })
    .await;
    let page = reqwest::get(invoice["hosted_invoice_url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "State University Board of Regents",
        "1 College Ave",
        "Springfield",
        "62701",
        "Tax ID: us_ein 12-3456789",
        "Billing contacts: ap@state.test, bursar@state.test",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }

    let other = other_institution_admin(&app).await;
    let theirs = get_json_with(&other, app.url("/api/institution/billing-details")).await;
    assert_eq!(theirs["legal_name"], Value::Null);
}

/// The customer's tax IDs at Stripe: `(type, value, verification status)`, oldest first.
async fn stripe_tax_ids(app: &TestApp) -> Vec<(String, String, String)> {
    let customer = customers(app).await.remove(0);
    let path = format!("v1/customers/{}/tax_ids", customer["id"].as_str().unwrap());
    let list = stripe_ok(app.stripe().get(&path).await).await;
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    let mut ids: Vec<_> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                text(&t["type"]),
                text(&t["value"]),
                text(&t["verification"]["status"]),
            )
        })
        .collect();
    ids.reverse();
    ids
}

#[tokio::test]
async fn tax_ids_are_kept_on_the_stripe_customer_once_with_their_verification_and_replaced() {
    let app = signed_in_app().await;
    let mut body = details();
    body["tax_ids"] = json!([
        {"type": "eu_vat", "value": "DE 123 456 789"},
        {"type": "gb_vat", "value": "GB111111111"}
    ]);
    // Saved twice (a retried request): each tax ID is at Stripe once.
    for _ in 0..2 {
        assert_eq!(put(&app, &body).await.status(), StatusCode::OK);
    }
    let at_stripe = stripe_tax_ids(&app).await;
    let expected = |kind: &str, value: &str, status: &str| {
        (kind.to_owned(), value.to_owned(), status.to_owned())
    };
    assert_eq!(
        at_stripe,
        [
            expected("eu_vat", "DE123456789", "verified"),
            expected("gb_vat", "GB111111111", "unverified"),
        ]
    );
    let read = get_json_with(&app.client, app.url("/api/institution/billing-details")).await;
    assert_eq!(
        read["tax_ids"],
        json!([
            {"type": "eu_vat", "value": "DE123456789", "verification": "verified"},
            {"type": "gb_vat", "value": "GB111111111", "verification": "unverified"}
        ])
    );

    // Replaced as a whole: the GB number is removed at Stripe, the EIN added.
    body["tax_ids"] = json!([
        {"type": "eu_vat", "value": "DE123456789"},
        {"type": "us_ein", "value": "12-3456789"}
    ]);
    assert_eq!(put(&app, &body).await.status(), StatusCode::OK);
    assert_eq!(
        stripe_tax_ids(&app).await,
        [
            expected("eu_vat", "DE123456789", "verified"),
            expected("us_ein", "12-3456789", "unavailable"),
        ]
    );
}
