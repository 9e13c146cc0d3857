//! Prometheus metrics: one process-wide recorder (the `metrics` facade with
//! `metrics-exporter-prometheus`), the names the app records under, and a function per thing it
//! counts, so call sites say what happened and never spell a metric name or label.
//!
//! Labels are small fixed sets (route templates, operations, outcomes, statuses): never raw
//! paths, ids or amounts, which would make a new time series per request.

pub mod http;

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::storage::Db;
use crate::domain::purchase_status::PurchaseStatus;

/// Seconds, from a fast request to a Stripe call at its timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use. Several apps in one process (the tests)
/// share it, as they share the process.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .expect("the latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder can only be installed by this function, which runs once.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        // Present from the first scrape, before anything happened.
        counter!(PURCHASES_CREATED).increment(0);
        counter!(DB_POOL_TIMEOUTS).increment(0);
        handle
    })
}

/// The Prometheus text exposition of everything recorded so far, with the database pool's
/// state read now.
pub fn render(db: &Db) -> String {
    let handle = handle();
    db_pool(db);
    handle.render()
}

/// Keeps histograms from holding samples between scrapes (the exporter drains them on upkeep).
pub async fn run_upkeep() {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    loop {
        every.tick().await;
        handle().run_upkeep();
    }
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by route template, method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to answer an HTTP request, by route template, method and status."
    );
    describe_counter!(
        WEBHOOK_EVENTS,
        "Stripe webhook deliveries, by event type and outcome (processed, duplicate, ignored, unparsed, refused, failed)."
    );
    describe_counter!(PURCHASES_CREATED, "Purchases created.");
    describe_counter!(
        PURCHASE_TRANSITIONS,
        "Purchase status changes, by the status left and the status entered."
    );
    describe_counter!(
        POOL_CREDITED,
        "Sessions added to institutions' pools, by reason (purchase, dispute_won, refund_failed)."
    );
    describe_counter!(
        POOL_DEBITED,
        "Sessions taken from institutions' pools, by reason (refund, dispute)."
    );
    describe_counter!(
        JOB_RUNS,
        "Background job runs, by job and outcome (ok, failed, skipped: another instance held the job's lock)."
    );
    describe_counter!(
        JOB_CHANGES,
        "Items background jobs changed, by job: catch_up events processed, sweep purchases whose status changed, cancel_abandoned checkouts canceled, issue_invoices purchases invoiced, housekeeping rows deleted."
    );
    describe_histogram!(
        JOB_DURATION,
        metrics::Unit::Seconds,
        "Time a background job run took, by job."
    );
    describe_counter!(
        STRIPE_CALLS,
        "Stripe API calls, by operation and outcome (ok, refused, unavailable, timeout)."
    );
    describe_histogram!(
        STRIPE_DURATION,
        metrics::Unit::Seconds,
        "Time a Stripe API call took, by operation."
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database connections open, by state (idle, in_use)."
    );
    describe_gauge!(DB_POOL_MAX, "The most database connections the pool opens.");
    describe_gauge!(
        DB_POOL_WAITERS,
        "Queries waiting for a database connection now (on SQLite, or for the write lock)."
    );
    describe_counter!(
        DB_POOL_TIMEOUTS,
        "Queries that waited longer than the acquire timeout for a database connection."
    );
}

const HTTP_REQUESTS: &str = "http_requests_total";
const HTTP_DURATION: &str = "http_request_duration_seconds";
const WEBHOOK_EVENTS: &str = "stripe_webhook_events_total";
const PURCHASES_CREATED: &str = "purchases_created_total";
const PURCHASE_TRANSITIONS: &str = "purchase_status_transitions_total";
const POOL_CREDITED: &str = "pool_sessions_credited_total";
const POOL_DEBITED: &str = "pool_sessions_debited_total";
const JOB_RUNS: &str = "background_job_runs_total";
const JOB_CHANGES: &str = "background_job_changes_total";
const JOB_DURATION: &str = "background_job_duration_seconds";
const STRIPE_CALLS: &str = "stripe_api_calls_total";
const STRIPE_DURATION: &str = "stripe_api_call_duration_seconds";
const DB_POOL_CONNECTIONS: &str = "db_pool_connections";
const DB_POOL_MAX: &str = "db_pool_max_connections";
const DB_POOL_TIMEOUTS: &str = "db_pool_acquire_timeouts_total";
const DB_POOL_WAITERS: &str = "db_pool_waiters";

/// One HTTP request answered. `route` is the router's template (`/api/sessions/purchases/{id}`).
pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [
        ("route", route.to_owned()),
        ("method", method.to_owned()),
        ("status", status.to_string()),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(took.as_secs_f64());
}

/// What became of one webhook delivery.
pub fn webhook_event(event_type: &str, outcome: &'static str) {
    counter!(WEBHOOK_EVENTS, "type" => event_type.to_owned(), "outcome" => outcome).increment(1);
}

pub fn purchase_created() {
    counter!(PURCHASES_CREATED).increment(1);
}

/// A purchase's status was written; the same status again is no transition.
pub fn purchase_transition(from: PurchaseStatus, to: PurchaseStatus) {
    if from != to {
        counter!(PURCHASE_TRANSITIONS, "from" => from.as_str(), "to" => to.as_str()).increment(1);
    }
}

/// Sessions entering (`sessions > 0`) or leaving an institution's pool, with the ledger's kind.
pub fn pool_change(reason: &'static str, sessions: i64) {
    let amount = sessions.unsigned_abs();
    if sessions > 0 {
        counter!(POOL_CREDITED, "reason" => reason).increment(amount);
    } else if sessions < 0 {
        counter!(POOL_DEBITED, "reason" => reason).increment(amount);
    }
}

/// How a background job's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Ok,
    Failed,
    /// Another instance held the job's lock.
    Skipped,
}

/// One run of a background job, with how many items it changed.
pub fn job_run(job: &'static str, outcome: JobOutcome, changed: usize, took: Duration) {
    let outcome = match outcome {
        JobOutcome::Ok => "ok",
        JobOutcome::Failed => "failed",
        JobOutcome::Skipped => "skipped",
    };
    counter!(JOB_RUNS, "job" => job, "outcome" => outcome).increment(1);
    counter!(JOB_CHANGES, "job" => job).increment(changed as u64);
    histogram!(JOB_DURATION, "job" => job).record(took.as_secs_f64());
}

/// One call to Stripe's API.
pub fn stripe_call(operation: &'static str, outcome: &'static str, took: Duration) {
    counter!(STRIPE_CALLS, "operation" => operation, "outcome" => outcome).increment(1);
    histogram!(STRIPE_DURATION, "operation" => operation).record(took.as_secs_f64());
}

/// A query gave up waiting for a connection.
pub fn db_pool_timeout() {
    counter!(DB_POOL_TIMEOUTS).increment(1);
}

/// The pool's state at scrape time.
fn db_pool(db: &Db) {
    let pool = db.pool();
    let open = pool.size() as f64;
    let idle = pool.num_idle() as f64;
    gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(idle);
    gauge!(DB_POOL_CONNECTIONS, "state" => "in_use").set(open - idle);
    gauge!(DB_POOL_MAX).set(pool.options().get_max_connections() as f64);
    gauge!(DB_POOL_WAITERS).set(pool.waiters() as f64);
}
