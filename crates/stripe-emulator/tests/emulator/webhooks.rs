//! Webhooks as Stripe sends them: signed, verified by async-stripe's own verifier, retried.

use std::time::Duration;

use axum::http::StatusCode;
use stripe_webhook::{Webhook, WebhookError};

use stripe_emulator::test_client::{PATIENCE, stripe_ok};
use stripe_emulator::webhooks::Attempt;

use crate::support::{
    Receiver, TOO_SLOW, TestEmulator, confirmed_intent, spawn_emulator_with_secret,
};

const SECRET: &str = "whsec_webhook_tests";

async fn app_with_secret() -> TestEmulator {
    spawn_emulator_with_secret(SECRET).await
}

#[tokio::test]
async fn events_are_signed_so_that_async_stripe_verifies_them() {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    let customer = app
        .stripe()
        .create("v1/customers", &[("email", "a@b.test")])
        .await;

    let deliveries = receiver.wait_until(|d| !d.is_empty()).await;
    let delivery = &deliveries[0];
    let event = Webhook::construct_event(&delivery.body, &delivery.signature, SECRET)
        .expect("signature verifies");
    assert_eq!(event.type_.as_str(), "customer.created");
    match event.data.object {
        stripe_webhook::EventObject::CustomerCreated(c) => {
            assert_eq!(c.id.as_str(), customer["id"].as_str().unwrap())
        }
        other => panic!("expected a customer, got {other:?}"),
    }
    let stored = stripe_ok(
        app.stripe()
            .get(&format!("v1/events/{}", event.id.as_str()))
            .await,
    )
    .await;
    assert_eq!(
        stored["pending_webhooks"], 0,
        "delivered events owe no more webhooks"
    );
    assert_eq!(
        stored["request"]["id"]
            .as_str()
            .map(|id| id.starts_with("req_")),
        Some(true)
    );
}

#[tokio::test]
async fn wrong_secret_altered_body_and_old_timestamp_fail_verification() {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    app.stripe()
        .create("v1/customers", &[("email", "a@b.test")])
        .await;
    let delivery = receiver.wait_until(|d| !d.is_empty()).await.remove(0);

    let wrong_secret = Webhook::construct_event(&delivery.body, &delivery.signature, "whsec_other");
    assert!(
        matches!(wrong_secret, Err(WebhookError::BadSignature)),
        "{wrong_secret:?}"
    );

    let mut altered = delivery.body.clone().into_bytes();
    let at = altered
        .iter()
        .position(|b| *b == b'@')
        .expect("the email is in the body");
    altered[at] = b'#';
    let altered = String::from_utf8(altered).unwrap();
    let tampered = Webhook::construct_event(&altered, &delivery.signature, SECRET);
    assert!(
        matches!(tampered, Err(WebhookError::BadSignature)),
        "{tampered:?}"
    );

    let signed_at: i64 = delivery
        .signature
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    let late = Webhook::construct_event_with_timestamp(
        &delivery.body,
        &delivery.signature,
        SECRET,
        signed_at + 301,
    );
    assert!(
        matches!(late, Err(WebhookError::BadTimestamp(_))),
        "{late:?}"
    );
    let in_time = Webhook::construct_event_with_timestamp(
        &delivery.body,
        &delivery.signature,
        SECRET,
        signed_at + 299,
    );
    assert!(in_time.is_ok(), "within 300 s it still verifies");
}

#[tokio::test]
async fn endpoint_failing_twice_receives_the_same_event_three_times() {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(&[500, 500]).await;
    receiver.attach(&app);
    app.stripe()
        .create("v1/customers", &[("email", "a@b.test")])
        .await;

    // Settled: the emulator has stopped trying, so no attempt is still to come.
    let log = app.emulator().webhooks().settled(PATIENCE).await.unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(
        log[0].attempts,
        [500, 500, 200].map(|s| Attempt::Answered(StatusCode::from_u16(s).unwrap())),
        "retried until the first 2xx"
    );
    let deliveries = receiver.deliveries();
    assert_eq!(
        deliveries.len(),
        3,
        "delivered until the first 2xx, then stopped"
    );
    let ids: Vec<_> = deliveries.iter().map(|d| d.event()["id"].clone()).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "same event id each time: {ids:?}"
    );
    for delivery in &deliveries {
        Webhook::construct_event(&delivery.body, &delivery.signature, SECRET)
            .expect("each attempt is signed");
    }
}

