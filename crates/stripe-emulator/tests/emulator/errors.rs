//! Stripe's error envelope and statuses: 400, 401, 402, 404.

use reqwest::Method;

use crate::support::spawn_emulator;
use crate::support::{confirmed_intent, payment_intent};
use stripe_emulator::test_client::stripe_error;

#[tokio::test]
async fn unknown_id_is_404_no_such() {
    let app = spawn_emulator().await;
    let (status, error) = stripe_error(app.stripe().get("v1/payment_intents/pi_nope").await).await;
    assert_eq!(status, 404);
    assert_eq!(error["type"], "invalid_request_error");
    assert_eq!(error["code"], "resource_missing");
    assert_eq!(error["param"], "id");
    assert_eq!(error["message"], "No such payment_intent: 'pi_nope'");
    let (status, error) = stripe_error(app.stripe().get("v1/customers/cus_nope").await).await;
    assert_eq!(
        (status, error["message"].as_str()),
        (404, Some("No such customer: 'cus_nope'"))
    );
}

#[tokio::test]
async fn missing_or_wrong_keys_are_401() {
    let app = spawn_emulator().await;
    let url = app.url("/v1/customers");
    let client = reqwest::Client::new();
    for key in [
        "sk_live_fake-key-never-real-1234",
        "pk_live_fake-key-never-real-1234",
        // Test keys too: only the key this emulator was started with is accepted.
        "sk_test_fake-key-never-real-1234",
        "sk_test_emulator_fake-key-never-real-1234",
        "rk_test_fake-key-never-real-1234",
        "pk_test_fake-key-never-real-1234",
        "nonsense",
    ] {
        let (status, error) =
            stripe_error(client.get(&url).bearer_auth(key).send().await.unwrap()).await;
        assert_eq!(status, 401, "{key}");
        assert_eq!(error["type"], "invalid_request_error");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("Invalid API Key provided"), "{message}");
        assert!(
            !message.contains("fake-key-never-real"),
            "the key is masked: {message}"
        );
    }
    let (status, error) = stripe_error(client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("You did not provide an API key")
    );
    let (status, _) = stripe_error(
        client
            .get(&url)
            .bearer_auth(app.emulator().publishable_key())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "a publishable key cannot list customers");
}

#[tokio::test]
async fn its_own_secret_key_works_as_bearer_or_as_curls_basic_user() {
    let app = spawn_emulator().await;
    let url = app.url("/v1/customers");
    let client = reqwest::Client::new();
    let key = app.stripe().key();
    let bearer = client.get(&url).bearer_auth(key).send().await.unwrap();
    assert_eq!(bearer.status(), 200);
    // curl -u sk_...: sends Basic with the key as user name and an empty password.
    let basic = client
        .get(&url)
        .basic_auth(key, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
}

#[tokio::test]
async fn fault_endpoints_need_the_secret_key() {
    let app = spawn_emulator().await;
    let client = reqwest::Client::new();
    let url = app.url("/_faults/api");
    let arm = |key: Option<&str>| {
        let request = client.post(&url).form(&[("mode", "error"), ("count", "1")]);
        match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
        .send()
    };
    for key in [
        None,
        Some("sk_test_someone-else"),
        Some(app.emulator().publishable_key()),
    ] {
        let (status, _) = stripe_error(arm(key).await.unwrap()).await;
        assert_eq!(status, 401, "{key:?}");
    }
    let status = app.stripe().get("v1/customers").await.status();
    assert_eq!(status, 200, "no fault was armed by the refused calls");
}

#[tokio::test]
async fn the_keys_are_shown_to_this_machine_only() {
    let app = spawn_emulator().await;
    let client = reqwest::Client::new();
    let shown: serde_json::Value = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["secret_key"], app.stripe().key());
    assert_eq!(shown["publishable_key"], app.emulator().publishable_key());
    assert_eq!(shown["api_base"], app.stripe().base());
    // Through a proxy the peer is loopback but the client is not.
    let proxied = client
        .get(app.url("/"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 403);
    assert!(!proxied.text().await.unwrap().contains("sk_test_"));
}

#[tokio::test]
async fn declined_card_is_402_card_error_with_the_intent() {
    let app = spawn_emulator().await;
    let intent = payment_intent(&app, "2000").await;
    let id = intent["id"].as_str().unwrap();
    let response = app
        .stripe()
        .post(
            &format!("v1/payment_intents/{id}/confirm"),
            &[("payment_method", "pm_card_chargeDeclined")],
        )
        .await;
    let (status, error) = stripe_error(response).await;
    assert_eq!(status, 402);
    assert_eq!(error["type"], "card_error");
    assert_eq!(error["code"], "card_declined");
    assert_eq!(error["decline_code"], "generic_decline");
    assert_eq!(error["message"], "Your card was declined.");
    assert_eq!(error["payment_intent"]["id"], id);
    assert_eq!(error["payment_intent"]["status"], "requires_payment_method");
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_parameter() {
    let app = spawn_emulator().await;
    let (status, error) = stripe_error(
        app.stripe()
            .post("v1/payment_intents", &[("currency", "usd")])
            .await,
    )
    .await;
    assert_eq!(
        (status, error["param"].as_str(), error["code"].as_str()),
        (400, Some("amount"), Some("parameter_missing"))
    );
    let (status, error) = stripe_error(
        app.stripe()
            .post(
                "v1/payment_intents",
                &[("amount", "12.5"), ("currency", "usd")],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (400, Some("Invalid integer: 12.5"))
    );
    let (status, error) = stripe_error(
        app.stripe()
            .post(
                "v1/payment_intents",
                &[("amount", "10"), ("currency", "usd")],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("amount_too_small"))
    );
    let (status, error) = stripe_error(
        app.stripe()
            .request(Method::DELETE, "v1/nothing_here", &[], &[])
            .await,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Unrecognized request URL")
    );
}

#[tokio::test]
async fn confirming_a_succeeded_intent_is_400_unexpected_state() {
    let app = spawn_emulator().await;
    let paid = confirmed_intent(&app, "2000", "pm_card_visa").await;
    let path = format!(
        "v1/payment_intents/{}/confirm",
        paid["id"].as_str().unwrap()
    );
    let (status, error) = stripe_error(app.stripe().post(&path, &[]).await).await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "payment_intent_unexpected_state");
    assert_eq!(
        error["message"],
        "You cannot confirm this PaymentIntent because it has a status of succeeded."
    );
}
