//! Every correctly signed event is delivered: rotated secrets, several signatures, events the
//! app cannot parse, large bodies. (An event whose processing failed: see refunds.rs.)

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::webhook::paid_but_unannounced;
use super::{deliver, now, pool, signed_in_app, signed_in_app_with};
use crate::helpers::{TestApp, error_message};
use stripe_emulator::webhooks::signature_header;

/// The stored row of an event: (processed, error).
pub async fn stored(app: &TestApp, id: &str) -> Option<(bool, Option<String>)> {
    let row: Option<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT processed_at, error FROM stripe_events WHERE id = $1")
            .bind(id)
            .fetch_optional(app.db.pool())
            .await
            .unwrap();
    row.map(|(processed_at, error)| (processed_at.is_some(), error))
}

#[tokio::test]
async fn during_a_secret_rotation_events_signed_with_either_secret_are_accepted() {
    let app = signed_in_app_with(&[("STRIPE_WEBHOOK_SECRET", "whsec_new_one,whsec_old_one")]).await;
    let (_, event) = paid_but_unannounced(&app, 2).await;
    let body = event.to_string();

    let unknown = signature_header("whsec_neither", now(), &body);
    let refused = deliver(&app, &body, Some(&unknown)).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    error_message(refused).await;

    // Stripe signs with both secrets while they overlap: one header, two v1 values.
    let old = signature_header("whsec_old_one", now(), &body);
    let wrong = signature_header("whsec_neither", now(), &body);
    let v1 = |header: &str| header.split_once(",v1=").unwrap().1.to_owned();
    let both = format!("{wrong},v1={}", v1(&old));
    let accepted = deliver(&app, &body, Some(&both)).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(pool(&app).await, 2);
}

#[tokio::test]
async fn a_signed_event_the_app_cannot_parse_is_acknowledged_and_kept_unprocessed() {
    let app = signed_in_app().await;
    let (_, mut event) = paid_but_unannounced(&app, 1).await;
    event["id"] = json!("evt_from_a_newer_api");
    // A newer API version without a field this version requires.
    event["data"]["object"]
        .as_object_mut()
        .unwrap()
        .remove("amount");
    let body = event.to_string();
    let response = deliver(&app, &body, Some(&super::sign(&body))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (processed, error) = stored(&app, "evt_from_a_newer_api").await.expect("stored");
    assert!(!processed);
    assert!(error.unwrap().starts_with("not parsed"));
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn an_unhandled_event_type_is_stored_as_processed() {
    let app = signed_in_app().await;
    let event = json!({
        "id": "evt_customer_created",
        "object": "event",
        "type": "customer.created",
        "created": now(),
        "livemode": false,
        "pending_webhooks": 1,
        "api_version": "2026-09-30.clover",
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": {"id": "cus_x", "object": "customer"}},
    });
    let body = event.to_string();
    assert_eq!(
        deliver(&app, &body, Some(&super::sign(&body)))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        stored(&app, "evt_customer_created").await,
        Some((true, None))
    );
}

/// A signed event of an unhandled type padded to `size` bytes.
fn padded_event(id: &str, size: usize) -> String {
    let mut event: Value = json!({
        "id": id,
        "object": "event",
        "type": "invoice.upcoming",
        "created": now(),
        "data": {"object": {"object": "invoice", "description": ""}},
    });
    let base = event.to_string().len();
    event["data"]["object"]["description"] = json!("x".repeat(size - base));
    event.to_string()
}

#[tokio::test]
async fn webhook_bodies_up_to_one_mebibyte_are_taken_and_larger_ones_are_413_json() {
    let app = signed_in_app().await;
    let large = padded_event("evt_large", 1000 * 1024);
    assert_eq!(
        deliver(&app, &large, Some(&super::sign(&large)))
            .await
            .status(),
        StatusCode::OK
    );
    assert!(stored(&app, "evt_large").await.is_some());

    let too_large = padded_event("evt_too_large", 1024 * 1024 + 1);
    let response = deliver(&app, &too_large, Some(&super::sign(&too_large))).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    error_message(response).await;
    assert_eq!(stored(&app, "evt_too_large").await, None);
}

#[tokio::test]
async fn processed_events_are_kept_thirty_days_and_unprocessed_ones_until_processed() {
    let app = signed_in_app().await;
    let day = 24 * 60 * 60;
    let insert = |id: &'static str, age_days: i64, processed: bool| {
        let received = now() - age_days * day;
        sqlx::query(
            "INSERT INTO stripe_events (id, type, created, body, received_at, processed_at)
             VALUES ($1, 'charge.refunded', $2, '{}', $2, $3)",
        )
        .bind(id)
        .bind(received)
        .bind(processed.then_some(received))
        .execute(app.db.pool())
    };
    insert("evt_29_days", 29, true).await.unwrap();
    insert("evt_31_days", 31, true).await.unwrap();
    insert("evt_31_days_failed", 31, false).await.unwrap();
    let deleted = octavia_billing::server::stripe_events::forget_old(&app.state)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(stored(&app, "evt_29_days").await.is_some());
    assert!(stored(&app, "evt_31_days").await.is_none());
    assert!(stored(&app, "evt_31_days_failed").await.is_some());
}
