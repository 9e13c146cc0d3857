//! `Idempotency-Key` on `POST /api/sessions/purchases`: a repeated request returns the first
//! purchase and creates nothing, in the database or at Stripe.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    other_institution_admin, post_purchase_with_key, refuse_purchase_inserts, rows, signed_in_app,
};
use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, error_message};

const KEY: &str = "0b5e7d1c-2f4a-4e8b-9c1d-3a6f5e7b8c9d";

fn order(quantity: i64) -> Value {
    json!({"quantity": quantity, "plan": "annual"})
}

/// The answer's status and body, with whether it said `Idempotent-Replayed: true`.
async fn answer(response: reqwest::Response) -> (StatusCode, bool, Value) {
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    (status, replayed, response.json().await.unwrap())
}

async fn intents_at_stripe(app: &TestApp) -> usize {
    let list = stripe_ok(app.stripe().get("v1/payment_intents?limit=100").await).await;
    list["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_repeated_request_returns_the_first_purchase_and_creates_nothing() {
    let app = signed_in_app().await;
    let (status, replayed, first) =
        answer(post_purchase_with_key(&app, &order(3), KEY).await).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");

    let (status, replayed, again) =
        answer(post_purchase_with_key(&app, &order(3), KEY).await).await;
    assert_eq!((status, replayed), (StatusCode::OK, true), "{again}");
    assert_eq!(again, first, "same purchase, intent and client secret");
    assert_eq!(rows(&app, "purchases").await, 1);
    assert_eq!(intents_at_stripe(&app).await, 1);
}

#[tokio::test]
async fn racing_requests_with_one_key_make_one_purchase_and_one_intent() {
    let app = signed_in_app().await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (client, url) = (app.client.clone(), app.url("/api/sessions/purchases"));
        requests.spawn(async move {
            let response = client
                .post(url)
                .header("idempotency-key", KEY)
                .json(&order(5))
                .send()
                .await
                .unwrap();
            answer(response).await
        });
    }
    let answers = requests.join_all().await;
    let mut statuses: Vec<_> = answers.iter().map(|(status, ..)| *status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::CREATED
        ],
        "exactly one request made it, the others were given its answer: {answers:?}"
    );
    for (status, replayed, body) in &answers {
        assert_eq!(*replayed, *status == StatusCode::OK);
        assert_eq!(body, &answers[0].2);
    }
    assert_eq!(rows(&app, "purchases").await, 1);
    assert_eq!(intents_at_stripe(&app).await, 1);
}

#[tokio::test]
async fn the_same_key_for_another_order_is_409_naming_the_first_order() {
    let app = signed_in_app().await;
    let (status, ..) = answer(post_purchase_with_key(&app, &order(3), KEY).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let other = json!({"quantity": 3, "plan": "quarterly"});
    let response = post_purchase_with_key(&app, &other, KEY).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let message = error_message(response).await;
    assert!(
        message.contains("3 sessions on the annual plan") && message.contains("new key"),
        "{message}"
    );
    assert_eq!(rows(&app, "purchases").await, 1);
    assert_eq!(intents_at_stripe(&app).await, 1);
}

#[tokio::test]
async fn another_institution_reusing_a_key_gets_its_own_purchase() {
    let app = signed_in_app().await;
    let (_, _, ours) = answer(post_purchase_with_key(&app, &order(3), KEY).await).await;

    let other = other_institution_admin(&app).await;
    let response = other
        .post(app.url("/api/sessions/purchases"))
        .header("idempotency-key", KEY)
        .json(&order(3))
        .send()
        .await
        .unwrap();
    let (status, _, theirs) = answer(response).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert_ne!(theirs["purchase_id"], ours["purchase_id"]);
    assert_ne!(theirs["payment_intent_id"], ours["payment_intent_id"]);
    assert_eq!(rows(&app, "purchases").await, 2);
}

#[tokio::test]
async fn a_malformed_key_is_400_naming_the_problem_and_writes_nothing() {
    let app = signed_in_app().await;
    let long = "k".repeat(256);
    let cases = [
        ("", "empty"),
        (long.as_str(), "at most 255"),
        ("tab\tinside", "printable ASCII"),
        ("café", "printable ASCII"),
    ];
    for (key, expected) in cases {
        let response = post_purchase_with_key(&app, &order(1), key).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key:?}");
        let message = error_message(response).await;
        assert!(
            message.contains("Idempotency-Key") && message.contains(expected),
            "{key:?}: {message}"
        );
    }
    assert_eq!(rows(&app, "purchases").await, 0);
    assert_eq!(rows(&app, "purchase_idempotency_keys").await, 0);
    assert_eq!(intents_at_stripe(&app).await, 0);
}

