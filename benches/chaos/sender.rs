//! Stripe's side of webhooks: each event signed afresh at every attempt and sent again, after a
//! growing pause, until the endpoint answers 2xx. Behind a load balancer an attempt may land on
//! any instance, so each goes to the next endpoint in turn; a dead instance's connection error
//! is a failed attempt like a 5xx.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use octavia_billing::server::clock::now_unix;
use stripe_emulator::webhooks::signature_header;
use tokio::sync::Semaphore;

use super::fleet::WEBHOOK_SECRET;

/// Stripe gives up after days; a scenario after this many attempts of one event.
const MAX_ATTEMPTS: usize = 60;

/// What a burst of deliveries saw.
#[derive(Debug, Default)]
pub struct Report {
    pub delivered: usize,
    /// Attempts answered 5xx or not answered at all.
    pub failed_attempts: usize,
    /// Events never accepted.
    pub given_up: usize,
    /// Each accepted delivery's latency (its last attempt).
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
}

impl Report {
    pub fn throughput(&self) -> f64 {
        self.delivered as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// `throughput 812.3/s, p50 12.1 ms, p99 85.0 ms`
    pub fn figures(&mut self) -> String {
        self.latencies.sort();
        format!(
            "throughput {:.1}/s, p50 {:.1} ms, p99 {:.1} ms",
            self.throughput(),
            percentile_ms(&self.latencies, 50),
            percentile_ms(&self.latencies, 99)
        )
    }
}

/// The p-th percentile of sorted latencies, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: usize) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => sorted[(n * p / 100).min(n - 1)].as_secs_f64() * 1000.0,
    }
}

/// Attempts so far, shared with the sending tasks.
#[derive(Default)]
struct Counters {
    accepted: AtomicUsize,
    failed: AtomicUsize,
}

/// A burst of deliveries under way.
pub struct Burst {
    counters: Arc<Counters>,
    sending: tokio::task::JoinHandle<Report>,
}

impl Burst {
    /// Delivers every body in `bodies` at `concurrency`, spread over `endpoints`, in the
    /// background.
    pub fn start(endpoints: &[String], bodies: Vec<String>, concurrency: usize) -> Burst {
        let counters = Arc::new(Counters::default());
        let endpoints = endpoints.to_vec();
        let shared = counters.clone();
        let sending =
            tokio::spawn(
                async move { deliver_counted(&endpoints, bodies, concurrency, shared).await },
            );
        Burst { counters, sending }
    }

    /// Returns once `n` deliveries were accepted (or the burst ended).
    pub async fn accepted(&self, n: usize) {
        while self.counters.accepted.load(Ordering::Relaxed) < n && !self.sending.is_finished() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    pub async fn finish(self) -> Result<Report, String> {
        self.sending.await.map_err(|e| e.to_string())
    }
}

/// Delivers every body in `bodies` at `concurrency`, spread over `endpoints`.
pub async fn deliver_all(endpoints: &[String], bodies: Vec<String>, concurrency: usize) -> Report {
    deliver_counted(endpoints, bodies, concurrency, Default::default()).await
}

async fn deliver_counted(
    endpoints: &[String],
    bodies: Vec<String>,
    concurrency: usize,
    counters: Arc<Counters>,
) -> Report {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let gate = Arc::new(Semaphore::new(concurrency));
    let endpoints: Arc<Vec<String>> = Arc::new(endpoints.to_vec());
    let started = Instant::now();
    let mut sending = tokio::task::JoinSet::new();
    for (n, body) in bodies.into_iter().enumerate() {
        let permit = gate.clone().acquire_owned().await.expect("open");
        let (client, endpoints, counters) = (client.clone(), endpoints.clone(), counters.clone());
        sending.spawn(async move {
            let accepted = deliver(&client, &endpoints, n, &body, &counters.failed).await;
            if accepted.is_some() {
                counters.accepted.fetch_add(1, Ordering::Relaxed);
            }
            drop(permit);
            accepted
        });
    }
    let mut report = Report::default();
    while let Some(done) = sending.join_next().await {
        match done.ok().flatten() {
            Some(latency) => {
                report.delivered += 1;
                report.latencies.push(latency);
            }
            None => report.given_up += 1,
        }
    }
    report.elapsed = started.elapsed();
    report.failed_attempts = counters.failed.load(Ordering::Relaxed);
    report
}

/// One event until accepted: the accepted attempt's latency, `None` if never.
async fn deliver(
    client: &reqwest::Client,
    endpoints: &[String],
    n: usize,
    body: &str,
    failed: &AtomicUsize,
) -> Option<Duration> {
    let mut pause = Duration::from_millis(50);
    for attempt in 0..MAX_ATTEMPTS {
        let url = &endpoints[(n + attempt) % endpoints.len()];
        let sent = Instant::now();
        let answer = client
            .post(url)
            .header("content-type", "application/json")
            .header(
                "stripe-signature",
                signature_header(WEBHOOK_SECRET, now_unix(), body),
            )
            .body(body.to_owned())
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => return Some(sent.elapsed()),
            // A 4xx is final for Stripe too (and never the answer to a signed event here).
            Ok(response) if response.status().is_client_error() => return None,
            _ => {
                failed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
    None
}
