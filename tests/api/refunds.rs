//! Refunds made in the Stripe dashboard (here: directly in the emulator) reach the app as
//! `charge.refunded`: the purchase becomes `partially_refunded` or `refunded`, and the refunded
//! share of its sessions leaves the pool once per refund, however often the event arrives.

use reqwest::StatusCode;
use serde_json::{Value, json};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, eventually};
use crate::live_events::stripe_fixture;
use crate::purchases::webhook_delivery::stored;
use crate::purchases::{
    buy, confirm, deliver, get_purchase, paid_purchase, pool, refund_in_stripe, rows, sign,
    signed_in_app, wait_for_status,
};

/// A purchase of `quantity` sessions (annual plan, $20 each), paid with a good card.
async fn paid(app: &TestApp, quantity: i64) -> Value {
    paid_purchase(app, &json!({"quantity": quantity, "plan": "annual"})).await
}

/// Waits for the pool to hold `expected` sessions.
async fn wait_for_pool(app: &TestApp, expected: i64) {
    eventually(
        &format!("the pool to hold {expected} sessions"),
        async || match pool(app).await {
            now if now == expected => Ok(()),
            now => Err(now),
        },
    )
    .await
}

async fn refund_rows(app: &TestApp) -> i64 {
    rows(app, "session_ledger WHERE kind = 'refund'").await
}

#[tokio::test]
async fn a_full_refund_marks_the_purchase_refunded_and_takes_its_sessions_back() {
    let app = signed_in_app().await;
    let kept = paid(&app, 3).await;
    let refunded = paid(&app, 10).await;
    assert_eq!(pool(&app).await, 13);

    refund_in_stripe(&app, &refunded, 20_000).await;
    let view = wait_for_status(&app, &refunded, "refunded").await;
    assert_eq!(view["amount_refunded"], 20_000);
    wait_for_pool(&app, 3).await;
    assert_eq!(get_purchase(&app, &kept).await["status"], "completed");
    assert_eq!(refund_rows(&app).await, 1);
}

#[tokio::test]
async fn partial_refunds_take_back_the_refunded_share_once_each_even_delivered_twice() {
    let app = signed_in_app().await;
    let purchase = paid(&app, 10).await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "duplicate")])
        .await;

    // $50 of $200: two and a half sessions' worth, so 2 sessions.
    refund_in_stripe(&app, &purchase, 5_000).await;
    let view = wait_for_status(&app, &purchase, "partially_refunded").await;
    assert_eq!(view["amount_refunded"], 5_000);
    wait_for_pool(&app, 8).await;

    // $30 more, $80 in all: 4 sessions in all, so 2 more.
    refund_in_stripe(&app, &purchase, 3_000).await;
    wait_for_pool(&app, 6).await;
    assert_eq!(
        get_purchase(&app, &purchase).await["status"],
        "partially_refunded"
    );

    // The rest: all 10 sessions back, the purchase refunded.
    refund_in_stripe(&app, &purchase, 12_000).await;
    wait_for_status(&app, &purchase, "refunded").await;
    wait_for_pool(&app, 0).await;

    // Each refund was delivered twice, and both deliveries were handled: debited once.
    let refunds = stripe_ok(app.stripe().get("v1/events?type=charge.refunded").await).await;
    let refunds = refunds["data"].as_array().unwrap();
    assert_eq!(refunds.len(), 3);
    for event in refunds {
        let id = event["id"].as_str().unwrap();
        assert_eq!(app.delivered(id).await, StatusCode::OK);
        let deliveries = app.emulator().webhooks().deliveries();
        assert_eq!(deliveries.iter().filter(|d| d.event_id == id).count(), 2);
    }
    assert_eq!(refund_rows(&app).await, 3);
    assert_eq!(pool(&app).await, 0);
    assert_eq!(
        rows(&app, "stripe_events WHERE type = 'charge.refunded'").await,
        3
    );
}

/// A `charge.refunded` built from Stripe's own example charge, for the purchase's payment (its
/// 201 body)
/// with `amount_refunded` of it refunded: the status-dependent fields set as a live event in
/// that state carries them, every other field as the fixture has it.
fn live_shaped_refund(
    purchase: &Value,
    charge_id: &str,
    amount_refunded: i64,
    event: &str,
) -> String {
    let amount = purchase["amount"].as_i64().unwrap();
    let mut charge = stripe_fixture("charge");
    charge["id"] = json!(charge_id);
    charge["payment_intent"] = purchase["payment_intent_id"].clone();
    charge["amount"] = json!(amount);
    charge["amount_captured"] = json!(amount);
    charge["amount_refunded"] = json!(amount_refunded);
    charge["refunded"] = json!(amount_refunded == amount);
    charge["captured"] = json!(true);
    charge["paid"] = json!(true);
    charge["status"] = json!("succeeded");
    charge["currency"] = json!("usd");
    let mut envelope = stripe_fixture("event");
    envelope["id"] = json!(event);
    envelope["type"] = json!("charge.refunded");
    envelope["data"] = json!({ "object": charge });
    envelope.to_string()
}

