use std::collections::HashMap;
use std::net::SocketAddr;

use octavia_billing::domain::email::EmailAddress;
use octavia_billing::domain::institution_name::InstitutionName;
use octavia_billing::domain::password::NewPassword;
use octavia_billing::server::bootstrap::{self, InstitutionChange};
use octavia_billing::server::config::Config;
use octavia_billing::server::startup::Application;
use octavia_billing::server::state::AppState;
use octavia_billing::server::storage::Db;
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;
use sqlx::Connection;
use stripe_emulator::StripeEmulator;
use stripe_emulator::test_client::PATIENCE;
use stripe_emulator::test_client::TestClient;
pub use stripe_emulator::test_client::eventually;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database nobody else uses: a new file, or a new PostgreSQL database. Held by the test so
/// the SQLite folder lives as long as the test.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// The same database again, for a second app instance; the first keeps it alive.
    pub fn shared(other: &TestDatabase) -> TestDatabase {
        TestDatabase {
            url: other.url.clone(),
            _dir: None,
        }
    }
}

pub async fn fresh_database(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/billing.db?mode=rwc", dir.path().display());
            TestDatabase {
                url,
                _dir: Some(dir),
            }
        }
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let admin_url = postgres_admin_url();
            let name = format!("octavia_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is not reachable: {e}"));
            // The name is ours (a fixed prefix and hex digits), so building the SQL is safe.
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .expect("URL has a database part")
                .0;
            TestDatabase {
                url: format!("{base}/{name}"),
                _dir: None,
            }
        }
    }
}

pub struct TestApp {
    pub address: SocketAddr,
    /// The `METRICS_ADDR` listener, when configured.
    pub metrics_addr: Option<SocketAddr>,
    pub db: Db,
    /// The running app's shared state, to run its background jobs on demand.
    pub state: AppState,
    /// Present in offline test mode (no Stripe keys), the default.
    pub stripe_emulator: Option<StripeEmulator>,
    /// Keeps cookies, like a browser.
    pub client: reqwest::Client,
    pub database: TestDatabase,
}

pub fn config_with(vars: &[(&str, &str)]) -> Config {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned()).expect("test configuration is valid")
}

pub async fn spawn_app() -> TestApp {
    let database = fresh_database(backend()).await;
    spawn_app_on(database).await
}

/// The app on a fresh database with extra configuration variables.
pub async fn spawn_app_configured(vars: &[(&str, &str)]) -> TestApp {
    spawn_app_with(fresh_database(backend()).await, vars).await
}

/// Behind https at a public URL (offline mode there needs its override).
pub const HTTPS_PUBLIC_URL: &[(&str, &str)] = &[
    ("PUBLIC_URL", "https://billing.example.edu"),
    ("OFFLINE_TEST_MODE", "1"),
];

pub async fn spawn_app_on(database: TestDatabase) -> TestApp {
    spawn_app_with(database, &[]).await
}

/// The app with extra configuration variables on top of the test defaults.
pub async fn spawn_app_with(database: TestDatabase, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("DATABASE_URL", database.url.as_str()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
    ];
    if database.url.starts_with("postgres") {
        // Offline test mode on PostgreSQL is the end-to-end deployment's explicit override.
        vars.push(("OFFLINE_TEST_MODE", "1"));
    }
    vars.extend_from_slice(extra);
    let config = config_with(&vars);
    let app = Application::build(config).await.expect("app starts");
    let address = app.local_addr();
    let metrics_addr = app.metrics_addr();
    let db = app.db().clone();
    let state = app.state().clone();
    let stripe_emulator = app.stripe_emulator().cloned();
    tokio::spawn(app.run());
    TestApp {
        address,
        metrics_addr,
        db,
        state,
        stripe_emulator,
        client: cookie_client(),
        database,
    }
}

/// Signs in through `client` (a browser of its own); `login_url` is the app's
/// `/api/auth/login`.
pub async fn login_with(
    client: &reqwest::Client,
    login_url: String,
    email: &str,
    password: &str,
) -> Response {
    client
        .post(login_url)
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("request sent")
}

