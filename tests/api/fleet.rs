//! Two real server processes on one PostgreSQL database and one Stripe (the emulator on a port
//! of its own, as real Stripe is one service for the whole fleet). Sign in on one, buy on the
//! other; then every one of Stripe's signed events (1,000 or more), each delivered 5 times,
//! shuffled, 32 at a time, spread over both, while both run their sweeps every second. Every
//! purchase must be credited exactly once and invoiced exactly once.
//!
//! Always on PostgreSQL, whatever `TEST_DATABASE` says (SQLite serves one instance), so both
//! passes of `scripts/test` run it there.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use octavia_billing::domain::email::EmailAddress;
use octavia_billing::domain::institution_name::InstitutionName;
use octavia_billing::domain::password::NewPassword;
use octavia_billing::server::bootstrap::{self, InstitutionChange};
use octavia_billing::server::config::DatabaseKind;
use octavia_billing::server::storage::Db;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;
use stripe_emulator::test_client::{TestClient, shared_stripe, stripe_ok};
use stripe_emulator::webhooks::signature_header;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::Semaphore;

use crate::cli::{binary, listening_address};
use crate::helpers::{
    Backend, PASSWORD, TestDatabase, buy_and_pay, cookie_client, fresh_database, login_with,
};
use crate::purchases::now;

const WEBHOOK_SECRET: &str = "whsec_fleet_tests";
const ADMIN: &str = "bursar@fleet.test";
const EVENTS: usize = 1_000;
const COPIES: usize = 5;
const CONCURRENCY: usize = 32;

/// An instance of the app; killed when dropped.
struct Instance {
    _process: tokio::process::Child,
    address: String,
}

