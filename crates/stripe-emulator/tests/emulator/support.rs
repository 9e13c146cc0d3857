//! The emulator on a free port of its own, as the `stripe-emulator` binary serves it, and a
//! webhook endpoint that records what it is sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use stripe_emulator::test_client::{TestClient, eventually, stripe_ok};
use stripe_emulator::webhooks::Schedule;
use stripe_emulator::{EmulatorSettings, StripeEmulator, generate_keys};

/// The secret webhooks are signed with, unless a test chooses another.
pub const WEBHOOK_SECRET: &str = "whsec_emulator_tests";

/// A running emulator and a client for its API.
pub struct TestEmulator {
    emulator: StripeEmulator,
    client: TestClient,
    origin: String,
}

impl TestEmulator {
    pub fn stripe(&self) -> &TestClient {
        &self.client
    }

    pub fn emulator(&self) -> &StripeEmulator {
        &self.emulator
    }

    /// An absolute URL on the emulator's listener, e.g. `url("/v1/customers")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

pub async fn spawn_emulator() -> TestEmulator {
    spawn_emulator_with_secret(WEBHOOK_SECRET).await
}

pub async fn spawn_emulator_with_secret(webhook_secret: &str) -> TestEmulator {
    // Where its webhooks go until a test attaches a receiver of its own.
    let default_receiver = Receiver::spawn(&[]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (secret_key, publishable_key) = generate_keys();
    let emulator = StripeEmulator::new(EmulatorSettings {
        public_base: origin.clone(),
        webhook_url: default_receiver.url.clone(),
        webhook_secret: SecretString::from(webhook_secret.to_owned()),
        secret_key: secret_key.clone(),
        publishable_key,
    });
    let served = emulator.clone();
    tokio::spawn(async move { served.serve(listener, std::future::pending()).await });
    TestEmulator {
        client: TestClient::new(format!("{origin}/"), secret_key.expose_secret()),
        emulator,
        origin,
    }
}

/// A GET that must answer 200: the object.
pub async fn get(app: &TestEmulator, path: &str) -> Value {
    stripe_ok(app.stripe().get(path).await).await
}

/// The text of a page the emulator serves without a key (hosted invoice, instructions...).
pub async fn page_text(url: &Value) -> String {
    let url = url.as_str().expect("a URL");
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// The charge an intent made (its `latest_charge`).
pub async fn latest_charge(app: &TestEmulator, intent: &Value) -> Value {
    let charge = intent["latest_charge"]
        .as_str()
        .expect("the intent has a charge");
    get(app, &format!("v1/charges/{charge}")).await
}

/// A draft invoice for `customer` that takes in their pending invoice items.
pub async fn draft_invoice(app: &TestEmulator, customer: &str) -> Value {
    app.stripe()
        .create(
            "v1/invoices",
            &[
                ("customer", customer),
                ("pending_invoice_items_behavior", "include"),
            ],
        )
        .await
}

/// A new customer's id.
pub async fn customer(app: &TestEmulator) -> String {
    let customer = app
        .stripe()
        .create("v1/customers", &[("email", "bursar@state.test")])
        .await;
    customer["id"].as_str().unwrap().to_owned()
}

/// The form of a USD PaymentIntent of `amount` cents, with `extra` fields after it.
pub fn intent_form<'a>(amount: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    [("amount", amount), ("currency", "usd")]
        .into_iter()
        .chain(extra.iter().copied())
        .collect()
}

/// A new PaymentIntent of `amount` cents, waiting for a payment method.
pub async fn payment_intent(app: &TestEmulator, amount: &str) -> Value {
    app.stripe()
        .create("v1/payment_intents", &intent_form(amount, &[]))
        .await
}

/// Creates a PaymentIntent of `amount` cents and confirms it at once with `payment_method` (an
/// id or a `pm_card_*` token); the raw answer.
pub async fn pay_now(app: &TestEmulator, amount: &str, payment_method: &str) -> reqwest::Response {
    let form = intent_form(
        amount,
        &[("payment_method", payment_method), ("confirm", "true")],
    );
    app.stripe().post("v1/payment_intents", &form).await
}

/// As [`pay_now`], for a call that must answer 200: the intent.
pub async fn confirmed_intent(app: &TestEmulator, amount: &str, payment_method: &str) -> Value {
    stripe_ok(pay_now(app, amount, payment_method).await).await
}

/// A card payment method from a test card number.
pub async fn card(app: &TestEmulator, number: &str) -> String {
    let pm = app
        .stripe()
        .create(
            "v1/payment_methods",
            &[
                ("type", "card"),
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        )
        .await;
    pm["id"].as_str().unwrap().to_owned()
}

/// What a webhook endpoint received: the `Stripe-Signature` header and the raw body.
#[derive(Debug, Clone)]
pub struct Received {
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
}

/// In a receiver's answers: take longer than the delivery timeout, then answer 200.
pub const TOO_SLOW: u16 = 0;

/// A webhook endpoint on a free port that answers the given statuses in turn, then 200.
pub struct Receiver {
    pub url: String,
    deliveries: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn spawn(statuses: &[u16]) -> Receiver {
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(statuses.to_vec()));
        let recorded = deliveries.clone();
        let handler = move |headers: HeaderMap, body: String| {
            let recorded = recorded.clone();
            let answers = answers.clone();
            async move {
                let signature = headers
                    .get("stripe-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                recorded.lock().unwrap().push(Received { signature, body });
                let status = {
                    let mut answers = answers.lock().unwrap();
                    if answers.is_empty() {
                        200
                    } else {
                        answers.remove(0)
                    }
                };
                if status == TOO_SLOW {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    return StatusCode::OK;
                }
                StatusCode::from_u16(status).unwrap()
            }
        };
        let router = axum::Router::new().route("/webhook", post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Receiver { url, deliveries }
    }

    /// Points the app's emulator here, with retries 50 ms apart instead of Stripe's hours.
    pub fn attach(&self, app: &TestEmulator) {
        app.emulator().webhooks().set_schedule(Schedule {
            url: self.url.clone(),
            retry_delays: vec![Duration::from_millis(50); 5],
            attempt_timeout: Duration::from_millis(500),
        });
    }

    pub fn deliveries(&self) -> Vec<Received> {
        self.deliveries.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the deliveries so far, and returns them.
    pub async fn wait_until(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        eventually("webhooks to arrive as expected", async || {
            let deliveries = self.deliveries();
            if done(&deliveries) {
                Ok(deliveries)
            } else {
                Err(deliveries)
            }
        })
        .await
    }

    /// The event types delivered so far, in order of arrival.
    pub fn types(&self) -> Vec<String> {
        self.deliveries()
            .iter()
            .map(|d| d.event()["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// One of Stripe's own example objects (`tests/fixtures/stripe/{resource}.json`).
pub fn stripe_fixture(resource: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/stripe/{resource}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}
