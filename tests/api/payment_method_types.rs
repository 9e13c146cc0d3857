//! `PAYMENT_METHODS`: what institutions may pay with goes on every PaymentIntent, and what can be
//! saved on every SetupIntent, as Stripe's `allowed_payment_method_types[]`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::TestApp;
use crate::purchases::{post_purchase, signed_in_app, signed_in_app_with};

/// The payment method types Stripe holds for a new purchase's and a new setup's intents.
async fn types_at_stripe(app: &TestApp) -> (Value, Value) {
    let purchase: Value = post_purchase(app, &json!({"quantity": 2, "plan": "annual"}))
        .await
        .json()
        .await
        .unwrap();
    let pi = purchase["payment_intent_id"].as_str().unwrap();
    let payment = stripe_ok(app.stripe().get(&format!("v1/payment_intents/{pi}")).await).await;
    let setup = app
        .client
        .post(app.url("/api/stripe/setup-intents"))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), StatusCode::CREATED);
    let secret = setup.json::<Value>().await.unwrap()["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let seti = secret.split("_secret_").next().unwrap();
    let setup = stripe_ok(app.stripe().get(&format!("v1/setup_intents/{seti}")).await).await;
    (
        payment["payment_method_types"].clone(),
        setup["payment_method_types"].clone(),
    )
}

#[tokio::test]
async fn intents_offer_cards_bank_debits_and_transfers_and_setups_save_what_can_be_saved() {
    let app = signed_in_app().await;
    let (payment, setup) = types_at_stripe(&app).await;
    assert_eq!(
        payment,
        json!(["card", "us_bank_account", "customer_balance"])
    );
    assert_eq!(setup, json!(["card", "us_bank_account"]));
}

#[tokio::test]
async fn payment_methods_configured_to_cards_only_offer_cards_only() {
    let app = signed_in_app_with(&[("PAYMENT_METHODS", "card")]).await;
    let (payment, setup) = types_at_stripe(&app).await;
    assert_eq!(payment, json!(["card"]));
    assert_eq!(setup, json!(["card"]));
}
