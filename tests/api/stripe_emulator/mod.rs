//! The embedded Stripe emulator, over real HTTP on the app's own listener.

mod cards;
mod client;
mod conformance;
mod errors;
mod faults;
mod flows;
mod idempotency;
mod safety;
mod webhooks;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use octavia_billing::server::stripe_emulator::webhooks::Schedule;
use serde_json::Value;

use crate::helpers::TestApp;

/// A new customer's id.
pub async fn customer(app: &TestApp) -> String {
    let customer = app
        .stripe_create("v1/customers", &[("email", "bursar@state.test")])
        .await;
    customer["id"].as_str().unwrap().to_owned()
}

/// A new PaymentIntent of `amount` cents, waiting for a payment method.
pub async fn payment_intent(app: &TestApp, amount: &str) -> Value {
    app.stripe_create(
        "v1/payment_intents",
        &[("amount", amount), ("currency", "usd")],
    )
    .await
}

/// Creates a PaymentIntent of `amount` cents and confirms it at once with `payment_method` (an
/// id or a `pm_card_*` token); the raw answer.
pub async fn pay_now(app: &TestApp, amount: &str, payment_method: &str) -> reqwest::Response {
    let form = [
        ("amount", amount),
        ("currency", "usd"),
        ("payment_method", payment_method),
        ("confirm", "true"),
    ];
    app.stripe_post("v1/payment_intents", &form).await
}

/// As [`pay_now`], for a call that must answer 200: the intent.
pub async fn confirmed_intent(app: &TestApp, amount: &str, payment_method: &str) -> Value {
    crate::helpers::stripe_ok(pay_now(app, amount, payment_method).await).await
}

/// A card payment method from a test card number.
pub async fn card(app: &TestApp, number: &str) -> String {
    let pm = app
        .stripe_create(
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
pub struct Delivery {
    pub signature: String,
    pub body: String,
}

impl Delivery {
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
}

/// In a receiver's answers: take longer than the delivery timeout, then answer 200.
pub const TOO_SLOW: u16 = 0;

/// A webhook endpoint on a free port that answers the given statuses in turn, then 200.
pub struct Receiver {
    pub url: String,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
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
                recorded.lock().unwrap().push(Delivery { signature, body });
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
    pub fn attach(&self, app: &TestApp) {
        app.emulator().webhooks().set_schedule(Schedule {
            url: self.url.clone(),
            retry_delays: vec![Duration::from_millis(50); 5],
            attempt_timeout: Duration::from_millis(500),
        });
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }

    /// Waits (up to 5 s) until `done` holds for the deliveries so far, and returns them.
    pub async fn wait_until(&self, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        for _ in 0..100 {
            let deliveries = self.deliveries();
            if done(&deliveries) {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "webhooks not delivered as expected; got {:#?}",
            self.deliveries()
        );
    }

    /// The event types delivered so far, in order of arrival.
    pub fn types(&self) -> Vec<String> {
        self.deliveries()
            .iter()
            .map(|d| d.event()["type"].as_str().unwrap().to_owned())
            .collect()
    }
}
