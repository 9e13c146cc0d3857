//! Stripe fails a share of calls: while purchases are made, paid and synced (and the sweeps and
//! the event catch-up run every second), Stripe answers 500 or hangs past
//! `STRIPE_TIMEOUT_SECS` on one call in every few. Afterwards each purchase is paid and credited
//! once, or clearly unpaid; none is charged twice, none credited without being paid.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::STRIPE_TIMEOUT_SECS;
use super::{Outcome, Setup};
use crate::checks;
use crate::fleet::{Instance, Stripe};
use crate::sender;

const PURCHASES: usize = 60;
const CONCURRENCY: usize = 4;
/// A client asks again with the same Idempotency-Key this many times at most.
const CREATE_ATTEMPTS: usize = 8;

pub async fn run(setup: &Setup) -> Result<Outcome, String> {
    let (database, stripe) = setup.fresh().await?;
    let stripe = Arc::new(stripe);
    let instance = Instance::start(&database, &stripe, &setup.rss, &super::instance_env()).await?;
    let browser = instance.signed_in().await?;

    let stop = Arc::new(AtomicBool::new(false));
    let injector = tokio::spawn(inject_faults(stripe.clone(), stop.clone()));
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let created = Arc::new(AtomicUsize::new(0));
    let mut buying = tokio::task::JoinSet::new();
    for _ in 0..PURCHASES {
        let permit = gate
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let (browser, stripe, origin, created) = (
            browser.clone(),
            stripe.clone(),
            instance.origin.clone(),
            created.clone(),
        );
        buying.spawn(async move {
            if let Some(purchase) = create(&browser, &origin).await {
                created.fetch_add(1, Ordering::Relaxed);
                pay_and_sync(&browser, &stripe, &origin, &purchase).await;
            }
            drop(permit);
        });
    }
    while buying.join_next().await.is_some() {}
    stop.store(true, Ordering::Relaxed);
    let injected = injector.await.map_err(|e| e.to_string())?;
    stripe
        .fault("api", &[("mode", "error"), ("count", "0")])
        .await?;

    // Stripe delivers every event in the end; the catch-up and sweeps run meanwhile.
    let events: Vec<String> = stripe
        .all("v1/events")
        .await?
        .iter()
        .map(Value::to_string)
        .collect();
    let mut report = sender::deliver_all(&[instance.url("/api/stripe/webhook")], events, 8).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tally = checks::agrees_with_stripe(&database, &stripe).await?;
    let paid = database
        .count("SELECT COUNT(*) FROM purchases WHERE status = 'completed'")
        .await?;
    let calls = instance.metric("stripe_api_calls_total", "").await?;
    let failed_calls = calls
        - instance
            .metric("stripe_api_calls_total", r#"outcome="ok""#)
            .await?;
    let line = format!(
        "{} (webhooks), faults injected: {injected} Stripe calls failed or hung past {STRIPE_TIMEOUT_SECS} s (the server's calls: {calls:.0}, not ok {failed_calls:.0}), purchases: {PURCHASES} tried, {} created, {paid} paid, purchases checked {}, credits wrong {}",
        report.figures(),
        created.load(Ordering::Relaxed),
        tally.checked,
        tally.wrong_count()
    );
    let passed = tally.wrong.is_empty() && report.given_up == 0 && injected > 0 && paid > 0;
    drop(instance);
    database.drop_now().await;
    Ok(Outcome::new("stripe failing", passed, line, &tally))
}

/// Keeps one fault armed at a time, a 500 or a hang past the client's timeout, until `stop`;
/// returns how many were taken by a call.
async fn inject_faults(stripe: Arc<Stripe>, stop: Arc<AtomicBool>) -> usize {
    let hang_ms = ((STRIPE_TIMEOUT_SECS * 1000) * 3 / 2).to_string();
    let mut injected = 0;
    let mut armed = false;
    while !stop.load(Ordering::Relaxed) {
        let remaining = stripe
            .call(None, "_faults/api")
            .await
            .map(|status| status["count"].as_u64().unwrap_or(0))
            .unwrap_or(1);
        if remaining == 0 {
            injected += usize::from(armed);
            let form: &[(&str, &str)] = if fastrand::u8(0..10) < 6 {
                &[("mode", "error"), ("count", "1")]
            } else {
                &[("mode", "timeout"), ("count", "1"), ("hang_ms", &hang_ms)]
            };
            armed = stripe.fault("api", form).await.is_ok();
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    injected
}

/// A purchase, asked for again with the same key after a failure, as the page does.
async fn create(browser: &reqwest::Client, origin: &str) -> Option<Value> {
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..CREATE_ATTEMPTS {
        let answer = browser
            .post(format!("{origin}/api/sessions/purchases"))
            .header("idempotency-key", &key)
            .json(&json!({"quantity": 1 + fastrand::i64(0..5), "plan": "annual"}))
            .send()
            .await;
        if let Ok(response) = answer
            && response.status() == 201
        {
            return response.json().await.ok();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// Pays as the browser does (Stripe.js retries a failed call), then asks the app to sync.
async fn pay_and_sync(browser: &reqwest::Client, stripe: &Stripe, origin: &str, purchase: &Value) {
    let intent = purchase["payment_intent_id"].as_str().unwrap_or_default();
    let confirm = format!("v1/payment_intents/{intent}/confirm");
    if stripe
        .call(Some(&[("payment_method", "pm_card_visa")]), &confirm)
        .await
        .is_err()
    {
        return;
    }
    let id = purchase["purchase_id"].as_str().unwrap_or_default();
    let _ = browser
        .post(format!("{origin}/api/sessions/purchases/{id}/sync"))
        .send()
        .await;
}
