//! Saved cards: a SetupIntent from the app, `confirmCardSetup` (here, the emulator's confirm
//! call), then list, record, make default and remove through `/api/stripe/payment-methods`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, error_message};
use crate::live_events::stripe_fixture;
use crate::purchases::rpc::rpc_as;
use crate::purchases::{
    buy, confirm, other_institution_admin, post_purchase, rows, signed_in_app, wait_for_status,
};
use crate::purchases::{deliver, sign};

/// Saves a test card (`pm_card_visa`...) through a SetupIntent the app made, as the browser's
/// `confirmCardSetup` does; the new payment method's id.
pub async fn save_card(app: &TestApp, token: &str) -> String {
    save_card_as(app, &app.client, token).await
}

/// As [`save_card`], for the institution `client` is signed in to.
async fn save_card_as(app: &TestApp, client: &reqwest::Client, token: &str) -> String {
    let response = client
        .post(app.url("/api/stripe/setup-intents"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let secret = body["client_secret"].as_str().unwrap();
    let intent = secret.split("_secret_").next().unwrap();
    let confirmed = stripe_ok(confirm_setup(app, intent, token).await).await;
    assert_eq!(confirmed["status"], "succeeded");
    confirmed["payment_method"].as_str().unwrap().to_owned()
}

/// Confirms the SetupIntent with a test card, as the browser's `confirmSetup` does.
async fn confirm_setup(app: &TestApp, intent: &str, token: &str) -> reqwest::Response {
    let path = format!("v1/setup_intents/{intent}/confirm");
    app.stripe().post(&path, &[("payment_method", token)]).await
}

async fn record(client: &reqwest::Client, app: &TestApp, body: Value) -> reqwest::Response {
    client
        .post(app.url("/api/stripe/payment-methods"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn cards(client: &reqwest::Client, app: &TestApp) -> Vec<Value> {
    let response = client
        .get(app.url("/api/stripe/payment-methods"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

fn ids_and_defaults(cards: &[Value]) -> Vec<(String, bool)> {
    cards
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["is_default"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn stripe_payment_method(app: &TestApp, id: &str) -> Value {
    stripe_ok(app.stripe().get(&format!("v1/payment_methods/{id}")).await).await
}

#[tokio::test]
async fn cards_are_saved_listed_made_default_and_removed() {
    let app = signed_in_app().await;
    assert!(cards(&app.client, &app).await.is_empty());

    let visa = save_card(&app, "pm_card_visa").await;
    let recorded = record(
        &app.client,
        &app,
        json!({"payment_method_id": visa, "set_default": true}),
    )
    .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(
        (
            &recorded["brand"],
            &recorded["last4"],
            &recorded["is_default"]
        ),
        (&json!("visa"), &json!("4242"), &json!(true))
    );
    assert_eq!(recorded["expired"], false);
    assert_eq!(recorded["exp_month"], 12);

    let mastercard = save_card(&app, "pm_card_mastercard").await;
    for _ in 0..2 {
        // Recording twice is harmless.
        let again = record(&app.client, &app, json!({"payment_method_id": mastercard})).await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(mastercard.clone(), false), (visa.clone(), true)]
    );

    let made_default = app
        .client
        .post(app.url(&format!("/api/stripe/payment-methods/{mastercard}/default")))
        .send()
        .await
        .unwrap();
    assert_eq!(made_default.status(), StatusCode::OK);
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(mastercard.clone(), true), (visa.clone(), false)]
    );

    let removed = app
        .client
        .delete(app.url(&format!("/api/stripe/payment-methods/{mastercard}")))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(visa.clone(), false)]
    );
    assert!(stripe_payment_method(&app, &mastercard).await["customer"].is_null());
}

#[tokio::test]
async fn another_institutions_card_is_not_found_on_every_route() {
    let app = signed_in_app().await;
    let visa = save_card(&app, "pm_card_visa").await;
    assert_eq!(
        record(
            &app.client,
            &app,
            json!({"payment_method_id": visa, "set_default": true})
        )
        .await
        .status(),
        StatusCode::OK
    );
    let other = other_institution_admin(&app).await;
    // The other institution has a customer and a card of its own.
    save_card_as(&app, &other, "pm_card_visa").await;

    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/stripe/payment-methods".into(),
            Some(json!({"payment_method_id": visa})),
        ),
        (
            Method::POST,
            "/api/stripe/payment-methods".into(),
            Some(json!({"payment_method_id": visa, "set_default": true})),
        ),
        (
            Method::POST,
            format!("/api/stripe/payment-methods/{visa}/default"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/stripe/payment-methods/{visa}"),
            None,
        ),
        (
            Method::POST,
            "/api/sessions/purchases".into(),
            Some(json!({"quantity": 1, "plan": "annual", "payment_method_id": visa})),
        ),
    ];
    for (method, path, body) in attempts {
        let mut request = other.request(method.clone(), app.url(&path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        error_message(response).await;
    }
    assert!(
        !cards(&other, &app)
            .await
            .iter()
            .any(|c| c["id"] == visa.as_str())
    );
    // Nothing changed for its owner, and no purchase was made.
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(visa.clone(), true)]
    );
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn unknown_and_malformed_card_ids_are_not_found() {
    let app = signed_in_app().await;
    save_card(&app, "pm_card_visa").await;
    for id in ["pm_doesnotexist", "card_123", "pm_a.b"] {
        let response = record(&app.client, &app, json!({"payment_method_id": id})).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
        let response = app
            .client
            .delete(app.url(&format!("/api/stripe/payment-methods/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
    }
    // A card that was never saved to anyone is not the institution's either.
    let loose = stripe_ok(
        app.stripe()
            .post(
                "v1/payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", "4242424242424242"),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2034"),
                ],
            )
            .await,
    )
    .await;
    let response = record(&app.client, &app, json!({"payment_method_id": loose["id"]})).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_purchase_can_be_paid_with_a_saved_card() {
    let app = signed_in_app().await;
    let visa = save_card(&app, "pm_card_visa").await;
    let response = post_purchase(
        &app,
        &json!({"quantity": 3, "plan": "annual", "payment_method_id": visa}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let purchase: Value = response.json().await.unwrap();
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let before = stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent}"))
            .await,
    )
    .await;
    assert_eq!(before["payment_method"], visa.as_str());

    // The browser confirms with the card already on the intent.
    let paid = app
        .stripe()
        .post(&format!("v1/payment_intents/{intent}/confirm"), &[])
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    wait_for_status(&app, &purchase, "completed").await;
}

#[tokio::test]
async fn save_card_keeps_the_new_card_for_later() {
    let app = signed_in_app().await;
    let response = post_purchase(
        &app,
        &json!({"quantity": 2, "plan": "annual", "save_card": true}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let purchase: Value = response.json().await.unwrap();
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let created = stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent}"))
            .await,
    )
    .await;
    assert_eq!(created["setup_future_usage"], "off_session");
    assert!(cards(&app.client, &app).await.is_empty());

    assert_eq!(confirm(&app, &purchase, "pm_card_visa").await.status(), 200);
    wait_for_status(&app, &purchase, "completed").await;
    let saved = cards(&app.client, &app).await;
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["last4"], "4242");

    // Without it, the card is not kept.
    let plain = buy(&app, 1).await;
    assert_eq!(
        confirm(&app, &plain, "pm_card_mastercard").await.status(),
        200
    );
    wait_for_status(&app, &plain, "completed").await;
    assert_eq!(cards(&app.client, &app).await.len(), 1);
}

#[tokio::test]
async fn the_billing_pages_card_functions_save_default_and_remove_for_their_institution_only() {
    let app = signed_in_app().await;
    let intent = start_setup(&app).await;
    let confirmed = stripe_ok(confirm_setup(&app, &intent, "pm_card_visa").await).await;
    let visa = confirmed["payment_method"].as_str().unwrap().to_owned();
    let (status, _) = rpc_as(
        &app.client,
        &app,
        "record_payment_method",
        &[("payment_method_id", &visa), ("set_default", "false")],
    )
    .await;
    assert_eq!(status, 200);
    let mastercard = save_card(&app, "pm_card_mastercard").await;

    let (_, listed) = rpc_as(&app.client, &app, "load_payment_methods", &[]).await;
    let listed: Vec<Value> = listed["data"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|card| card["is_default"] == false));

    // Another institution can touch none of it, and learns nothing.
    let other = other_institution_admin(&app).await;
    for name in ["make_default_payment_method", "remove_payment_method"] {
        let (status, _) = rpc_as(&other, &app, name, &[("payment_method_id", &visa)]).await;
        assert_eq!(status, 404, "{name}");
    }
    let (status, _) = rpc_as(
        &other,
        &app,
        "record_payment_method",
        &[("payment_method_id", &visa), ("set_default", "true")],
    )
    .await;
    assert_eq!(status, 404);
    let (_, theirs) = rpc_as(&other, &app, "load_payment_methods", &[]).await;
    assert_eq!(theirs["data"], json!([]));

    let (status, _) = rpc_as(
        &app.client,
        &app,
        "make_default_payment_method",
        &[("payment_method_id", &mastercard)],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = rpc_as(
        &app.client,
        &app,
        "remove_payment_method",
        &[("payment_method_id", &visa)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(mastercard, true)]
    );
}

/// The list is a copy kept by the server (a page view does not call Stripe); a change made at
/// Stripe outside the app shows once a webhook reports it.
#[tokio::test]
async fn the_card_list_is_a_copy_until_a_webhook_reports_a_change() {
    let app = signed_in_app().await;
    let visa = save_card(&app, "pm_card_visa").await;
    let recorded = record(&app.client, &app, json!({"payment_method_id": visa})).await;
    assert_eq!(recorded.status(), StatusCode::OK);
    // The emulator's own events about the new card have arrived; no change is pending.
    app.settle().await;
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(visa.clone(), false)]
    );

    // Detached in the Dashboard, say: Stripe changes, the app is not told yet.
    let customer = stripe_payment_method(&app, &visa).await["customer"].clone();
    stripe_ok(
        app.stripe()
            .post(&format!("v1/payment_methods/{visa}/detach"), &[])
            .await,
    )
    .await;
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(visa.clone(), false)],
        "served from the copy"
    );

    let mut detached = stripe_fixture("event");
    let mut card = stripe_fixture("payment_method");
    card["id"] = json!(visa);
    card["customer"] = Value::Null;
    detached["id"] = json!("evt_card_detached_in_dashboard");
    detached["type"] = json!("payment_method.detached");
    detached["data"] = json!({"object": card, "previous_attributes": {"customer": customer}});
    let body = detached.to_string();
    let delivered = deliver(&app, &body, Some(&sign(&body))).await;
    assert_eq!(delivered.status(), StatusCode::OK);
    assert!(cards(&app.client, &app).await.is_empty());
}

/// The SetupIntent id of a `start_payment_method_setup` answer.
async fn start_setup(app: &TestApp) -> String {
    let (status, setup) = rpc_as(&app.client, app, "start_payment_method_setup", &[]).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["client_secret"].as_str().unwrap();
    secret.split("_secret_").next().unwrap().to_owned()
}

async fn finish_setup(client: &reqwest::Client, app: &TestApp, id: &str) -> (u16, Value) {
    let form = [("setup_intent_id", id), ("set_default", "true")];
    rpc_as(client, app, "finish_payment_method_setup", &form).await
}

#[tokio::test]
async fn a_card_confirmed_on_the_banks_page_is_recorded_once_when_the_billing_page_reopens() {
    let app = signed_in_app().await;
    let declined = start_setup(&app).await;
    let refused = confirm_setup(&app, &declined, "pm_card_chargeDeclined").await;
    assert_eq!(refused.status(), 402);
    let (status, body) = finish_setup(&app.client, &app, &declined).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["Conflict"],
        "Your card was declined. Nothing was saved; try again or use another card."
    );

    let intent = start_setup(&app).await;
    let (status, _) = finish_setup(&app.client, &app, &intent).await;
    assert_eq!(status, 409, "not confirmed yet");
    let confirmed = stripe_ok(confirm_setup(&app, &intent, "pm_card_visa").await).await;
    let visa = confirmed["payment_method"].as_str().unwrap();

    // Another institution's intent, or no intent at all, is not found.
    let other = other_institution_admin(&app).await;
    assert_eq!(finish_setup(&other, &app, &intent).await.0, 404);
    for unknown in ["seti_unknown123", "seti_../customers", "pm_card_visa"] {
        assert_eq!(
            finish_setup(&app.client, &app, unknown).await.0,
            404,
            "{unknown}"
        );
    }
    // Stripe attached it on confirmation; the app has not made it the default.
    assert_eq!(
        ids_and_defaults(&cards(&app.client, &app).await),
        [(visa.to_owned(), false)]
    );

    // Reloading the page asks again: same answer, logged once.
    for _ in 0..2 {
        let (status, body) = finish_setup(&app.client, &app, &intent).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body[0]["id"], visa);
        assert_eq!(body[0]["last4"], "4242");
        assert_eq!(body[1]["data"][0]["id"], visa);
        assert_eq!(body[1]["data"][0]["is_default"], true);
    }
    let log = app
        .client
        .get(app.url("/api/audit-log?action=payment_method.added"))
        .send()
        .await
        .unwrap();
    let log: Value = log.json().await.unwrap();
    let added = log["data"].as_array().unwrap();
    assert_eq!(added.len(), 1, "{log}");
    assert_eq!(added[0]["object_id"], visa);
}
