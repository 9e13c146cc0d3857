//! The background reconciliation: the sweep visits every due purchase in turn, abandoned
//! checkouts are canceled, and the jobs run on their own every `RECONCILE_INTERVAL_SECS`.

use octavia_billing::server::purchases::service::{cancel_abandoned, sweep};
use serde_json::Value;
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::TestApp;

use super::{buy, confirm, get_purchase, pool, signed_in_app, signed_in_app_with, wait_for_status};

/// Makes the purchase `secs` older, as if it had been created that long before.
async fn age(app: &TestApp, purchase: &Value, secs: i64) {
    sqlx::query("UPDATE purchases SET created_at = created_at - $2 WHERE id = $1")
        .bind(purchase["purchase_id"].as_str().unwrap())
        .bind(secs)
        .execute(app.db.pool())
        .await
        .unwrap();
}

async fn intent(app: &TestApp, purchase: &Value) -> Value {
    let id = purchase["payment_intent_id"].as_str().unwrap();
    stripe_ok(app.stripe().get(&format!("v1/payment_intents/{id}")).await).await
}

#[tokio::test]
async fn two_hundred_abandoned_checkouts_cannot_starve_a_paid_purchase() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    for _ in 0..200 {
        let abandoned = buy(&app, 1).await;
        age(&app, &abandoned, 3600).await;
    }
    let paid = buy(&app, 5).await;
    assert_eq!(confirm(&app, &paid, "pm_card_visa").await.status(), 200);
    age(&app, &paid, 3600).await;

    let mut runs = 0;
    while get_purchase(&app, &paid).await["status"] != "completed" {
        runs += 1;
        assert!(runs <= 2, "not credited within two sweeps");
        sweep(&app.state).await.unwrap();
    }
    assert_eq!(pool(&app).await, 5);
}

#[tokio::test]
async fn a_failed_purchase_paid_later_on_the_same_intent_is_credited_by_the_sweep() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 2).await;
    assert_eq!(
        confirm(&app, &purchase, "pm_card_chargeDeclined")
            .await
            .status(),
        402
    );
    age(&app, &purchase, 3600).await;
    sweep(&app.state).await.unwrap();
    assert_eq!(get_purchase(&app, &purchase).await["status"], "failed");

    // Another card on the same intent, its webhooks lost too.
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    sweep(&app.state).await.unwrap();
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 2);
}

#[tokio::test]
async fn checkouts_left_unpaid_past_the_configured_age_are_canceled_at_stripe() {
    let app = signed_in_app_with(&[("ABANDONED_CHECKOUT_HOURS", "2")]).await;
    let old = buy(&app, 1).await;
    age(&app, &old, 2 * 3600 + 60).await;
    let challenged = buy(&app, 1).await;
    assert_eq!(
        confirm(&app, &challenged, "pm_card_authenticationRequired")
            .await
            .status(),
        200
    );
    wait_for_status(&app, &challenged, "requires_action").await;
    age(&app, &challenged, 3 * 3600).await;
    let young = buy(&app, 1).await;
    age(&app, &young, 3600).await;

    assert_eq!(cancel_abandoned(&app.state).await.unwrap(), 2);
    for purchase in [&old, &challenged] {
        assert_eq!(get_purchase(&app, purchase).await["status"], "canceled");
        let intent = intent(&app, purchase).await;
        assert_eq!(
            (
                intent["status"].as_str(),
                intent["cancellation_reason"].as_str()
            ),
            (Some("canceled"), Some("abandoned"))
        );
    }
    assert_eq!(get_purchase(&app, &young).await["status"], "pending");
    assert_eq!(
        intent(&app, &young).await["status"],
        "requires_payment_method"
    );
    // Canceled ones are not looked at again.
    assert_eq!(cancel_abandoned(&app.state).await.unwrap(), 0);
    // The app canceled them on its own, and the audit log says so, whichever report of the
    // cancellation (its own call, Stripe's webhook) came first.
    let log: Value = app
        .get("/api/audit-log?action=purchase.canceled")
        .await
        .json()
        .await
        .unwrap();
    let actors: Vec<&str> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["system", "system"]);
}

#[tokio::test]
async fn the_jobs_run_by_themselves_every_reconcile_interval() {
    let app = signed_in_app_with(&[("RECONCILE_INTERVAL_SECS", "1")]).await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 4).await;
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    // Nothing but the background jobs can credit it: its webhooks are withheld.
    wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(pool(&app).await, 4);
}
