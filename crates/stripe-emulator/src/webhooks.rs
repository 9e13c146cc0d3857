//! Webhook delivery as Stripe does it: each event POSTed as JSON with a
//! `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{body}" keyed by the endpoint
//! secret>` header, re-signed at every attempt, retried with growing delays on any non-2xx
//! answer or timeout, on background tasks so the API call that caused it never waits. Every
//! delivery and its attempts are logged ([`Delivery`]), so a test can wait until an event has
//! been answered, or until nothing is in flight, before it checks what the endpoint did.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::watch;

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

/// One event sent to the endpoint: its first attempt and the retries. A duplicated event (the
/// `duplicate` fault) is two deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    pub attempts: Vec<Attempt>,
    /// No attempt is to come: the endpoint answered 2xx, or the retries ran out.
    pub finished: bool,
}

impl Delivery {
    /// The endpoint's 2xx answer, once it gave one.
    pub fn delivered(&self) -> Option<StatusCode> {
        match self.attempts.last() {
            Some(Attempt::Answered(status)) if status.is_success() => Some(*status),
            _ => None,
        }
    }
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Answered(StatusCode),
    /// No answer within the schedule's `attempt_timeout`.
    TimedOut,
    /// No answer for another reason (connection refused...): the error and its causes.
    Failed(String),
}

/// [`Deliverer::wait_until`] gave up; what had been delivered by then.
#[derive(Debug)]
pub struct NotYet(pub Vec<Delivery>);

impl std::fmt::Display for NotYet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "webhook deliveries so far: {:#?}", self.0)
    }
}

impl std::error::Error for NotYet {}

pub struct Deliverer {
    secret: SecretString,
    schedule: Mutex<Schedule>,
    client: reqwest::Client,
    store: Arc<Mutex<Store>>,
    faults: Arc<Faults>,
    /// Every delivery since start, in the order they were queued; a watch so waiters wake up.
    log: watch::Sender<Vec<Delivery>>,
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
            log: watch::Sender::new(Vec::new()),
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

    /// Every delivery so far, in the order they were queued.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.log.borrow().clone()
    }

    /// Waits until `done` holds for the deliveries so far, for at most `within`; returns them.
    pub async fn wait_until(
        &self,
        within: Duration,
        mut done: impl FnMut(&[Delivery]) -> bool,
    ) -> Result<Vec<Delivery>, NotYet> {
        let mut log = self.log.subscribe();
        match tokio::time::timeout(within, log.wait_for(|deliveries| done(deliveries))).await {
            Ok(Ok(deliveries)) => Ok(deliveries.clone()),
            // The sender lives as long as `self`, so only the timeout ends the wait early.
            _ => Err(NotYet(self.deliveries())),
        }
    }

    /// Waits until every delivery of `event_id` queued so far is finished, and one at least
    /// was answered 2xx; returns that status.
    pub async fn delivered(&self, event_id: &str, within: Duration) -> Result<StatusCode, NotYet> {
        let of_event = |d: &&Delivery| d.event_id == event_id;
        let deliveries = self
            .wait_until(within, |log| {
                log.iter().filter(of_event).all(|d| d.finished)
                    && log.iter().filter(of_event).any(|d| d.delivered().is_some())
            })
            .await?;
        Ok(deliveries
            .iter()
            .filter(of_event)
            .find_map(Delivery::delivered)
            .expect("waited for a 2xx answer"))
    }

    /// Waits until no delivery is in flight (withheld events are not queued, so not waited
    /// for); returns every delivery.
    pub async fn settled(&self, within: Duration) -> Result<Vec<Delivery>, NotYet> {
        self.wait_until(within, |log| log.iter().all(|d| d.finished))
            .await
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
        // Logged now, before the task runs, so that a waiter already counts them as in flight.
        let queued: Vec<(usize, Value)> = events
            .into_iter()
            .map(|event| (self.log_queued(&event), event))
            .collect();
        let deliverer = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            for (delivery, event) in queued {
                let schedule = deliverer.schedule();
                if deliverer.attempt(delivery, &event, &schedule).await {
                    deliverer.log_finished(delivery);
                    continue;
                }
                let retrier = deliverer.clone();
                tokio::spawn(async move { retrier.retry(delivery, event, schedule).await });
            }
        });
    }

    async fn retry(&self, delivery: usize, event: Value, schedule: Schedule) {
        for delay in &schedule.retry_delays {
            tokio::time::sleep(*delay).await;
            if self.attempt(delivery, &event, &schedule).await {
                self.log_finished(delivery);
                return;
            }
        }
        tracing::warn!(event = %event["id"], url = schedule.url, "Stripe emulator gave up delivering a webhook");
        self.log_finished(delivery);
    }

    /// One signed POST; true when the endpoint answered 2xx in time.
    async fn attempt(&self, delivery: usize, event: &Value, schedule: &Schedule) -> bool {
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
        let outcome = match sent {
            Ok(response) => Attempt::Answered(response.status()),
            Err(e) if e.is_timeout() => Attempt::TimedOut,
            Err(e) => Attempt::Failed(error_chain(&e)),
        };
        let delivered = matches!(outcome, Attempt::Answered(status) if status.is_success());
        if delivered {
            self.mark_delivered(event);
        } else {
            tracing::info!(event = %event["id"], outcome = ?outcome, "webhook not delivered; will retry");
        }
        self.log
            .send_modify(|log| log[delivery].attempts.push(outcome));
        delivered
    }

    /// Logs a new delivery of `event`; its index in the log.
    fn log_queued(&self, event: &Value) -> usize {
        let mut index = 0;
        self.log.send_modify(|log| {
            index = log.len();
            log.push(Delivery {
                event_id: event["id"].as_str().unwrap_or_default().to_owned(),
                event_type: event["type"].as_str().unwrap_or_default().to_owned(),
                attempts: Vec::new(),
                finished: false,
            });
        });
        index
    }

    fn log_finished(&self, delivery: usize) {
        self.log.send_modify(|log| log[delivery].finished = true);
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

/// reqwest's message names only the URL; the causes say what went wrong.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
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
