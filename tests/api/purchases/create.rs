//! `POST /api/sessions/purchases`, listing and reading purchases.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    buy, other_institution_admin, post_purchase, refuse_purchase_inserts, rows, signed_in_app,
    signed_in_app_with,
};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{
    PASSWORD, backend, error_message, fresh_database, get_json_with, spawn_app_with,
};

#[tokio::test]
async fn a_purchase_creates_one_customer_and_an_intent_for_quantity_times_price() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 10).await;
    assert_eq!(purchase["amount"], 20_000);
    assert_eq!(purchase["currency"], "usd");
    assert_eq!(purchase["status"], "pending");
    assert!(
        purchase["client_secret"]
            .as_str()
            .unwrap()
            .contains("_secret_")
    );

    let intent_id = purchase["payment_intent_id"].as_str().unwrap();
    let intent = stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent_id}"))
            .await,
    )
    .await;
    assert_eq!(intent["amount"], 20_000);
    assert_eq!(intent["metadata"]["purchase_id"], purchase["purchase_id"]);
    let institution_id = intent["metadata"]["institution_id"].as_str().unwrap();

    let stored: Option<String> =
        sqlx::query_scalar("SELECT stripe_customer_id FROM institutions WHERE id = $1")
            .bind(institution_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(intent["customer"].as_str(), stored.as_deref());
    let customer = stripe_ok(
        app.stripe()
            .get(&format!("v1/customers/{}", stored.unwrap()))
            .await,
    )
    .await;
    assert_eq!(customer["name"], "State University");
    assert_eq!(customer["metadata"]["institution_id"], institution_id);

    // A second purchase reuses the customer.
    buy(&app, 1).await;
    let customers = stripe_ok(app.stripe().get("v1/customers").await).await;
    assert_eq!(customers["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_concurrent_first_purchases_make_one_stripe_customer() {
    let app = signed_in_app().await;
    let (a, b) = tokio::join!(buy(&app, 1), buy(&app, 2));
    let customers = stripe_ok(app.stripe().get("v1/customers").await).await;
    assert_eq!(
        customers["data"].as_array().unwrap().len(),
        1,
        "{customers}"
    );
    let customer_of = |purchase: &Value| {
        let id = purchase["payment_intent_id"].as_str().unwrap().to_owned();
        let app = &app;
        async move {
            stripe_ok(app.stripe().get(&format!("v1/payment_intents/{id}")).await).await["customer"]
                .clone()
        }
    };
    assert_eq!(customer_of(&a).await, customer_of(&b).await);
}

#[tokio::test]
async fn every_bad_input_is_400_naming_the_problem_and_writes_nothing() {
    let app = signed_in_app().await;
    let cases: &[(Value, &str)] = &[
        (json!({"plan": "annual"}), "\"quantity\" is required"),
        (json!({"quantity": 5}), "\"plan\" is required"),
        (
            json!({"quantity": 0, "plan": "annual"}),
            "between 1 and 10000",
        ),
        (
            json!({"quantity": 10_001, "plan": "annual"}),
            "between 1 and 10000",
        ),
        (
            json!({"quantity": -3, "plan": "annual"}),
            "between 1 and 10000",
        ),
        (json!({"quantity": 2.5, "plan": "annual"}), "whole number"),
        (json!({"quantity": "5", "plan": "annual"}), "whole number"),
        (json!({"quantity": 5, "plan": "monthly"}), "monthly"),
        (json!({"quantity": 5, "plan": null}), "\"plan\" is required"),
        (json!([5, "annual"]), "JSON object"),
        (
            json!({"quantity": 5, "plan": "annual", "po_number": "P".repeat(65)}),
            "\"po_number\" must be at most 64 characters",
        ),
        (
            json!({"quantity": 5, "plan": "annual", "po_number": 42}),
            "\"po_number\" must be text",
        ),
    ];
    for (body, expected) in cases {
        let response = post_purchase(&app, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let message = error_message(response).await;
        assert!(message.contains(expected), "{body}: {message}");
    }
    let not_json = app
        .client
        .post(app.url("/api/sessions/purchases"))
        .header("content-type", "application/json")
        .body("{\"quantity\": 5,")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    error_message(not_json).await;

    assert_eq!(rows(&app, "purchases").await, 0);
    assert_eq!(
        rows(&app, "institutions WHERE stripe_customer_id IS NOT NULL").await,
        0
    );
    let customers = stripe_ok(app.stripe().get("v1/customers").await).await;
    assert!(customers["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_body_over_64_kb_is_413_json() {
    let app = signed_in_app().await;
    let body = json!({"quantity": 1, "plan": "annual", "padding": "x".repeat(70 * 1024)});
    let response = post_purchase(&app, &body).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    error_message(response).await;
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn stripe_failing_on_create_gives_a_clear_error_and_no_payable_purchase() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("api", &[("mode", "error"), ("count", "10")])
        .await;
    let response = post_purchase(&app, &json!({"quantity": 3, "plan": "annual"})).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let message = error_message(response).await;
    assert!(message.contains("Nothing was charged"), "{message}");
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn stripe_not_answering_within_the_timeout_gives_a_clear_error_and_no_payable_purchase() {
    let app = signed_in_app_with(&[("STRIPE_TIMEOUT_SECS", "1")]).await;
    // The customer exists after a first purchase, so the next call is the intent's creation.
    let first = buy(&app, 1).await;
    app.stripe()
        .arm_fault(
            "api",
            &[("mode", "timeout"), ("hang_ms", "3000"), ("count", "1")],
        )
        .await;
    let started = Instant::now();
    let response = post_purchase(&app, &json!({"quantity": 3, "plan": "annual"})).await;
    let waited = started.elapsed();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        waited < Duration::from_millis(2500),
        "gave up at the 1 s timeout, not after Stripe's 3 s: {waited:?}"
    );
    let message = error_message(response).await;
    assert!(
        message.contains("not responding") && message.contains("Nothing was charged"),
        "{message}"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT id FROM purchases")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, [first["purchase_id"].as_str().unwrap()]);
}

#[tokio::test]
async fn an_intent_whose_purchase_cannot_be_stored_is_canceled() {
    let app = signed_in_app().await;
    refuse_purchase_inserts(&app).await;
    let response = post_purchase(&app, &json!({"quantity": 3, "plan": "annual"})).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    error_message(response).await;
    assert_eq!(rows(&app, "purchases").await, 0);
    let intents = stripe_ok(app.stripe().get("v1/payment_intents").await).await;
    let intents = intents["data"].as_array().unwrap();
    assert_eq!(
        intents.len(),
        1,
        "Stripe made the intent before the insert: {intents:?}"
    );
    assert_eq!(intents[0]["status"], "canceled");
    assert_eq!(intents[0]["cancellation_reason"], "abandoned");
}

#[tokio::test]
async fn purchases_are_listed_newest_first_with_pagination() {
    let app = signed_in_app().await;
    let mut ids = Vec::new();
    for quantity in 1..=3 {
        ids.push(buy(&app, quantity).await["purchase_id"].clone());
    }
    let page: Value = app
        .get("/api/sessions/purchases?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let data = page["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], ids[2]);
    assert_eq!(data[1]["id"], ids[1]);
    assert_eq!(data[0]["quantity"], 3);
    assert_eq!(page["has_more"], true);

    let last = data[1]["id"].as_str().unwrap();
    let rest: Value = app
        .get(&format!(
            "/api/sessions/purchases?limit=2&starting_after={last}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["data"][0]["id"], ids[0]);
    assert_eq!(rest["has_more"], false);

    let bad = app.get("/api/sessions/purchases?limit=0").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    error_message(bad).await;
}

#[tokio::test]
async fn a_status_the_app_does_not_know_is_a_server_error_not_a_pending_purchase() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    // Only the app writes statuses: an unknown one is damaged data, to be reported, not guessed.
    sqlx::query("UPDATE purchases SET status = 'on_hold' WHERE id = $1")
        .bind(purchase["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    let response = app.get("/api/sessions/purchases").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.text().await.unwrap();
    assert!(body.contains("Something went wrong on our side"), "{body}");
    for internal in ["on_hold", "status", "column", "decod"] {
        assert!(!body.contains(internal), "{internal} leaked: {body}");
    }
}

#[tokio::test]
async fn an_admin_of_another_institution_cannot_see_or_sync_a_purchase() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 4).await;
    let id = purchase["purchase_id"].as_str().unwrap();

    let other = other_institution_admin(&app).await;

    let seen = other
        .get(app.url(&format!("/api/sessions/purchases/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), StatusCode::NOT_FOUND);
    let synced = other
        .post(app.url(&format!("/api/sessions/purchases/{id}/sync")))
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status(), StatusCode::NOT_FOUND);
    let list = get_json_with(&other, app.url("/api/sessions/purchases")).await;
    assert!(list["data"].as_array().unwrap().is_empty(), "{list}");
    // The owner still sees it.
    let own = app.get(&format!("/api/sessions/purchases/{id}")).await;
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_api_key_is_a_clear_error_and_no_purchase() {
    // A second app whose Stripe is the first one's emulator, which refuses any key but its
    // own with 401.
    let emulator_host = signed_in_app().await;
    let base = emulator_host.stripe().base().to_owned();
    let app = spawn_app_with(
        fresh_database(backend()).await,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_refused_by_the_emulator"),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_refused_by_the_emulator"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_refused"),
            ("STRIPE_API_BASE", &base),
        ],
    )
    .await;
    app.add_admin("State University", super::ADMIN).await;
    assert_eq!(app.login(super::ADMIN, PASSWORD).await.status(), 200);

    let response = post_purchase(&app, &json!({"quantity": 3, "plan": "annual"})).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let message = error_message(response).await;
    assert!(message.contains("API key"), "{message}");
    assert_eq!(rows(&app, "purchases").await, 0);
}

/// The buying institution's stored customer id and where it came from.
async fn stored_customer(app: &crate::helpers::TestApp) -> (Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT stripe_customer_id, stripe_customer_origin FROM institutions
         WHERE name = 'State University'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_customer_made_by_the_emulator_is_not_kept_when_real_keys_arrive() {
    let offline = signed_in_app().await;
    buy(&offline, 1).await;
    let (emulator_customer, origin) = stored_customer(&offline).await;
    assert_eq!(origin.as_deref(), Some("emulator"));

    // The same database under test keys; "Stripe" is another app's emulator, with its key.
    let stripe = crate::helpers::spawn_app().await;
    let emulator = stripe.stripe_emulator.as_ref().unwrap();
    let keyed = spawn_app_with(
        crate::helpers::TestDatabase::shared(&offline.database),
        &[
            ("STRIPE_SECRET_KEY", stripe.stripe().key()),
            ("STRIPE_PUBLISHABLE_KEY", emulator.publishable_key()),
            ("STRIPE_WEBHOOK_SECRET", super::WEBHOOK_SECRET),
            ("STRIPE_API_BASE", stripe.stripe().base()),
        ],
    )
    .await;
    assert_eq!(
        stored_customer(&keyed).await,
        (None, None),
        "forgotten at start-up"
    );
    assert_eq!(keyed.login(super::ADMIN, PASSWORD).await.status(), 200);
    buy(&keyed, 1).await;
    let (test_customer, origin) = stored_customer(&keyed).await;
    assert_eq!(origin.as_deref(), Some("test"));
    assert_ne!(test_customer, emulator_customer);
    stripe_ok(
        stripe
            .stripe()
            .get(&format!("v1/customers/{}", test_customer.unwrap()))
            .await,
    )
    .await;
}
