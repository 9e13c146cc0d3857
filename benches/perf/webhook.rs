//! Webhook throughput: correctly signed, live-shaped `payment_intent.succeeded` events, each for
//! a purchase of its own, at concurrency 16; the run ends when every purchase is credited and
//! its invoice issued and paid at Stripe (the work each payment sets off).

use std::time::{Duration, Instant};

use octavia_billing::server::clock::now_unix;
use stripe_emulator::webhooks::signature_header;

use crate::fleet::{Database, Instance, WEBHOOK_SECRET};
use crate::load::{self, Run};

/// Invoices still being issued after the last answer are waited for this long at most.
const INVOICES_WITHIN: Duration = Duration::from_secs(300);

/// The events' delivery, and the time from the first delivery until the last invoice was paid.
pub struct Delivery {
    pub answers: Run,
    pub until_invoiced: Duration,
}

impl Delivery {
    pub fn events_per_second(&self) -> f64 {
        self.answers.requests as f64 / self.until_invoiced.as_secs_f64().max(f64::EPSILON)
    }
}

/// Delivers every body once, signed when sent, and waits for the invoices.
pub async fn deliver(
    server: &Instance,
    database: &Database,
    bodies: Vec<String>,
) -> Result<Delivery, String> {
    let url = server.url("/api/stripe/webhook");
    let started = Instant::now();
    let answers = load::run(&reqwest::Client::new(), bodies.len(), move |client, i| {
        client
            .post(&url)
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                signature_header(WEBHOOK_SECRET, now_unix(), &bodies[i]),
            )
            .body(bodies[i].clone())
    })
    .await?;
    let deadline = Instant::now() + INVOICES_WITHIN;
    loop {
        let waiting = database
            .count("SELECT COUNT(*) FROM purchases WHERE invoiced_at IS NULL")
            .await?;
        if waiting == 0 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{waiting} invoices still not issued {} s after the last event",
                INVOICES_WITHIN.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Delivery {
        answers,
        until_invoiced: started.elapsed(),
    })
}
