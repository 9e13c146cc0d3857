//! Fault injection over HTTP: failing and hanging API calls; delayed, duplicated, reordered and
//! withheld webhooks.

use std::time::{Duration, Instant};

use crate::support::Receiver;
use crate::support::{TestEmulator, spawn_emulator};
use stripe_emulator::test_client::{stripe_error, stripe_ok};

async fn new_customer(app: &TestEmulator, email: &str) -> String {
    app.stripe()
        .create("v1/customers", &[("email", email)])
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn next_n_api_calls_fail_with_500_then_calls_work_again() {
    let app = spawn_emulator().await;
    app.stripe()
        .arm_fault("api", &[("mode", "error"), ("count", "2")])
        .await;
    for _ in 0..2 {
        let (status, error) = stripe_error(app.stripe().post("v1/customers", &[]).await).await;
        assert_eq!((status, error["type"].as_str()), (500, Some("api_error")));
    }
    stripe_ok(app.stripe().post("v1/customers", &[]).await).await;
    let list = stripe_ok(app.stripe().get("v1/customers").await).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "failed calls created nothing"
    );
}

#[tokio::test]
async fn a_timed_out_call_still_happens_and_an_idempotent_retry_returns_it() {
    let app = spawn_emulator().await;
    app.stripe()
        .arm_fault(
            "api",
            &[("mode", "timeout"), ("count", "1"), ("hang_ms", "800")],
        )
        .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let url = format!("{}v1/customers", app.stripe().base());
    let send = || {
        client
            .post(&url)
            .bearer_auth(app.stripe().key())
            .header("Idempotency-Key", "retry-me")
            .form(&[("email", "a@b.test")])
    };
    let timed_out = send().send().await.unwrap_err();
    assert!(timed_out.is_timeout(), "{timed_out}");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let retry = send().timeout(Duration::from_secs(5)).send().await.unwrap();
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    stripe_ok(retry).await;
    let list = stripe_ok(app.stripe().get("v1/customers").await).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "one customer, not two"
    );
}

#[tokio::test]
async fn webhooks_can_be_duplicated() {
    let app = spawn_emulator().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    app.stripe()
        .arm_fault("webhooks", &[("mode", "duplicate")])
        .await;
    new_customer(&app, "a@b.test").await;
    let deliveries = receiver.wait_until(|d| d.len() >= 2).await;
    assert_eq!(deliveries[0].event()["id"], deliveries[1].event()["id"]);
}

#[tokio::test]
async fn webhooks_can_arrive_out_of_order() {
    let app = spawn_emulator().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    app.stripe()
        .arm_fault("webhooks", &[("mode", "out_of_order"), ("count", "2")])
        .await;
    let first = new_customer(&app, "first@b.test").await;
    let second = new_customer(&app, "second@b.test").await;
    let deliveries = receiver.wait_until(|d| d.len() >= 2).await;
    let order: Vec<_> = deliveries
        .iter()
        .map(|d| {
            d.event()["data"]["object"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(order, [second, first]);
}

#[tokio::test]
async fn withheld_webhooks_arrive_only_when_released() {
    let app = spawn_emulator().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    new_customer(&app, "a@b.test").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.deliveries().is_empty(), "withheld");
    app.stripe().arm_fault("webhooks/release", &[]).await;
    let deliveries = receiver.wait_until(|d| !d.is_empty()).await;
    assert_eq!(deliveries[0].event()["type"], "customer.created");
}

#[tokio::test]
async fn delayed_webhooks_never_hold_up_the_api_call() {
    let app = spawn_emulator().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    app.stripe()
        .arm_fault("webhooks", &[("mode", "delay"), ("delay_ms", "600")])
        .await;
    let started = Instant::now();
    new_customer(&app, "a@b.test").await;
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the call did not wait for delivery"
    );
    assert!(receiver.deliveries().is_empty());
    receiver.wait_until(|d| !d.is_empty()).await;
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "delivered after the delay"
    );
    app.stripe().arm_fault("reset", &[]).await;
}
