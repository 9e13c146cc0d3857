//! Fault injection over HTTP: failing and hanging API calls; delayed, duplicated, reordered and
//! withheld webhooks.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::Receiver;
use crate::support::{TestEmulator, spawn_emulator};
use stripe_emulator::test_client::{eventually, stripe_error, stripe_ok};

/// An emulator whose webhooks go to a receiver of the test's own.
async fn with_receiver() -> (TestEmulator, Receiver) {
    let app = spawn_emulator().await;
    let receiver = Receiver::spawn(&[]).await;
    receiver.attach(&app);
    (app, receiver)
}

/// `GET _faults/{kind}`: what is armed or held.
async fn fault_status(app: &TestEmulator, kind: &str) -> Value {
    let response = app.stripe().get(&format!("_faults/{kind}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

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
    eventually("the timed-out call to create its customer", async || {
        let list = stripe_ok(app.stripe().get("v1/customers").await).await;
        match list["data"].as_array().unwrap().len() {
            1 => Ok(()),
            _ => Err(list),
        }
    })
    .await;
    // Its key is taken now; until its answer is stored, a retry is 409 (in flight).
    let retry = eventually("the retry to get the stored answer", async || {
        let retry = send().timeout(Duration::from_secs(5)).send().await.unwrap();
        match retry.status() {
            StatusCode::CONFLICT => Err(retry),
            _ => Ok(retry),
        }
    })
    .await;
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
    let (app, receiver) = with_receiver().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "duplicate")])
        .await;
    new_customer(&app, "a@b.test").await;
    let deliveries = receiver.wait_until(|d| d.len() >= 2).await;
    assert_eq!(deliveries[0].event()["id"], deliveries[1].event()["id"]);
}

#[tokio::test]
async fn webhooks_can_arrive_out_of_order() {
    let (app, receiver) = with_receiver().await;
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
    let (app, receiver) = with_receiver().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    new_customer(&app, "a@b.test").await;
    // Events are queued or held as they are emitted, so both are known once the call answered.
    assert_eq!(fault_status(&app, "webhooks").await["held"], 1);
    assert_eq!(app.emulator().webhooks().deliveries(), [], "nothing queued");
    assert!(receiver.deliveries().is_empty(), "withheld");
    app.stripe().arm_fault("webhooks/release", &[]).await;
    let deliveries = receiver.wait_until(|d| !d.is_empty()).await;
    assert_eq!(deliveries[0].event()["type"], "customer.created");
}

#[tokio::test]
async fn delayed_webhooks_never_hold_up_the_api_call() {
    let (app, receiver) = with_receiver().await;
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
}

#[tokio::test]
async fn reset_disarms_every_fault_and_drops_withheld_events() {
    let (app, receiver) = with_receiver().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    new_customer(&app, "withheld@b.test").await;
    app.stripe()
        .arm_fault("api", &[("mode", "error"), ("count", "5")])
        .await;
    let reset = app.stripe().post("_faults/reset", &[]).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);

    assert_eq!(fault_status(&app, "api").await["count"], 0);
    assert_eq!(fault_status(&app, "webhooks").await["held"], 0);
    let released = app.stripe().post("_faults/webhooks/release", &[]).await;
    assert_eq!(released.json::<Value>().await.unwrap()["released"], 0);
    let after = new_customer(&app, "after@b.test").await;
    let deliveries = receiver.wait_until(|d| !d.is_empty()).await;
    assert_eq!(deliveries[0].event()["data"]["object"]["id"], after);
    assert_eq!(
        app.emulator().webhooks().deliveries().len(),
        1,
        "only the new event was sent"
    );
}