#[tokio::test]
async fn a_key_whose_request_failed_at_stripe_can_be_retried() {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("api", &[("mode", "error"), ("count", "1")])
        .await;
    let failed = post_purchase_with_key(&app, &order(2), KEY).await;
    assert_eq!(failed.status(), StatusCode::BAD_GATEWAY);
    let (status, replayed, retried) =
        answer(post_purchase_with_key(&app, &order(2), KEY).await).await;
    assert_eq!(
        (status, replayed),
        (StatusCode::CREATED, false),
        "{retried}"
    );
    assert_eq!(rows(&app, "purchases").await, 1);
}

#[tokio::test]
async fn a_key_whose_purchase_could_not_be_stored_gets_a_fresh_intent_on_retry() {
    let app = signed_in_app().await;
    let undo = refuse_purchase_inserts(&app).await;
    let failed = post_purchase_with_key(&app, &order(2), KEY).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    sqlx::raw_sql(undo).execute(app.db.pool()).await.unwrap();

    let (status, _, retried) = answer(post_purchase_with_key(&app, &order(2), KEY).await).await;
    assert_eq!(status, StatusCode::CREATED, "{retried}");
    let intent_id = retried["payment_intent_id"].as_str().unwrap();
    let intent = stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent_id}"))
            .await,
    )
    .await;
    assert_eq!(
        intent["status"], "requires_payment_method",
        "payable, not the canceled one"
    );
    assert_eq!(intents_at_stripe(&app).await, 2);
}

#[tokio::test]
async fn the_same_key_with_another_card_choice_is_409() {
    let app = signed_in_app().await;
    let (status, ..) = answer(post_purchase_with_key(&app, &order(3), KEY).await).await;
    assert_eq!(status, StatusCode::CREATED);
    for other in [
        json!({"quantity": 3, "plan": "annual", "save_card": true}),
        json!({"quantity": 3, "plan": "annual", "payment_method_id": "pm_1Other"}),
    ] {
        let response = post_purchase_with_key(&app, &other, KEY).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{other}");
        let message = error_message(response).await;
        assert!(message.contains("with a new card"), "{message}");
    }
    assert_eq!(rows(&app, "purchases").await, 1);
    assert_eq!(intents_at_stripe(&app).await, 1);
}

/// Records `KEY` as held by another request (another instance, say) for purchase `purchase_id`,
/// with its lease running out at `lease_until`.
async fn held_elsewhere(app: &TestApp, purchase_id: &str, lease_until: i64) {
    sqlx::query(
        "INSERT INTO purchase_idempotency_keys
             (institution_id, idempotency_key, plan, quantity, payment_method_id, save_card,
              purchase_id, owner, lease_until, created_at)
         SELECT id, $1, 'annual', 3, NULL, 0, $2, 'another-request', $3, $4
         FROM institutions WHERE name = 'State University'",
    )
    .bind(KEY)
    .bind(purchase_id)
    .bind(lease_until)
    .bind(super::now())
    .execute(app.db.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_duplicate_never_works_on_a_purchase_another_request_holds() {
    let app = signed_in_app().await;
    let purchase_id = "0199a0b0-0000-7000-8000-00000000abcd";
    held_elsewhere(&app, purchase_id, super::now() + 600).await;
    let response = post_purchase_with_key(&app, &order(3), KEY).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let message = error_message(response).await;
    assert!(message.contains("still being processed"), "{message}");
    assert_eq!(intents_at_stripe(&app).await, 0, "nothing made at Stripe");
    let owner: String = sqlx::query_scalar("SELECT owner FROM purchase_idempotency_keys")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(owner, "another-request", "the holder keeps its key");
}

#[tokio::test]
async fn a_key_whose_holder_stopped_is_taken_over_once_its_lease_ran_out() {
    let app = signed_in_app().await;
    let purchase_id = "0199a0b0-0000-7000-8000-00000000abce";
    held_elsewhere(&app, purchase_id, super::now() - 1).await;
    let (status, replayed, made) = answer(post_purchase_with_key(&app, &order(3), KEY).await).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{made}");
    assert_eq!(made["purchase_id"], purchase_id, "the reserved purchase id");
    assert_eq!(rows(&app, "purchases").await, 1);
}
