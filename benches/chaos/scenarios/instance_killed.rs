//! One of two instances is killed (SIGKILL) in the middle of a webhook burst. Its deliveries
//! fail and Stripe sends them again, landing on the survivor; the survivor's sweeps finish any
//! invoice the dead one had started. Every purchase ends paid, credited once and invoiced once.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::{Outcome, Setup};
use crate::checks;
use crate::fleet::Instance;
use crate::sender;

const PURCHASES: usize = 100;
const COPIES: usize = 2;
const CONCURRENCY: usize = 16;
/// The survivor's invoice sweep takes up a purchase a minute after it was paid.
const INVOICE_PATIENCE: Duration = Duration::from_secs(120);

pub async fn run(setup: &Setup) -> Result<Outcome, String> {
    let (database, stripe) = setup.fresh().await?;
    let survivor = Instance::start(&database, &stripe, &setup.rss, &super::instance_env()).await?;
    let mut victim =
        Instance::start(&database, &stripe, &setup.rss, &super::instance_env()).await?;
    let browser = survivor.signed_in().await?;
    for n in 0..PURCHASES {
        let origin = if n % 2 == 0 {
            &survivor.origin
        } else {
            &victim.origin
        };
        let created = browser
            .post(format!("{origin}/api/sessions/purchases"))
            .json(&serde_json::json!({"quantity": 1 + n % 5, "plan": "annual"}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if created.status() != 201 {
            return Err(format!("purchase answered {}", created.status()));
        }
        let purchase: Value = created.json().await.map_err(|e| e.to_string())?;
        let intent = purchase["payment_intent_id"].as_str().unwrap_or_default();
        stripe
            .call(
                Some(&[("payment_method", "pm_card_visa")]),
                &format!("v1/payment_intents/{intent}/confirm"),
            )
            .await?;
    }
    let events: Vec<String> = stripe
        .all("v1/events")
        .await?
        .iter()
        .flat_map(|event| std::iter::repeat_n(event.to_string(), COPIES))
        .collect();
    let sent = events.len();
    let endpoints = vec![
        survivor.url("/api/stripe/webhook"),
        victim.url("/api/stripe/webhook"),
    ];
    let burst = sender::Burst::start(&endpoints, events, CONCURRENCY);
    burst.accepted(sent / 3).await;
    victim.kill().await;
    let mut report = burst.finish().await?;

    let invoiced = wait_for_invoices(&database).await?;
    let tally = checks::agrees_with_stripe(&database, &stripe).await?;
    let mut wrong = tally.wrong.clone();
    let invoices_per_purchase = invoices_per_purchase(&stripe).await?;
    for (purchase, invoices) in &invoices_per_purchase {
        if *invoices != 1 {
            wrong.push(format!("{purchase}: {invoices} invoices"));
        }
    }
    let tally = checks::Tally {
        checked: tally.checked,
        wrong,
    };
    let line = format!(
        "{}, faults injected: 1 instance killed mid-burst ({} deliveries, {} failed and sent again), purchases checked {}, invoiced {invoiced}, credits wrong {}",
        report.figures(),
        sent,
        report.failed_attempts,
        tally.checked,
        tally.wrong_count()
    );
    let passed = tally.wrong.is_empty()
        && tally.checked == PURCHASES
        && invoiced == PURCHASES as i64
        && report.given_up == 0;
    drop(survivor);
    database.drop_now().await;
    Ok(Outcome::new("instance killed", passed, line, &tally))
}

/// Waits until no paid purchase awaits its invoice; how many are invoiced.
async fn wait_for_invoices(database: &crate::fleet::Database) -> Result<i64, String> {
    let deadline = tokio::time::Instant::now() + INVOICE_PATIENCE;
    loop {
        let waiting = database
            .count(
                "SELECT COUNT(*) FROM purchases WHERE status = 'completed' AND invoiced_at IS NULL",
            )
            .await?;
        if waiting == 0 || tokio::time::Instant::now() > deadline {
            return database
                .count("SELECT COUNT(*) FROM purchases WHERE invoiced_at IS NOT NULL")
                .await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn invoices_per_purchase(
    stripe: &crate::fleet::Stripe,
) -> Result<HashMap<String, usize>, String> {
    let mut counts = HashMap::new();
    for invoice in stripe.all("v1/invoices").await? {
        let purchase = invoice["metadata"]["purchase_id"]
            .as_str()
            .unwrap_or_default();
        *counts.entry(purchase.to_owned()).or_default() += 1;
    }
    Ok(counts)
}
