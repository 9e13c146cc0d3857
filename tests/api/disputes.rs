//! Disputes and refunds that fail, through the emulator's test cards (4000 0000 0000 0259 is
//! disputed at once, 4000 0000 0000 5126's refunds fail) and as live Stripe shapes them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::TestApp;
use crate::live_events::stripe_fixture;
use crate::purchases::{
    buy, confirm, deliver, emitted_event, get_purchase, paid_purchase, pool, refund_in_stripe,
    rows, sign, signed_in_app, sync, wait_for_status,
};

fn order(quantity: i64) -> Value {
    json!({"quantity": quantity, "plan": "annual"})
}

/// The purchase's dispute, as the emulator opened it.
async fn dispute_of(app: &TestApp, purchase: &Value) -> Value {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    emitted_event(app, "charge.dispute.created", intent).await["data"]["object"].clone()
}

/// A purchase of `quantity` sessions paid with test card `card`, once the app shows `status`.
async fn paid_with(app: &TestApp, quantity: i64, card: &str, status: &str) -> Value {
    let purchase = buy(app, quantity).await;
    assert_eq!(confirm(app, &purchase, card).await.status(), 200);
    wait_for_status(app, &purchase, status).await;
    purchase
}

/// Closes the dispute with Stripe's test evidence (`winning_evidence`, `losing_evidence`).
async fn decide(app: &TestApp, dispute: &Value, evidence: &str) {
    let id = dispute["id"].as_str().unwrap();
    let closed = stripe_ok(
        app.stripe()
            .post(
                &format!("v1/disputes/{id}"),
                &[("evidence[uncategorized_text]", evidence)],
            )
            .await,
    )
    .await;
    assert_eq!(closed["object"], "dispute");
}

#[tokio::test]
async fn a_dispute_holds_the_sessions_back_and_winning_it_gives_them_back_once() {
    let app = signed_in_app().await;
    let purchase = paid_with(&app, 4, "pm_card_createDispute", "disputed").await;
    assert_eq!(pool(&app).await, 0);

    decide(&app, &dispute_of(&app, &purchase).await, "winning_evidence").await;
    let won = wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(won["dispute_shortfall"], 0);
    app.settle().await;
    assert_eq!(pool(&app).await, 4);
    assert_eq!(
        rows(&app, "session_ledger").await,
        3,
        "bought, held back, given back"
    );
}

#[tokio::test]
async fn a_lost_dispute_keeps_the_sessions_out() {
    let app = signed_in_app().await;
    let purchase = paid_with(&app, 3, "pm_card_createDispute", "disputed").await;
    decide(&app, &dispute_of(&app, &purchase).await, "losing_evidence").await;
    wait_for_status(&app, &purchase, "dispute_lost").await;
    app.settle().await;
    assert_eq!(pool(&app).await, 0);
    assert_eq!(rows(&app, "session_ledger").await, 2);
}

#[tokio::test]
async fn a_dispute_never_takes_the_pool_below_zero_and_records_the_shortfall() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 5).await;
    assert_eq!(
        confirm(&app, &purchase, "pm_card_createDispute")
            .await
            .status(),
        200
    );
    assert_eq!(sync(&app, &purchase).await.status(), StatusCode::OK);
    let id = purchase["purchase_id"].as_str().unwrap();
    assert_eq!(pool(&app).await, 5);
    // Three of the sessions were used on the platform meanwhile.
    sqlx::query(
        "INSERT INTO session_ledger (id, institution_id, purchase_id, kind, source_id, sessions,
                                     amount, created_at)
         SELECT 'used-1', institution_id, id, 'usage', 'used-1', -3, 0, created_at
         FROM purchases WHERE id = $1",
    )
    .bind(id)
    .execute(app.db.pool())
    .await
    .unwrap();

    app.stripe().arm_fault("webhooks/release", &[]).await;
    let disputed = wait_for_status(&app, &purchase, "disputed").await;
    assert_eq!(disputed["dispute_shortfall"], 3);
    assert_eq!(pool(&app).await, 0);
}