/// Buys `quantity` sessions through the app at `origin` (`http://host:port`) as `browser`'s
/// admin, and pays with a good card at `stripe` as the browser would; the purchase's 201 body.
pub async fn buy_and_pay(
    browser: &reqwest::Client,
    origin: &str,
    stripe: &TestClient,
    quantity: i64,
) -> Value {
    let created = browser
        .post(format!("{origin}/api/sessions/purchases"))
        .json(&serde_json::json!({"quantity": quantity, "plan": "annual"}))
        .send()
        .await
        .expect("request sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let purchase: Value = created.json().await.unwrap();
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let confirm = format!("v1/payment_intents/{intent}/confirm");
    let paid = stripe
        .post(&confirm, &[("payment_method", "pm_card_visa")])
        .await;
    stripe_emulator::test_client::stripe_ok(paid).await;
    purchase
}

pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// Creates an institution and its admin directly through the service layer.
    pub async fn add_admin(&self, institution: &str, email: &str) {
        bootstrap::add_admin(
            &self.db,
            &InstitutionName::parse(institution).unwrap(),
            &EmailAddress::parse(email).unwrap(),
            &NewPassword::parse(PASSWORD).unwrap(),
            InstitutionChange::Refuse,
        )
        .await
        .expect("admin created");
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        login_with(&self.client, self.url("/api/auth/login"), email, password).await
    }

    /// A GET with one extra header, e.g. `accept: text/html` to look like a browser navigation.
    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> Response {
        self.client
            .get(self.url(path))
            .header(header.0, header.1)
            .send()
            .await
            .expect("request sent")
    }

    /// The page's HTML without the `<!>` comments Leptos adds after dynamic content for
    /// hydration (components are erased, `--cfg erase_components`), so tests can look for
    /// markup as the components write it.
    pub async fn page_markup(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap().replace("<!>", "")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// A client for the emulator's Stripe API (`/_emulator/stripe/`), with a test key.
    pub fn stripe(&self) -> TestClient {
        TestClient::new(
            self.url("/_emulator/stripe/"),
            self.emulator().secret_key().expose_secret(),
        )
    }

    /// The embedded Stripe emulator: these tests run in offline test mode.
    pub fn emulator(&self) -> &StripeEmulator {
        self.stripe_emulator
            .as_ref()
            .expect("offline test mode runs the Stripe emulator")
    }

    /// Waits until the app has answered every delivery so far of the webhook `event_id`, one
    /// with a 2xx; that status. The app answers once its transaction is committed, so what the
    /// event changes is in the database by then.
    pub async fn delivered(&self, event_id: &str) -> StatusCode {
        self.emulator()
            .webhooks()
            .delivered(event_id, PATIENCE)
            .await
            .unwrap_or_else(|e| panic!("{event_id} not delivered: {e}"))
    }

    /// Waits until every webhook sent so far is answered for good (2xx, or given up on), then
    /// until the work the app started on them (issuing invoices) has ended.
    pub async fn settle(&self) {
        self.emulator()
            .webhooks()
            .settled(PATIENCE)
            .await
            .unwrap_or_else(|e| panic!("webhooks still in flight: {e}"));
        tokio::time::timeout(PATIENCE, self.state.background.idle())
            .await
            .expect("the app's background work ended");
    }
}

/// The `{"error": "..."}` body every failure carries; panics if the body is not that shape.
pub async fn error_message(response: Response) -> String {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "not JSON: {content_type}"
    );
    let body: Value = response.json().await.expect("JSON body");
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error message in {body}"))
        .to_owned()
}

/// GETs `url` with `client` (another admin's browser, say) and returns the JSON body.
pub async fn get_json_with(client: &reqwest::Client, url: String) -> Value {
    client
        .get(url)
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON body")
}

/// The body of a GET by `client` (signed in as whoever it is), as text.
pub async fn get_text_with(client: &reqwest::Client, url: String) -> String {
    let response = client.get(url).send().await.expect("request sent");
    response.text().await.expect("text body")
}
