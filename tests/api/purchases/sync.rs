//! `POST /api/sessions/purchases/{id}/sync`: reconciliation after the browser's confirmation.

use octavia_billing::server::purchases::service::sweep;

use reqwest::StatusCode;
use serde_json::Value;

use super::{buy, confirm, emitted_event, get_purchase, pool, rows, signed_in_app, sync};

#[tokio::test]
async fn sync_before_the_webhook_then_the_webhook_credits_once() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 6).await;
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);

    let synced = sync(&app, &purchase).await;
    assert_eq!(synced.status(), 200);
    let synced: Value = synced.json().await.unwrap();
    assert_eq!(synced["status"], "completed");
    assert_eq!(pool(&app).await, 6);

    // Now the withheld webhooks (processing, succeeded) arrive: recorded, but no second credit.
    app.stripe().arm_fault("webhooks/release", &[]).await;
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let succeeded = emitted_event(&app, "payment_intent.succeeded", intent).await;
    assert_eq!(
        app.delivered(succeeded["id"].as_str().unwrap()).await,
        StatusCode::OK
    );
    assert_eq!(
        rows(
            &app,
            "stripe_events WHERE type = 'payment_intent.succeeded'"
        )
        .await,
        1,
        "the handled event is recorded"
    );
    assert_eq!(pool(&app).await, 6);
    assert_eq!(rows(&app, "session_ledger").await, 1);
}

#[tokio::test]
async fn the_sweep_settles_purchases_left_unsettled_too_long() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let stale = buy(&app, 8).await;
    assert_eq!(confirm(&app, &stale, "pm_card_visa").await.status(), 200);
    let recent = buy(&app, 1).await;
    assert_eq!(confirm(&app, &recent, "pm_card_visa").await.status(), 200);
    // Make the first one an hour old: past the sweep's grace period, unlike the second.
    sqlx::query("UPDATE purchases SET created_at = created_at - 3600 WHERE id = $1")
        .bind(stale["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();

    let swept = sweep(&app.state).await.unwrap();
    assert_eq!(swept, 1);
    assert_eq!(get_purchase(&app, &stale).await["status"], "completed");
    assert_eq!(get_purchase(&app, &recent).await["status"], "pending");
    assert_eq!(pool(&app).await, 8);
}