#[tokio::test]
async fn an_endpoint_that_times_out_gets_the_event_again() {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(&[TOO_SLOW]).await;
    receiver.attach(&app);
    app.stripe()
        .create("v1/customers", &[("email", "a@b.test")])
        .await;
    let deliveries = receiver.wait_until(|d| d.len() >= 2).await;
    assert_eq!(deliveries[0].event()["id"], deliveries[1].event()["id"]);
    let event_id = deliveries[0].event()["id"].as_str().unwrap().to_owned();
    let webhooks = app.emulator().webhooks();
    assert_eq!(
        webhooks.delivered(&event_id, PATIENCE).await.unwrap(),
        StatusCode::OK
    );
    let attempts = &webhooks.deliveries()[0].attempts;
    assert_eq!(
        attempts,
        &[Attempt::TimedOut, Attempt::Answered(StatusCode::OK)]
    );
}

#[tokio::test]
async fn a_payment_emits_its_events_in_order() {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    confirmed_intent(&app, "2000", "pm_card_visa").await;
    receiver.wait_until(|d| d.len() >= 4).await;
    assert_eq!(
        receiver.types(),
        [
            "payment_intent.created",
            "payment_intent.processing",
            "charge.succeeded",
            "payment_intent.succeeded"
        ]
    );
}

/// An emulator whose endpoint answers `statuses` in turn (then 200), once a customer was
/// created: the receiver and the id of the `customer.created` event.
async fn customer_created_answered(statuses: &[u16]) -> (TestEmulator, Receiver, String) {
    let app = app_with_secret().await;
    let receiver = Receiver::spawn(statuses).await;
    receiver.attach(&app);
    app.stripe()
        .create("v1/customers", &[("email", "a@b.test")])
        .await;
    let events = stripe_ok(app.stripe().get("v1/events?type=customer.created").await).await;
    assert_eq!(events["data"].as_array().unwrap().len(), 1, "{events}");
    let event = events["data"][0]["id"].as_str().unwrap().to_owned();
    (app, receiver, event)
}

#[tokio::test]
async fn the_deliverer_reports_each_attempt_and_the_answer_that_delivered_an_event() {
    let (app, receiver, event) = customer_created_answered(&[503]).await;

    let webhooks = app.emulator().webhooks();
    assert_eq!(
        webhooks.delivered(&event, PATIENCE).await.unwrap(),
        StatusCode::OK
    );
    let log = webhooks.deliveries();
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(
        (log[0].event_id.as_str(), log[0].event_type.as_str()),
        (event.as_str(), "customer.created")
    );
    assert_eq!(
        log[0].attempts,
        [
            Attempt::Answered(StatusCode::SERVICE_UNAVAILABLE),
            Attempt::Answered(StatusCode::OK)
        ]
    );
    assert!(log[0].finished);
    assert_eq!(log[0].delivered(), Some(StatusCode::OK));
    assert_eq!(
        receiver.deliveries().len(),
        2,
        "the log matches what arrived"
    );
}

#[tokio::test]
async fn an_event_never_answered_2xx_is_reported_undelivered_once_the_retries_run_out() {
    // `attach` allows one attempt and five retries; each is refused.
    let (app, _receiver, event) = customer_created_answered(&[500; 6]).await;

    let webhooks = app.emulator().webhooks();
    let log = webhooks.settled(PATIENCE).await.unwrap();
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(
        log[0].attempts,
        vec![Attempt::Answered(StatusCode::INTERNAL_SERVER_ERROR); 6]
    );
    assert!(log[0].finished);
    assert_eq!(log[0].delivered(), None);
    // Settled without a 2xx: `delivered` can only say no (at once, with no time to wait).
    let never = webhooks
        .delivered(&event, Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(never.0, log);
}