async fn start_instance(
    database: &TestDatabase,
    stripe: &TestClient,
    publishable_key: &str,
    dir: &std::path::Path,
) -> Instance {
    let mut process = binary(dir)
        .env("DATABASE_URL", &database.url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("STRIPE_SECRET_KEY", stripe.key())
        .env("STRIPE_PUBLISHABLE_KEY", publishable_key)
        .env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("STRIPE_API_BASE", stripe.base())
        .env("STRIPE_JS_URL", format!("{}js/v3/", stripe.base()))
        .env("RECONCILE_INTERVAL_SECS", "1")
        .env("RUST_LOG", "warn,octavia_billing::server::startup=info")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(process.stderr.take().unwrap()).lines();
    let address = listening_address(&mut stderr).await;
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    Instance {
        _process: process,
        address,
    }
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

/// Every event Stripe has, oldest first.
async fn all_events(stripe: &TestClient) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = String::new();
    loop {
        let path = if after.is_empty() {
            "v1/events?limit=100".to_owned()
        } else {
            format!("v1/events?limit=100&starting_after={after}")
        };
        let page = stripe_ok(stripe.get(&path).await).await;
        let data = page["data"].as_array().unwrap();
        events.extend(data.iter().cloned());
        if page["has_more"] != true || data.is_empty() {
            break;
        }
        after = data.last().unwrap()["id"].as_str().unwrap().to_owned();
    }
    events.reverse();
    events
}

/// Delivers `body` as Stripe does: freshly signed, again after a 5xx or a dropped connection.
async fn deliver(client: &reqwest::Client, url: &str, body: &str) {
    for _ in 0..20 {
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                signature_header(WEBHOOK_SECRET, now(), body),
            )
            .body(body.to_owned())
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == StatusCode::OK => return,
            Ok(response) if response.status().is_server_error() => {}
            Ok(response) => panic!("delivery refused with {}", response.status()),
            Err(_) => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not accepted after 20 deliveries");
}

#[tokio::test]
async fn two_instances_credit_and_invoice_every_purchase_exactly_once() {
    let database = fresh_database(Backend::Postgres).await;
    let (stripe, publishable_key) = shared_stripe(WEBHOOK_SECRET).await;
    let dir = tempfile::tempdir().unwrap();
    // Both start at the same moment on the empty database: both migrate it.
    let (a, b) = tokio::join!(
        start_instance(&database, &stripe, &publishable_key, dir.path()),
        start_instance(&database, &stripe, &publishable_key, dir.path()),
    );
    let db = Db::connect(
        &SecretString::from(database.url.clone()),
        DatabaseKind::Postgres,
    )
    .await
    .unwrap();
    bootstrap::add_admin(
        &db,
        &InstitutionName::parse("Fleet University").unwrap(),
        &EmailAddress::parse(ADMIN).unwrap(),
        &NewPassword::parse(PASSWORD).unwrap(),
        InstitutionChange::Refuse,
    )
    .await
    .unwrap();

    // Signed in on A; the session is the fleet's, so B serves the purchases.
    let browser = cookie_client();
    let login = login_with(&browser, a.url("/api/auth/login"), ADMIN, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let mut quantities = HashMap::new();
    while quantities.len() % 25 != 0 || all_events(&stripe).await.len() < EVENTS {
        let quantity = 1 + quantities.len() as i64 % 7;
        let purchase = buy_and_pay(&browser, &b.url(""), &stripe, quantity).await;
        quantities.insert(
            purchase["purchase_id"].as_str().unwrap().to_owned(),
            quantity,
        );
    }

    // All of them: a purchase whose success event was left out would rightly stay uncredited.
    let events = all_events(&stripe).await;
    let mut deliveries: Vec<(usize, String)> = events
        .iter()
        .flat_map(|event| std::iter::repeat_n(event.to_string(), COPIES))
        .enumerate()
        .collect();
    fastrand::shuffle(&mut deliveries);
    let targets = [a.url("/api/stripe/webhook"), b.url("/api/stripe/webhook")];
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let delivering = std::time::Instant::now();
    let client = reqwest::Client::new();
    let mut sending = tokio::task::JoinSet::new();
    for (n, body) in deliveries {
        let permit = gate.clone().acquire_owned().await.unwrap();
        let (client, url) = (client.clone(), targets[n % 2].clone());
        sending.spawn(async move {
            deliver(&client, &url, &body).await;
            drop(permit);
        });
    }
    while let Some(done) = sending.join_next().await {
        done.unwrap();
    }
    println!(
        "fleet: {} purchases, {} events delivered {COPIES} times each ({} deliveries) to 2 instances in {:.1} s",
        quantities.len(),
        events.len(),
        events.len() * COPIES,
        delivering.elapsed().as_secs_f64()
    );

    // Credited once each, and the pool is exactly what was bought.
    let credits: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT purchase_id, COUNT(*), CAST(SUM(sessions) AS BIGINT) FROM session_ledger
         WHERE kind = 'purchase' GROUP BY purchase_id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(credits.len(), quantities.len(), "purchases not credited");
    for (purchase_id, rows, sessions) in credits {
        assert_eq!(rows, 1, "{purchase_id} credited {rows} times");
        assert_eq!(sessions, quantities[&purchase_id], "{purchase_id}");
    }

    // Invoiced once each: one invoice at Stripe per purchase, and each purchase holds it.
    // The sweeps take up what the webhooks' own invoicing left, a batch a second.
    let mut waited = 0;
    loop {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE invoiced_at IS NULL")
                .fetch_one(db.pool())
                .await
                .unwrap();
        if waiting == 0 {
            break;
        }
        waited += 1;
        assert!(
            waited < 120,
            "{waiting} purchases still not invoiced after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let customer: String = sqlx::query_scalar("SELECT stripe_customer_id FROM institutions")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut invoices_per_purchase: HashMap<String, usize> = HashMap::new();
    let mut after = String::new();
    loop {
        let cursor = if after.is_empty() {
            String::new()
        } else {
            format!("&starting_after={after}")
        };
        let page = stripe_ok(
            stripe
                .get(&format!(
                    "v1/invoices?customer={customer}&limit=100{cursor}"
                ))
                .await,
        )
        .await;
        let data = page["data"].as_array().unwrap();
        for invoice in data {
            let purchase_id = invoice["metadata"]["purchase_id"]
                .as_str()
                .unwrap()
                .to_owned();
            *invoices_per_purchase.entry(purchase_id).or_default() += 1;
        }
        if page["has_more"] != true || data.is_empty() {
            break;
        }
        after = data.last().unwrap()["id"].as_str().unwrap().to_owned();
    }
    assert_eq!(invoices_per_purchase.len(), quantities.len());
    assert!(
        invoices_per_purchase.values().all(|&n| n == 1),
        "a purchase has several invoices: {invoices_per_purchase:?}"
    );
}
