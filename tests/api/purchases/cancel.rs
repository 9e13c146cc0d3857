//! `POST /api/sessions/purchases/{id}/cancel`: an unpaid purchase is given up, in Stripe too.

use reqwest::StatusCode;
use serde_json::Value;

use super::{
    buy, confirm, get_purchase, other_institution_admin, pool, post_empty, signed_in_app,
    wait_for_status,
};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, error_message};

fn cancel_path(purchase: &Value) -> String {
    format!(
        "/api/sessions/purchases/{}/cancel",
        purchase["purchase_id"].as_str().unwrap()
    )
}

async fn intent_status(app: &TestApp, purchase: &Value) -> Value {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent}"))
            .await,
    )
    .await["status"]
        .clone()
}

#[tokio::test]
async fn canceling_a_pending_purchase_cancels_its_intent_and_the_purchase() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 5).await;

    let response = post_empty(&app, &cancel_path(&purchase)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let canceled: Value = response.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(intent_status(&app, &purchase).await, "canceled");
    assert_eq!(get_purchase(&app, &purchase).await["status"], "canceled");

    // Asking again changes nothing and is not an error.
    let again = post_empty(&app, &cancel_path(&purchase)).await;
    assert_eq!(again.status(), StatusCode::OK);
    // Nor can the canceled intent be paid any more.
    assert_eq!(
        confirm(&app, &purchase, "pm_card_visa").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn a_purchase_left_after_a_declined_card_can_be_canceled() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    confirm(&app, &purchase, "pm_card_chargeDeclined").await;
    wait_for_status(&app, &purchase, "failed").await;

    let response = post_empty(&app, &cancel_path(&purchase)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "canceled");
}

#[tokio::test]
async fn a_paid_purchase_cannot_be_canceled() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 3).await;
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    wait_for_status(&app, &purchase, "completed").await;

    let response = post_empty(&app, &cancel_path(&purchase)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(error_message(response).await.contains("paid"));
    assert_eq!(intent_status(&app, &purchase).await, "succeeded");
    assert_eq!(pool(&app).await, 3);
}

#[tokio::test]
async fn a_purchase_paid_before_the_app_heard_of_it_is_a_conflict_not_a_cancel() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let purchase = buy(&app, 4).await;
    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    // The app still thinks it is pending; Stripe refuses the cancel and the app learns why.
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");

    let response = post_empty(&app, &cancel_path(&purchase)).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "completed");
    assert_eq!(pool(&app).await, 4);
}

#[tokio::test]
async fn another_institutions_purchase_cannot_be_canceled() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 1).await;
    let other = other_institution_admin(&app).await;

    let response = other
        .post(app.url(&cancel_path(&purchase)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(get_purchase(&app, &purchase).await["status"], "pending");
    assert_eq!(
        intent_status(&app, &purchase).await,
        "requires_payment_method"
    );
}
