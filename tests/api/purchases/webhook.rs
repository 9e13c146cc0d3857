//! `POST /api/stripe/webhook`: signed events from the emulator (and shaped like live Stripe's)
//! move purchases forward and credit the pool once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    WEBHOOK_SECRET, buy, confirm, deliver, deliver_to, emitted_event, get_purchase, now, pool,
    rows, sign, signed_in_app, wait_for_status,
};
use crate::helpers::{TestApp, error_message};
use crate::live_events;
use stripe_emulator::webhooks::signature_header;

/// A purchase of `quantity` paid with a good card while webhooks are withheld; returns it and
/// the `payment_intent.succeeded` event the app has not yet received.
pub async fn paid_but_unannounced(app: &TestApp, quantity: i64) -> (Value, Value) {
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(app, quantity).await;
    assert_eq!(confirm(app, &purchase, "pm_card_visa").await.status(), 200);
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let event = emitted_event(app, "payment_intent.succeeded", intent).await;
    (purchase, event)
}

#[tokio::test]
async fn purchase_confirm_webhook_credits_the_pool() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 10).await;
    assert_eq!(pool(&app).await, 0);
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(pool(&app).await, 10);
}

#[tokio::test]
async fn a_declined_card_fails_the_purchase_and_leaves_the_pool() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 5).await;
    let declined = confirm(&app, &purchase, "pm_card_chargeDeclined").await;
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    let failed = wait_for_status(&app, &purchase, "failed").await;
    assert!(
        failed["failure_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{failed}"
    );
    assert_eq!(pool(&app).await, 0);

    // Another card on the same intent can still complete it.
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(pool(&app).await, 5);
}

#[tokio::test]
async fn the_same_event_delivered_ten_times_concurrently_credits_once() {
    let app = signed_in_app().await;
    let (purchase, event) = paid_but_unannounced(&app, 7).await;
    let body = event.to_string();
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (url, body) = (app.url("/api/stripe/webhook"), body.clone());
        deliveries.spawn(async move { deliver_to(url, &body, Some(&sign(&body))).await.status() });
    }
    while let Some(status) = deliveries.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 7);
    assert_eq!(rows(&app, "session_ledger").await, 1);
}

#[tokio::test]
async fn a_failure_arriving_after_success_leaves_the_purchase_completed() {
    let app = signed_in_app().await;
    let (purchase, event) = paid_but_unannounced(&app, 3).await;
    let body = event.to_string();
    assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    assert_eq!(pool(&app).await, 3);

    let mut late = event.clone();
    late["id"] = json!("evt_late_failure");
    late["type"] = json!("payment_intent.payment_failed");
    let object = &mut late["data"]["object"];
    object["status"] = json!("requires_payment_method");
    object["last_payment_error"] = json!({
        "type": "card_error", "code": "card_declined", "message": "Your card was declined."
    });
    let body = late.to_string();
    assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 3);
}

#[tokio::test]
async fn a_declined_attempts_processing_news_arriving_late_leaves_the_purchase_failed() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 3).await;
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let declined = confirm(&app, &purchase, "pm_card_chargeDeclined").await;
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    // Both events of the attempt, delivered in the wrong order: the failure first.
    for event_type in ["payment_intent.payment_failed", "payment_intent.processing"] {
        let body = emitted_event(&app, event_type, intent).await.to_string();
        assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    }
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "failed", "{now}");
    // So it can still be paid from the billing page, and nothing was credited.
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn forged_tampered_stale_and_unsigned_webhooks_are_400_and_change_nothing() {
    let app = signed_in_app().await;
    let (purchase, event) = paid_but_unannounced(&app, 2).await;
    let body = event.to_string();
    let tampered = body.replace("\"amount\":4000", "\"amount\":1");
    assert_ne!(tampered, body);
    let refused: Vec<(&str, String, Option<String>)> = vec![
        ("unsigned", body.clone(), None),
        ("malformed", body.clone(), Some("not a signature".into())),
        (
            "forged",
            body.clone(),
            Some(signature_header("whsec_someone_else", now(), &body)),
        ),
        ("tampered", tampered.clone(), Some(sign(&body))),
        (
            "stale",
            body.clone(),
            Some(signature_header(WEBHOOK_SECRET, now() - 301, &body)),
        ),
    ];
    for (case, body, signature) in refused {
        let response = deliver(&app, &body, signature.as_deref()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
        error_message(response).await;
    }
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");
    assert_eq!(pool(&app).await, 0);
    assert_eq!(rows(&app, "stripe_events").await, 0);

    // The same event, properly signed, is accepted: the refusals were about the signatures.
    assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    assert_eq!(pool(&app).await, 2);
}

/// The live-shaped `payment_intent.succeeded` for the purchase, paying `amount` cents.
fn live_shaped_succeeded(purchase: &Value, amount: i64) -> String {
    live_events::live_shaped_succeeded(
        &format!("evt_live_shaped_{amount}"),
        purchase["payment_intent_id"].as_str().unwrap(),
        purchase["purchase_id"].as_str().unwrap(),
        amount,
    )
}

#[tokio::test]
async fn a_live_shaped_event_from_the_fixtures_is_processed() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 4).await;
    let body = live_shaped_succeeded(&purchase, 8_000);
    let response = deliver(&app, &body, Some(&sign(&body))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 4);
}

#[tokio::test]
async fn a_payment_for_another_amount_credits_nothing() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 4).await;
    let body = live_shaped_succeeded(&purchase, 100);
    assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn events_for_other_intents_and_unknown_types_are_acknowledged_and_ignored() {
    let app = signed_in_app().await;
    let (_, event) = paid_but_unannounced(&app, 1).await;
    let mut foreign = event.clone();
    foreign["id"] = json!("evt_not_ours");
    foreign["data"]["object"]["id"] = json!("pi_not_ours");
    let mut unknown = event;
    unknown["id"] = json!("evt_unknown_type");
    // A type Stripe may add later, unknown to the app and to its Stripe library.
    unknown["type"] = json!("payment_intent.future_thing");
    for event in [foreign, unknown] {
        let body = event.to_string();
        assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    }
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn a_webhook_while_the_database_is_down_is_5xx_so_stripe_retries() {
    let app = signed_in_app().await;
    let (_, event) = paid_but_unannounced(&app, 1).await;
    // The test's handle shares the app's pool: closing it takes the database away.
    app.db.pool().close().await;
    let body = event.to_string();
    let response = deliver(&app, &body, Some(&sign(&body))).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    error_message(response).await;
}
