//! Webhooks as Stripe sends them: signed, verified by async-stripe's own verifier, retried.

use stripe_webhook::{Webhook, WebhookError};

use stripe_emulator::test_client::stripe_ok;

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

    let deliveries = receiver.wait_until(|d| d.len() >= 3).await;
    // Give a fourth (wrong) attempt the time to show up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let deliveries_after = receiver.deliveries();
    assert_eq!(
        deliveries_after.len(),
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
