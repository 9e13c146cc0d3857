//! Webhook delivery as Stripe does it: each event POSTed as JSON with a
//! `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{body}" keyed by the endpoint
//! secret>` header, re-signed at every attempt, retried with growing delays on any non-2xx
//! answer or timeout, on background tasks so the API call that caused it never waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;

use super::faults::Faults;
use super::ids::now;
use super::store::Store;

/// Stripe keeps retrying for about three days with growing gaps; this is that shape.
const STRIPE_LIKE_RETRIES: &[u64] = &[
    60,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    12 * 3600,
    12 * 3600,
    12 * 3600,
];
/// How long one delivery attempt may take before it counts as failed.
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `Stripe-Signature` header value for `payload` signed at `timestamp`.
pub fn signature_header(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Where and how often to deliver; tests shorten the delays and point elsewhere.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub url: String,
    /// The wait before each retry; one attempt plus one retry per entry.
    pub retry_delays: Vec<Duration>,
    pub attempt_timeout: Duration,
}

pub struct Deliverer {
    secret: SecretString,
    schedule: Mutex<Schedule>,
    client: reqwest::Client,
    store: Arc<Mutex<Store>>,
    faults: Arc<Faults>,
}

impl Deliverer {
    pub(super) fn new(
        url: String,
        secret: SecretString,
        store: Arc<Mutex<Store>>,
        faults: Arc<Faults>,
    ) -> Self {
        Deliverer {
            secret,
            schedule: Mutex::new(Schedule {
                url,
                retry_delays: STRIPE_LIKE_RETRIES
                    .iter()
                    .map(|s| Duration::from_secs(*s))
                    .collect(),
                attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            }),
            // Redirects are not followed, as Stripe does not follow them for webhooks.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client without TLS settings builds"),
            store,
            faults,
        }
    }

    pub fn schedule(&self) -> Schedule {
        self.schedule
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_schedule(&self, schedule: Schedule) {
        *self.schedule.lock().unwrap_or_else(|p| p.into_inner()) = schedule;
    }

    /// Queues freshly emitted events, after the webhook faults have had their say.
    pub(super) fn deliver(self: &Arc<Self>, events: Vec<Value>) {
        if events.is_empty() {
            return;
        }
        let plan = self.faults.plan(events);
        self.send(plan.events, plan.delay);
    }

    /// Sends `events` in order on one background task: each first attempt waits for the one
    /// before (so the endpoint sees them in this order); retries go on tasks of their own.
    pub(super) fn send(self: &Arc<Self>, events: Vec<Value>, delay: Duration) {
        if events.is_empty() {
            return;
        }
        let deliverer = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            for event in events {
                let schedule = deliverer.schedule();
                if deliverer.attempt(&event, &schedule).await {
                    continue;
                }
                let retrier = deliverer.clone();
                tokio::spawn(async move { retrier.retry(event, schedule).await });
            }
        });
    }

    async fn retry(&self, event: Value, schedule: Schedule) {
        for delay in &schedule.retry_delays {
            tokio::time::sleep(*delay).await;
            if self.attempt(&event, &schedule).await {
                return;
            }
        }
        tracing::warn!(event = %event["id"], url = schedule.url, "Stripe emulator gave up delivering a webhook");
    }

    /// One signed POST; true when the endpoint answered 2xx in time.
    async fn attempt(&self, event: &Value, schedule: &Schedule) -> bool {
        let payload = event.to_string();
        let signature = signature_header(self.secret.expose_secret(), now(), &payload);
        let sent = self
            .client
            .post(&schedule.url)
            .timeout(schedule.attempt_timeout)
            .header("content-type", "application/json; charset=utf-8")
            .header(
                "user-agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )
            .header("stripe-signature", signature)
            .body(payload)
            .send()
            .await;
        let delivered = match sent {
            Ok(response) if response.status().is_success() => true,
            Ok(response) => {
                tracing::info!(event = %event["id"], status = %response.status(), "webhook refused; will retry");
                false
            }
            Err(e) => {
                tracing::info!(event = %event["id"], error = %e, "webhook not delivered; will retry");
                false
            }
        };
        if delivered {
            self.mark_delivered(event);
        }
        delivered
    }

    /// Stripe counts the endpoints still owed an event; with one endpoint, 0 once delivered.
    fn mark_delivered(&self, event: &Value) {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = event["id"].as_str()
            && let Some(mut stored) = store.get(id).cloned()
        {
            stored["pending_webhooks"] = Value::from(0);
            store.insert(stored);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Reference value computed independently: printf '1700000000.{"id":"evt_1"}' |
        //   openssl dgst -sha256 -hmac whsec_test
        let header = signature_header("whsec_test", 1_700_000_000, r#"{"id":"evt_1"}"#);
        assert_eq!(
            header,
            "t=1700000000,v1=c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"
        );
        assert_ne!(
            header,
            signature_header("whsec_other", 1_700_000_000, r#"{"id":"evt_1"}"#)
        );
    }

    #[test]
    fn default_schedule_spans_about_three_days() {
        let total: u64 = STRIPE_LIKE_RETRIES.iter().sum();
        assert!((60 * 3600..=80 * 3600).contains(&total), "{total} s");
    }
}