#[tokio::test]
async fn a_live_shaped_charge_refunded_is_applied_once_and_a_stale_total_changes_nothing() {
    let app = signed_in_app().await;
    let purchase = paid(&app, 10).await;

    // 60% refunded: 6 sessions back. Delivered twice: still 6.
    let body = live_shaped_refund(&purchase, "ch_live_1", 12_000, "evt_live_refund_1");
    for _ in 0..2 {
        assert_eq!(
            deliver(&app, &body, Some(&sign(&body))).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(pool(&app).await, 4);
    assert_eq!(
        get_purchase(&app, &purchase).await["status"],
        "partially_refunded"
    );

    // An older event (30% refunded so far) arriving late takes nothing more back.
    let stale = live_shaped_refund(&purchase, "ch_live_1", 6_000, "evt_live_refund_0");
    assert_eq!(
        deliver(&app, &stale, Some(&sign(&stale))).await.status(),
        StatusCode::OK
    );
    assert_eq!(pool(&app).await, 4);
    let view = get_purchase(&app, &purchase).await;
    assert_eq!(view["amount_refunded"], 12_000);
    assert_eq!(refund_rows(&app).await, 1);
}

/// A paid 2-session purchase whose full refund (`event_id`) reached the app before the payment's
/// own events: refused with 503 and kept unprocessed with why. Then the payment's events are
/// delivered. The purchase id and the refund event's body.
async fn refund_seen_before_its_payment(app: &TestApp, event_id: &str) -> (Value, String) {
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(app, 2).await;
    assert_eq!(confirm(app, &purchase, "pm_card_visa").await.status(), 200);
    let body = live_shaped_refund(&purchase, &format!("ch_{event_id}"), 4_000, event_id);
    let early = deliver(app, &body, Some(&sign(&body))).await;
    assert_eq!(early.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (processed, error) = stored(app, event_id).await.expect("kept");
    assert!(!processed);
    assert!(error.is_some());
    app.stripe().arm_fault("webhooks/release", &[]).await;
    wait_for_status(app, &purchase, "completed").await;
    (purchase, body)
}

#[tokio::test]
async fn a_refund_of_a_payment_not_yet_seen_is_refused_for_redelivery() {
    let app = signed_in_app().await;
    let (purchase, body) = refund_seen_before_its_payment(&app, "evt_early_refund").await;
    // Once the payment is known, the redelivered refund applies.
    assert_eq!(
        deliver(&app, &body, Some(&sign(&body))).await.status(),
        StatusCode::OK
    );
    assert_eq!(get_purchase(&app, &purchase).await["status"], "refunded");
    assert_eq!(pool(&app).await, 0);
    assert_eq!(stored(&app, "evt_early_refund").await, Some((true, None)));
}

#[tokio::test]
async fn replay_events_processes_a_kept_event_once_its_cause_is_gone() {
    let app = signed_in_app().await;
    let (purchase, _) = refund_seen_before_its_payment(&app, "evt_replayed_refund").await;
    assert_eq!(pool(&app).await, 2);

    // The operator's command, on the same database; Stripe never redelivered the refund.
    let dir = tempfile::tempdir().unwrap();
    let replay = |args: &[&str]| {
        crate::cli::binary(dir.path())
            .env("DATABASE_URL", &app.database.url)
            .arg("replay-events")
            .args(args)
            .output()
    };
    let later = replay(&["--since", "2999-01-01"]).await.unwrap();
    assert_eq!(later.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&later.stdout).contains(": 0 processed"));
    assert_eq!(
        stored(&app, "evt_replayed_refund").await.map(|s| s.0),
        Some(false)
    );

    let output = replay(&[]).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(": 1 processed"), "{stdout}");
    assert_eq!(
        stored(&app, "evt_replayed_refund").await,
        Some((true, None))
    );
    assert_eq!(get_purchase(&app, &purchase).await["status"], "refunded");
    assert_eq!(pool(&app).await, 0);

    let bad_date = replay(&["--since", "yesterday"]).await.unwrap();
    assert_eq!(bad_date.status.code(), Some(2));
}