/// A live-shaped `charge.dispute.*` event (Stripe's example dispute) about the purchase.
fn live_dispute_event(purchase: &Value, event_type: &str, status: &str, event_id: &str) -> String {
    let mut dispute = stripe_fixture("dispute");
    dispute["id"] = json!("dp_live_1");
    dispute["payment_intent"] = purchase["payment_intent_id"].clone();
    dispute["amount"] = purchase["amount"].clone();
    dispute["status"] = json!(status);
    let mut event = stripe_fixture("event");
    event["id"] = json!(event_id);
    event["type"] = json!(event_type);
    event["data"] = json!({ "object": dispute });
    event.to_string()
}

#[tokio::test]
async fn live_shaped_dispute_events_are_applied_once_each() {
    let app = signed_in_app().await;
    let purchase = paid_purchase(&app, &order(6)).await;
    app.settle().await;
    let created = live_dispute_event(
        &purchase,
        "charge.dispute.created",
        "needs_response",
        "evt_dp_1",
    );
    let won = live_dispute_event(&purchase, "charge.dispute.closed", "won", "evt_dp_2");
    for body in [&created, &created] {
        let answer = deliver(&app, body, Some(&sign(body))).await;
        assert_eq!(answer.status(), StatusCode::OK);
    }
    assert_eq!(get_purchase(&app, &purchase).await["status"], "disputed");
    assert_eq!(pool(&app).await, 0);
    for body in [&won, &won, &created] {
        let answer = deliver(&app, body, Some(&sign(body))).await;
        assert_eq!(answer.status(), StatusCode::OK);
    }
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 6);
    assert_eq!(rows(&app, "session_ledger").await, 3);
}

#[tokio::test]
async fn a_refund_that_fails_gives_the_sessions_back_once() {
    let app = signed_in_app().await;
    let purchase = paid_with(&app, 2, "pm_card_refundFail", "completed").await;
    refund_in_stripe(&app, &purchase, purchase["amount"].as_i64().unwrap()).await;
    app.settle().await;

    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "completed");
    assert_eq!(now["amount_refunded"], 0);
    assert_eq!(now["refund_failed_amount"], purchase["amount"]);
    assert_eq!(pool(&app).await, 2);
    assert_eq!(
        rows(&app, "session_ledger").await,
        3,
        "bought, refunded, refund failed"
    );
}

#[tokio::test]
async fn after_a_failed_refund_a_new_refund_of_the_same_total_takes_the_sessions_again() {
    let app = signed_in_app().await;
    let purchase = paid_with(&app, 2, "pm_card_refundFail", "completed").await;
    let amount = purchase["amount"].as_i64().unwrap();
    refund_in_stripe(&app, &purchase, amount).await;
    app.settle().await;
    assert_eq!(pool(&app).await, 2);

    // The finance office refunds again (say, to another card): Stripe's charge.refunded.
    let charge = stripe_ok(
        app.stripe()
            .get(&format!(
                "v1/payment_intents/{}",
                purchase["payment_intent_id"].as_str().unwrap()
            ))
            .await,
    )
    .await["latest_charge"]
        .clone();
    let mut refunded = stripe_fixture("charge");
    refunded["id"] = charge;
    refunded["payment_intent"] = purchase["payment_intent_id"].clone();
    refunded["amount"] = json!(amount);
    refunded["amount_refunded"] = json!(amount);
    refunded["currency"] = json!("usd");
    let mut event = stripe_fixture("event");
    event["id"] = json!("evt_second_refund");
    event["type"] = json!("charge.refunded");
    event["data"] = json!({ "object": refunded });
    let body = event.to_string();
    assert_eq!(
        deliver(&app, &body, Some(&sign(&body))).await.status(),
        StatusCode::OK
    );
    assert_eq!(get_purchase(&app, &purchase).await["status"], "refunded");
    assert_eq!(pool(&app).await, 0);
}
