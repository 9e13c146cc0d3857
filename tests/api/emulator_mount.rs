//! The emulator exists only in offline test mode: with any Stripe key, above all a live one,
//! it is not mounted and its routes answer 404.

use crate::helpers::{backend, fresh_database, spawn_app, spawn_app_with};

const ROUTES: &[&str] = &[
    "/_emulator/stripe/v1/customers",
    "/_emulator/stripe/js/v3/",
    "/_emulator/stripe/_test/card-page",
];

#[tokio::test]
async fn live_keys_turn_the_emulator_off() {
    let app = spawn_app_with(
        fresh_database(backend()).await,
        &[
            ("STRIPE_SECRET_KEY", "sk_live_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ],
    )
    .await;
    assert!(app.stripe_emulator.is_none());
    for route in ROUTES {
        assert_eq!(app.get(route).await.status(), 404, "{route}");
    }
    let post = app
        .client
        .post(app.url("/_emulator/stripe/v1/customers"))
        .bearer_auth("sk_live_abc")
        .form(&[("email", "a@b.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn test_keys_use_real_stripe_so_the_emulator_is_off_too() {
    let app = spawn_app_with(
        fresh_database(backend()).await,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_abc"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_abc"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_abc"),
        ],
    )
    .await;
    assert!(app.stripe_emulator.is_none());
    assert_eq!(app.get(ROUTES[1]).await.status(), 404);
}

#[tokio::test]
async fn offline_mode_serves_the_api_and_the_stripe_js_stand_in() {
    let app = spawn_app().await;
    let js = app.get("/_emulator/stripe/js/v3/").await;
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    let body = js.text().await.unwrap();
    assert!(body.contains("confirmCardPayment") && body.contains("window.Stripe"));
    assert_eq!(
        app.get("/_emulator/stripe/_test/card-page").await.status(),
        200
    );
    assert_eq!(app.stripe().get("v1/customers").await.status(), 200);
}

#[tokio::test]
async fn offline_the_emulator_takes_only_the_key_the_app_generated_and_shows_it_locally() {
    let app = spawn_app().await;
    let shown = app.get("/_emulator/stripe/").await;
    assert_eq!(shown.status(), 200);
    let shown: serde_json::Value = shown.json().await.unwrap();
    let key = shown["secret_key"].as_str().unwrap();
    assert!(key.starts_with("sk_test_emulator_"), "{key}");
    assert_eq!(key, app.stripe().key());

    let with_key = |key: &str| {
        app.client
            .get(app.url("/_emulator/stripe/v1/customers"))
            .bearer_auth(key)
            .send()
    };
    assert_eq!(with_key(key).await.unwrap().status(), 200);
    for other in ["sk_test_abc", "sk_test_emulator_guessed", "sk_live_abc"] {
        assert_eq!(with_key(other).await.unwrap().status(), 401, "{other}");
    }
}
