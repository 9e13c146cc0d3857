//! `Idempotency-Key`: replay with the same parameters, 400 with others.

use crate::support::{TestEmulator, spawn_emulator};
use reqwest::{Method, Response};
use stripe_emulator::test_client::{stripe_error, stripe_ok};

async fn post_with_key(
    app: &TestEmulator,
    path: &str,
    form: &[(&str, &str)],
    key: &str,
) -> Response {
    app.stripe()
        .request(Method::POST, path, form, &[("Idempotency-Key", key)])
        .await
}

#[tokio::test]
async fn same_key_and_params_replay_the_stored_answer_without_a_second_object() {
    let app = spawn_emulator().await;
    let form = [
        ("amount", "2000"),
        ("currency", "usd"),
        ("metadata[order]", "42"),
    ];
    let first = post_with_key(&app, "v1/payment_intents", &form, "order-42").await;
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = stripe_ok(first).await;
    // Same parameters in another order are the same request.
    let reordered = [
        ("metadata[order]", "42"),
        ("currency", "usd"),
        ("amount", "2000"),
    ];
    let second = post_with_key(&app, "v1/payment_intents", &reordered, "order-42").await;
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second = stripe_ok(second).await;
    assert_eq!(first, second, "the stored response, byte for byte");
    let list = stripe_ok(app.stripe().get("v1/payment_intents").await).await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "only one intent was created"
    );
}

#[tokio::test]
async fn same_key_with_other_params_is_400_idempotency_error() {
    let app = spawn_emulator().await;
    stripe_ok(post_with_key(&app, "v1/customers", &[("email", "a@b.test")], "k-1").await).await;
    let other = post_with_key(&app, "v1/customers", &[("email", "c@d.test")], "k-1").await;
    let (status, error) = stripe_error(other).await;
    assert_eq!(status, 400);
    assert_eq!(error["type"], "idempotency_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("same parameters")
    );
}

#[tokio::test]
async fn errors_are_replayed_too_and_other_keys_are_independent() {
    let app = spawn_emulator().await;
    let form = [
        ("amount", "2000"),
        ("currency", "usd"),
        ("payment_method", "pm_card_chargeDeclined"),
        ("confirm", "true"),
    ];
    let first = post_with_key(&app, "v1/payment_intents", &form, "d-1").await;
    let (status, first) = stripe_error(first).await;
    assert_eq!(status, 402);
    let again = post_with_key(&app, "v1/payment_intents", &form, "d-1").await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let (status, again) = stripe_error(again).await;
    assert_eq!((status, &again), (402, &first));
    let fresh = post_with_key(&app, "v1/payment_intents", &form, "d-2").await;
    let (status, fresh) = stripe_error(fresh).await;
    assert_eq!(status, 402);
    assert_ne!(
        fresh["payment_intent"]["id"], first["payment_intent"]["id"],
        "a new key is a new request"
    );
}
