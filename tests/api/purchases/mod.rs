//! Buying sessions end to end: the REST API, the embedded Stripe emulator over real HTTP, and
//! its webhooks back to the app.

mod bank_payments;
mod cancel;
mod catch_up;
mod create;
mod idempotency;
pub mod rpc;
mod sweep;
mod sync;
pub mod webhook;
pub mod webhook_delivery;

use reqwest::header::HeaderValue;
use reqwest::{RequestBuilder, Response};
use serde_json::{Value, json};
use stripe_emulator::test_client::stripe_ok;
use stripe_emulator::webhooks::signature_header;

use crate::helpers::{
    Backend, PASSWORD, TestApp, backend, cookie_client, eventually, fresh_database, spawn_app_with,
};

pub const WEBHOOK_SECRET: &str = "whsec_purchases_tests";
pub const ADMIN: &str = "bursar@state.test";

/// The app (offline mode, known webhook secret) with one institution's admin signed in.
pub async fn signed_in_app() -> TestApp {
    signed_in_app_with(&[]).await
}

/// The same with extra configuration variables.
pub async fn signed_in_app_with(extra: &[(&str, &str)]) -> TestApp {
    let database = fresh_database(backend()).await;
    let mut vars = vec![("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    vars.extend_from_slice(extra);
    let app = spawn_app_with(database, &vars).await;
    app.add_admin("State University", ADMIN).await;
    assert_eq!(app.login(ADMIN, PASSWORD).await.status(), 200);
    app
}

/// A client signed in as the admin of a second institution, "Other College".
pub async fn other_institution_admin(app: &TestApp) -> reqwest::Client {
    app.add_admin("Other College", "admin@other.test").await;
    let other = cookie_client();
    let login = other
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "admin@other.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    other
}

/// A POST with no body from the signed-in admin, e.g. `/api/sessions/purchases/{id}/sync`.
pub async fn post_empty(app: &TestApp, path: &str) -> Response {
    app.client.post(app.url(path)).send().await.unwrap()
}

/// `POST /api/sessions/purchases/{id}/sync` for a purchase as its creation answered it, as the
/// browser calls it after paying.
pub async fn sync(app: &TestApp, purchase: &Value) -> Response {
    let id = purchase["purchase_id"].as_str().unwrap();
    post_empty(app, &format!("/api/sessions/purchases/{id}/sync")).await
}

pub async fn post_purchase(app: &TestApp, body: &Value) -> Response {
    purchase_request(app, body).send().await.unwrap()
}

/// The purchase request with an `Idempotency-Key` header (any bytes, even invalid ones).
pub async fn post_purchase_with_key(app: &TestApp, body: &Value, key: &str) -> Response {
    purchase_request(app, body)
        .header(
            "idempotency-key",
            HeaderValue::from_bytes(key.as_bytes()).unwrap(),
        )
        .send()
        .await
        .unwrap()
}

fn purchase_request(app: &TestApp, body: &Value) -> RequestBuilder {
    app.client
        .post(app.url("/api/sessions/purchases"))
        .json(body)
}

/// Creates a purchase that must succeed; its 201 body.
pub async fn buy(app: &TestApp, quantity: i64) -> Value {
    let response = post_purchase(app, &json!({"quantity": quantity, "plan": "annual"})).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "purchase refused: {body}");
    body
}

/// Creates a purchase from `body`, pays it with a good card and waits until it is completed;
/// its 201 body.
pub async fn paid_purchase(app: &TestApp, body: &Value) -> Value {
    let response = post_purchase(app, body).await;
    let status = response.status();
    let purchase: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "purchase refused: {purchase}");
    assert_eq!(confirm(app, &purchase, "pm_card_visa").await.status(), 200);
    wait_for_status(app, &purchase, "completed").await;
    purchase
}

/// Refunds `amount` cents of the purchase's payment "in the Stripe dashboard".
pub async fn refund_in_stripe(app: &TestApp, purchase: &Value, amount: i64) {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    stripe_ok(
        app.stripe()
            .post(
                "v1/refunds",
                &[("payment_intent", intent), ("amount", &amount.to_string())],
            )
            .await,
    )
    .await;
}

/// Pays the purchase's intent with a test card (`pm_card_visa`, `pm_card_chargeDeclined`...),
/// as the browser's `confirmCardPayment` would.
pub async fn confirm(app: &TestApp, purchase: &Value, payment_method: &str) -> Response {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    app.stripe()
        .post(
            &format!("v1/payment_intents/{intent}/confirm"),
            &[("payment_method", payment_method)],
        )
        .await
}

pub async fn get_purchase(app: &TestApp, purchase: &Value) -> Value {
    let id = purchase["purchase_id"].as_str().unwrap();
    let response = app.get(&format!("/api/sessions/purchases/{id}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Waits for the purchase to reach `status`, e.g. through a webhook; the purchase then.
pub async fn wait_for_status(app: &TestApp, purchase: &Value, status: &str) -> Value {
    eventually(&format!("the purchase to become {status}"), async || {
        let now = get_purchase(app, purchase).await;
        if now["status"] == status {
            Ok(now)
        } else {
            Err(now)
        }
    })
    .await
}

pub async fn pool(app: &TestApp) -> i64 {
    let response = app.get("/api/sessions/pool").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["available"].as_i64().unwrap()
}

/// Makes every insert into `purchases` fail, as a failing database would, while reads go on
/// working; returns the SQL that undoes it.
pub async fn refuse_purchase_inserts(app: &TestApp) -> &'static str {
    let (install, undo) = match backend() {
        Backend::Sqlite => (
            "CREATE TRIGGER refuse_purchases BEFORE INSERT ON purchases
             BEGIN SELECT RAISE(ABORT, 'purchase inserts refused by the test'); END",
            "DROP TRIGGER refuse_purchases",
        ),
        Backend::Postgres => (
            "CREATE FUNCTION refuse_purchases() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'purchase inserts refused by the test'; END $$;
             CREATE TRIGGER refuse_purchases BEFORE INSERT ON purchases
             FOR EACH ROW EXECUTE FUNCTION refuse_purchases()",
            "DROP TRIGGER refuse_purchases ON purchases",
        ),
    };
    sqlx::raw_sql(install).execute(app.db.pool()).await.unwrap();
    undo
}

/// Rows in one of our tables (a fixed name from the test, never input).
pub async fn rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The emulator's latest event of `event_type` about the intent (the intent itself, or an
/// object of its, like a dispute), as Stripe would send it.
pub async fn emitted_event(app: &TestApp, event_type: &str, intent: &str) -> Value {
    let events = stripe_ok(
        app.stripe()
            .get(&format!("v1/events?type={event_type}&limit=100"))
            .await,
    )
    .await;
    events["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            let object = &e["data"]["object"];
            object["id"] == intent || object["payment_intent"] == intent
        })
        .unwrap_or_else(|| panic!("no {event_type} for {intent}: {events}"))
        .clone()
}

/// POSTs `body` to the webhook with `signature` (none: no header at all).
pub async fn deliver(app: &TestApp, body: &str, signature: Option<&str>) -> Response {
    deliver_to(app.url("/api/stripe/webhook"), body, signature).await
}

pub async fn deliver_to(url: String, body: &str, signature: Option<&str>) -> Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request.send().await.unwrap()
}

/// Signs as Stripe does, with the app's secret, now.
pub fn sign(body: &str) -> String {
    signature_header(WEBHOOK_SECRET, now(), body)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
