//! Stripe's test cards, each through the API: create the payment method from the number, then
//! pay with it.

use serde_json::Value;

use crate::support::{TestEmulator, latest_charge, spawn_emulator};
use crate::support::{card, customer, get, intent_form, payment_intent};
use stripe_emulator::test_client::{stripe_error, stripe_ok};

/// Confirms a new 2000-cent intent with the card; the intent, or the 402 error.
async fn pay(app: &TestEmulator, number: &str) -> Result<Value, Value> {
    let pm = card(app, number).await;
    let intent = payment_intent(app, "2000").await;
    let path = format!(
        "v1/payment_intents/{}/confirm",
        intent["id"].as_str().unwrap()
    );
    let response = app.stripe().post(&path, &[("payment_method", &pm)]).await;
    if response.status() == 200 {
        Ok(response.json().await.unwrap())
    } else {
        let (status, error) = stripe_error(response).await;
        assert_eq!(status, 402, "{error}");
        Err(error)
    }
}

/// Attaches payment method `pm` to `customer`: the raw answer.
async fn attach(app: &TestEmulator, pm: &str, customer: &str) -> reqwest::Response {
    app.stripe()
        .post(
            &format!("v1/payment_methods/{pm}/attach"),
            &[("customer", customer)],
        )
        .await
}

/// A refused call's status and Stripe error `code`.
async fn refusal(response: reqwest::Response) -> (u16, String) {
    let (status, error) = stripe_error(response).await;
    (
        status,
        error["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The cardholder's answer to the 3-D Secure challenge of intent `id`: `complete` or `fail`.
async fn authenticate(app: &TestEmulator, id: &str, result: &str) -> Value {
    app.stripe()
        .create(
            &format!("v1/payment_intents/{id}/authenticate"),
            &[("result", result)],
        )
        .await
}

#[tokio::test]
async fn card_4242_succeeds_and_keeps_brand_last4_expiry() {
    let app = spawn_emulator().await;
    let intent = pay(&app, "4242424242424242").await.expect("paid");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount_received"], 2000);
    let pm = get(
        &app,
        &format!(
            "v1/payment_methods/{}",
            intent["payment_method"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(pm["card"]["brand"], "visa");
    assert_eq!(pm["card"]["last4"], "4242");
    assert_eq!(
        (
            pm["card"]["exp_month"].as_i64(),
            pm["card"]["exp_year"].as_i64()
        ),
        (Some(12), Some(2034))
    );
    let charge = latest_charge(&app, &intent).await;
    assert_eq!(
        (charge["status"].as_str(), charge["paid"].as_bool()),
        (Some("succeeded"), Some(true))
    );
}

#[tokio::test]
async fn declining_cards_fail_with_stripes_codes() {
    let app = spawn_emulator().await;
    for (number, code, decline_code) in [
        ("4000000000000002", "card_declined", "generic_decline"),
        ("4000000000009995", "card_declined", "insufficient_funds"),
        ("4000000000000069", "expired_card", "expired_card"),
        ("4000000000000127", "incorrect_cvc", "incorrect_cvc"),
    ] {
        let error = pay(&app, number).await.expect_err(number);
        assert_eq!(error["type"], "card_error", "{number}");
        assert_eq!(error["code"], code, "{number}");
        assert_eq!(error["decline_code"], decline_code, "{number}");
        assert_eq!(
            error["payment_intent"]["last_payment_error"]["decline_code"], decline_code,
            "{number}"
        );
        assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
    }
}

#[tokio::test]
async fn three_d_secure_cards_require_action_then_succeed_or_fail() {
    let app = spawn_emulator().await;
    for number in ["4000002500003155", "4000002760003184"] {
        let challenged = pay(&app, number)
            .await
            .expect("no decline before the challenge");
        assert_eq!(challenged["status"], "requires_action", "{number}");
        assert_eq!(challenged["next_action"]["type"], "use_stripe_sdk");
        let id = challenged["id"].as_str().unwrap();
        let passed = authenticate(&app, id, "complete").await;
        assert_eq!(passed["status"], "succeeded", "{number}");

        let challenged = pay(&app, number).await.unwrap();
        let id = challenged["id"].as_str().unwrap();
        let failed = authenticate(&app, id, "fail").await;
        assert_eq!(failed["status"], "requires_payment_method", "{number}");
        assert_eq!(
            failed["last_payment_error"]["code"],
            "payment_intent_authentication_failure"
        );
    }
}

#[tokio::test]
async fn three_d_secure_card_off_session_is_declined_authentication_required() {
    let app = spawn_emulator().await;
    let pm = card(&app, "4000002760003184").await;
    let response = app
        .stripe()
        .post(
            "v1/payment_intents",
            &intent_form(
                "2000",
                &[
                    ("payment_method", &pm),
                    ("confirm", "true"),
                    ("off_session", "true"),
                ],
            ),
        )
        .await;
    assert_eq!(
        refusal(response).await,
        (402, "authentication_required".into())
    );
}

#[tokio::test]
async fn card_0341_attaches_to_a_customer_but_its_charge_fails() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let pm = card(&app, "4000000000000341").await;
    let attached = stripe_ok(attach(&app, &pm, &customer).await).await;
    assert_eq!(attached["customer"], customer.as_str());
    let response = app
        .stripe()
        .post(
            "v1/payment_intents",
            &intent_form(
                "2000",
                &[
                    ("customer", &customer),
                    ("payment_method", &pm),
                    ("confirm", "true"),
                ],
            ),
        )
        .await;
    let (status, error) = stripe_error(response).await;
    assert_eq!(
        (
            status,
            error["code"].as_str(),
            error["decline_code"].as_str()
        ),
        (402, Some("card_declined"), Some("generic_decline"))
    );
    // By contrast 0002 is refused at attach time already.
    let declining = card(&app, "4000000000000002").await;
    let response = attach(&app, &declining, &customer).await;
    assert_eq!(refusal(response).await, (402, "card_declined".into()));
}

#[tokio::test]
async fn invalid_card_details_are_402_naming_the_field() {
    let app = spawn_emulator().await;
    let create = |number: &'static str, month: &'static str| {
        let app = &app;
        async move {
            app.stripe()
                .post(
                    "v1/payment_methods",
                    &[
                        ("type", "card"),
                        ("card[number]", number),
                        ("card[exp_month]", month),
                        ("card[exp_year]", "2034"),
                    ],
                )
                .await
        }
    };
    let (status, error) = stripe_error(create("4242424242424241", "12").await).await;
    assert_eq!(
        (status, error["code"].as_str(), error["param"].as_str()),
        (402, Some("incorrect_number"), Some("card[number]"))
    );
    let (status, error) = stripe_error(create("4242424242424242", "13").await).await;
    assert_eq!(
        (status, error["code"].as_str(), error["param"].as_str()),
        (402, Some("invalid_expiry_month"), Some("card[exp_month]"))
    );
}
