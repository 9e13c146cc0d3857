//! A client for tests: calls an emulator's API with a test key over real HTTP and reads Stripe's
//! answers, so the emulator's own tests and the tests of an app that mounts it share it.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

/// How long a test waits for what happens in the background (a webhook, a late call) before it
/// fails; generous, since a loaded machine is slow and only a failing test waits it out.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `check` every 50 ms until it gives `Ok`, for up to [`PATIENCE`]; panics naming `what`
/// was awaited and the last `Err` seen.
pub async fn eventually<T, E: Debug>(
    what: &str,
    mut check: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match check().await {
            Ok(done) => return done,
            Err(last) if Instant::now() >= deadline => {
                panic!("waited {PATIENCE:?} for {what}; last seen: {last:#?}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[derive(Clone)]
pub struct TestClient {
    /// The API base ending in `/`, e.g. `http://127.0.0.1:3005/_emulator/stripe/`.
    base: String,
    /// The emulator's secret key ([`crate::StripeEmulator::secret_key`]).
    key: String,
    http: reqwest::Client,
}

impl TestClient {
    pub fn new(base: impl Into<String>, key: impl Into<String>) -> Self {
        let mut base = base.into();
        if !base.ends_with('/') {
            base.push('/');
        }
        TestClient {
            base,
            key: key.into(),
            http: reqwest::Client::new(),
        }
    }

    /// The API base, as a Stripe client (async-stripe) is configured with it.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The secret key it calls with, for a client of one's own (async-stripe, reqwest).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A form-encoded POST to the API (`path` like `v1/customers`).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.request(Method::POST, path, form, &[]).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, &[], &[]).await
    }

    /// Any call with the test key and extra headers.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// POSTs and returns the JSON object, panicking with the body unless the status is 200.
    pub async fn create(&self, path: &str, form: &[(&str, &str)]) -> Value {
        stripe_ok(self.post(path, form).await).await
    }

    /// Arms one of the fault injections, e.g. `("api", [("mode", "error")])`.
    pub async fn arm_fault(&self, path: &str, form: &[(&str, &str)]) {
        let response = self
            .http
            .post(format!("{}_faults/{path}", self.base))
            .bearer_auth(&self.key)
            .form(form)
            .send()
            .await
            .expect("request sent");
        let status = response.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "fault not armed: {}",
            response.text().await.unwrap_or_default()
        );
    }
}

/// The JSON body of a 200 answer; panics with the status and body otherwise.
pub async fn stripe_ok(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(status, 200, "unexpected answer: {body}");
    body
}

/// The status and Stripe error object (`body.error`) of a failed call.
pub async fn stripe_error(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON body");
    assert!(
        body["error"].is_object(),
        "no Stripe error envelope in {body}"
    );
    (status, body["error"].clone())
}

/// An emulator on a loopback port of its own, standing for the one Stripe several app
/// instances share; its webhooks are withheld, so the caller delivers events itself, as Stripe
/// would. A client for its API (with the secret key) and its publishable key.
pub async fn shared_stripe(webhook_secret: &str) -> (TestClient, String) {
    use secrecy::ExposeSecret;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let origin = format!("http://{}", listener.local_addr().expect("bound"));
    let (secret_key, publishable_key) = crate::generate_keys();
    let emulator = crate::StripeEmulator::new(crate::EmulatorSettings {
        public_base: origin.clone(),
        webhook_url: format!("{origin}/nowhere"),
        webhook_secret: secrecy::SecretString::from(webhook_secret.to_owned()),
        secret_key: secret_key.clone(),
        publishable_key: publishable_key.clone(),
    });
    tokio::spawn(async move { emulator.serve(listener, std::future::pending()).await });
    let client = TestClient::new(format!("{origin}/"), secret_key.expose_secret());
    client.arm_fault("webhooks", &[("mode", "withhold")]).await;
    (client, publishable_key)
}
