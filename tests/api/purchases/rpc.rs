//! The SessionPurchase page's server functions, over real HTTP: the same service as the REST
//! API, so the same pricing, validation and reconciliation.

use serde_json::Value;

use super::{ADMIN, confirm, other_institution_admin, pool, rows, signed_in_app};
use crate::helpers::{PASSWORD, TestApp, cookie_client, spawn_app_with};

async fn rpc(app: &TestApp, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    rpc_as(&app.client, app, name, form).await
}

/// A purchase started as the page starts one: a fresh idempotency key per order.
async fn start(app: &TestApp, quantity: &str, plan: &str) -> (u16, Value) {
    let key = uuid::Uuid::new_v4().to_string();
    start_with_key(app, quantity, plan, &key).await
}

async fn start_with_key(app: &TestApp, quantity: &str, plan: &str, key: &str) -> (u16, Value) {
    rpc(
        app,
        "start_purchase",
        &[
            ("quantity", quantity),
            ("plan", plan),
            ("idempotency_key", key),
        ],
    )
    .await
}

/// Calls the server function `name` as `client`; its status and JSON body.
pub async fn rpc_as(
    client: &reqwest::Client,
    app: &TestApp,
    name: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = client
        .post(app.url(&format!("/rpc/{name}")))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    // Sign-in answers with no JSON body worth reading; everything else is JSON.
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn start_purchase_prices_the_order_on_the_server() {
    let app = signed_in_app().await;
    // A browser cannot name its own price: an amount it sends is not an argument at all.
    let (status, created) = rpc(
        &app,
        "start_purchase",
        &[
            ("quantity", "10"),
            ("plan", "quarterly"),
            ("idempotency_key", "order-1"),
            ("amount", "1"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["amount"], 25_000);
    assert!(
        created["client_secret"]
            .as_str()
            .unwrap()
            .contains("_secret_")
    );
    assert_eq!(rows(&app, "purchases").await, 1);
}

#[tokio::test]
async fn start_purchase_refuses_a_bad_order_and_writes_nothing() {
    let app = signed_in_app().await;
    let (status, body) = start(&app, "0", "annual").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("between 1 and"), "{body}");
    let (status, _) = start(&app, "5", "monthly").await;
    assert_eq!(status, 400);
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn start_purchase_with_arguments_it_cannot_read_is_400_saying_what_is_wrong() {
    let app = signed_in_app().await;
    let (status, body) = start(&app, "ten", "annual").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["BadRequest"]
            .as_str()
            .unwrap()
            .starts_with("The request could not be read")
    );
    let (status, body) = start(&app, "5", "monthly").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("Unknown plan"), "{body}");
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn starting_the_same_order_twice_with_its_key_makes_one_purchase() {
    let app = signed_in_app().await;
    let (first_status, first) = start_with_key(&app, "10", "annual", "attempt-7").await;
    let (second_status, second) = start_with_key(&app, "10", "annual", "attempt-7").await;
    assert_eq!(
        (first_status, second_status),
        (200, 200),
        "{first} {second}"
    );
    assert_eq!(first["purchase_id"], second["purchase_id"]);
    assert_eq!(first["client_secret"], second["client_secret"]);
    assert_eq!(rows(&app, "purchases").await, 1);
}

#[tokio::test]
async fn start_purchase_refuses_an_empty_idempotency_key() {
    let app = signed_in_app().await;
    let (status, body) = start_with_key(&app, "10", "annual", "").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(rows(&app, "purchases").await, 0);
}

#[tokio::test]
async fn finish_purchase_reports_the_completed_purchase_and_the_new_pool() {
    let app = signed_in_app().await;
    let (_, created) = start(&app, "10", "annual").await;
    assert_eq!(confirm(&app, &created, "pm_card_visa").await.status(), 200);
    let id = created["purchase_id"].as_str().unwrap();
    let (status, finished) = rpc(&app, "finish_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 200, "{finished}");
    assert_eq!(finished["purchase"]["status"], "completed");
    assert_eq!(finished["pool"]["available"], 10);
    assert_eq!(pool(&app).await, 10);
}

#[tokio::test]
async fn another_institutions_purchase_cannot_be_finished() {
    let app = signed_in_app().await;
    let (_, created) = start(&app, "10", "annual").await;
    app.add_admin("Other College", "bursar@other.test").await;
    let other = cookie_client();
    let (status, _) = rpc_as(
        &other,
        &app,
        "login",
        &[("email", "bursar@other.test"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 200);
    let id = created["purchase_id"].as_str().unwrap();
    let (status, _) = rpc_as(&other, &app, "finish_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 404);
    // The owner's purchase is untouched and still theirs.
    let (status, _) = rpc(&app, "finish_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_purchase_page_gets_public_stripe_settings_and_never_the_secret_key() {
    let database = crate::helpers::fresh_database(crate::helpers::backend()).await;
    let secret = "sk_test_fake-secret-never-sent-to-browsers";
    let app = spawn_app_with(
        database,
        &[
            ("STRIPE_SECRET_KEY", secret),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_fake-publishable"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_fake-webhook-secret"),
            ("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        ],
    )
    .await;
    app.add_admin("State University", ADMIN).await;
    assert_eq!(app.login(ADMIN, PASSWORD).await.status(), 200);
    let (status, page) = rpc(&app, "load_purchase_page", &[]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["stripe"]["publishable_key"],
        "pk_test_fake-publishable"
    );
    assert_eq!(page["stripe"]["js_url"], "https://js.stripe.com/v3/");
    assert_eq!(page["pricing"]["plans"][0]["unit_amount"], 2000);
    let html = app.get("/billing/purchase").await.text().await.unwrap();
    for text in [page.to_string(), html] {
        assert!(!text.contains(secret));
        assert!(!text.contains("whsec_"));
    }
}

#[tokio::test]
async fn the_history_pages_older_purchases_after_the_last_one_shown() {
    let app = signed_in_app().await;
    for quantity in 1..=12 {
        super::buy(&app, quantity).await;
    }
    let (status, first) = rpc(&app, "load_purchases", &[]).await;
    assert_eq!(status, 200, "{first}");
    let first_rows = first["data"].as_array().unwrap();
    assert_eq!(first_rows.len(), 10);
    assert_eq!(first["has_more"], true);
    // Newest first: the last purchase made (12 sessions) leads.
    assert_eq!(first_rows[0]["quantity"], 12);
    let last_shown = first_rows[9]["id"].as_str().unwrap();
    let (status, older) = rpc(&app, "load_purchases", &[("starting_after", last_shown)]).await;
    assert_eq!(status, 200, "{older}");
    let quantities: Vec<i64> = older["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["quantity"].as_i64().unwrap())
        .collect();
    assert_eq!(quantities, [2, 1]);
    assert_eq!(older["has_more"], false);
}

#[tokio::test]
async fn a_declined_purchase_can_be_resumed_with_another_card_and_a_paid_one_cannot() {
    let app = signed_in_app().await;
    let (_, created) = start(&app, "3", "annual").await;
    assert_eq!(
        confirm(&app, &created, "pm_card_chargeDeclined")
            .await
            .status(),
        402
    );
    let id = created["purchase_id"].as_str().unwrap();
    let (status, finished) = rpc(&app, "finish_purchase", &[("purchase_id", id)]).await;
    assert_eq!(
        (status, finished["purchase"]["status"].as_str()),
        (200, Some("failed"))
    );

    // The billing page's "Pay now": the same purchase and intent, confirmable again.
    let (status, resumed) = rpc(&app, "resume_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 200, "{resumed}");
    assert_eq!(resumed["purchase_id"], created["purchase_id"]);
    assert_eq!(resumed["payment_intent_id"], created["payment_intent_id"]);
    assert_eq!(resumed["client_secret"], created["client_secret"]);
    assert_eq!(confirm(&app, &resumed, "pm_card_visa").await.status(), 200);
    rpc(&app, "finish_purchase", &[("purchase_id", id)]).await;
    assert_eq!(pool(&app).await, 3);

    let (status, refused) = rpc(&app, "resume_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused.to_string().contains("paid already"), "{refused}");
    assert_eq!(rows(&app, "purchases").await, 1);
}

#[tokio::test]
async fn an_unpaid_purchase_canceled_from_the_history_cannot_be_resumed() {
    let app = signed_in_app().await;
    let (_, created) = start(&app, "2", "quarterly").await;
    let id = created["purchase_id"].as_str().unwrap();
    let (status, canceled) = rpc(&app, "cancel_purchase", &[("purchase_id", id)]).await;
    assert_eq!(
        (status, canceled["status"].as_str()),
        (200, Some("canceled")),
        "{canceled}"
    );
    let intent = app
        .stripe()
        .get(&format!(
            "v1/payment_intents/{}",
            created["payment_intent_id"].as_str().unwrap()
        ))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(intent["status"], "canceled");

    let (status, refused) = rpc(&app, "resume_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 409);
    assert!(refused.to_string().contains("canceled"), "{refused}");
}

#[tokio::test]
async fn another_institutions_purchase_can_be_neither_resumed_nor_canceled() {
    let app = signed_in_app().await;
    let (_, created) = start(&app, "2", "annual").await;
    let id = created["purchase_id"].as_str().unwrap();
    let other = other_institution_admin(&app).await;
    for name in ["resume_purchase", "cancel_purchase"] {
        let (status, _) = rpc_as(&other, &app, name, &[("purchase_id", id)]).await;
        assert_eq!(status, 404, "{name}");
    }
    let (_, mine) = rpc(&app, "resume_purchase", &[("purchase_id", id)]).await;
    assert_eq!(mine["status"], "pending");
}

#[tokio::test]
async fn start_purchase_can_name_a_saved_card_or_ask_to_save_the_new_one() {
    let app = signed_in_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    let (status, created) = rpc(
        &app,
        "start_purchase",
        &[
            ("quantity", "1"),
            ("plan", "annual"),
            ("idempotency_key", &key),
            ("save_card", "true"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let intent_path = format!(
        "v1/payment_intents/{}",
        created["payment_intent_id"].as_str().unwrap()
    );
    let intent: Value = app.stripe().get(&intent_path).await.json().await.unwrap();
    assert_eq!(intent["setup_future_usage"], "off_session");

    // Somebody else's card is refused before anything is made.
    let key = uuid::Uuid::new_v4().to_string();
    let (status, refused) = rpc(
        &app,
        "start_purchase",
        &[
            ("quantity", "1"),
            ("plan", "annual"),
            ("idempotency_key", &key),
            ("payment_method_id", "pm_not_ours_123"),
            ("save_card", "false"),
        ],
    )
    .await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(rows(&app, "purchases").await, 1);
}
