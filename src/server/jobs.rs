//! The background jobs and their schedule: reconciliation with Stripe every
//! `RECONCILE_INTERVAL_SECS`, housekeeping every 15 minutes. Each run of a job holds its job
//! lock ([`job_locks`]), so instances sharing a database take turns instead of doing the same
//! work twice, and is counted in the metrics. On shutdown no new run starts and a running one
//! stops after the item it holds.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tracing::Instrument;

use super::auth::service::forget_quiet_addresses;
use super::metrics;
use super::state::AppState;
use super::storage::job_locks::{self, Job};
use super::storage::session_store::DbSessionStore;
use super::{invoices, purchases, stripe_events};
use crate::error::AppError;

const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(15 * 60);

/// Starts both schedules; each task ends once the server is stopping and its run is over.
pub fn start(state: &AppState) -> [JoinHandle<()>; 2] {
    // The first reconciliation waits one interval: instances restarting together do not burst
    // Stripe, and a test's fault set-up is not raced by a run at start.
    let reconcile = every(state, state.config.reconcile_interval, true, reconcile_once);
    let housekeep = every(state, HOUSEKEEPING_EVERY, false, housekeeping);
    [reconcile, housekeep]
}

fn every<F, Fut>(state: &AppState, period: Duration, wait_first: bool, run: F) -> JoinHandle<()>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + if wait_first { period } else { Duration::ZERO };
        let mut ticks = tokio::time::interval_at(start, period);
        // A run longer than the period is followed by the next, not by a burst.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => run(state.clone()).await,
                () = state.background.stopped() => break,
            }
        }
    })
}

/// The background reconciliation, each job on its own so that one failing does not stop the
/// others: Stripe's missed events first (they settle most purchases), then the per-purchase
/// sweep, abandoned checkouts, and invoices and credit notes still to issue.
pub async fn reconcile_once(state: AppState) {
    run(&state, Job::CatchUp, async {
        stripe_events::catch_up(&state).await.map(|r| r.processed)
    })
    .await;
    run(&state, Job::Sweep, purchases::service::sweep(&state)).await;
    run(
        &state,
        Job::CancelAbandoned,
        purchases::service::cancel_abandoned(&state),
    )
    .await;
    run(&state, Job::IssueInvoices, async {
        let issued = invoices::issue::sweep(&state).await?;
        Ok(issued + invoices::credit::sweep(&state).await?)
    })
    .await;
}

/// Forgets what has outlived its use: expired login sessions, old Stripe events, sign-in
/// throttle rows of addresses with no recent failure. Failures are logged and tried again next
/// time.
pub async fn housekeeping(state: AppState) {
    run(&state, Job::Housekeeping, async {
        let mut deleted = 0;
        let sessions = DbSessionStore::new(state.db.clone(), state.config.session_max_age);
        match sessions.delete_expired().await {
            Ok(n) => deleted += n,
            Err(e) => tracing::warn!(error = %e, "could not delete expired login sessions"),
        }
        match stripe_events::forget_old(&state).await {
            Ok(n) => deleted += n,
            Err(e) => tracing::warn!(error = %e, "could not delete old Stripe events"),
        }
        match forget_quiet_addresses(&state.db).await {
            Ok(n) => deleted += n,
            Err(e) => tracing::warn!(error = %e, "could not forget quiet sign-in addresses"),
        }
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    })
    .await;
}

/// One run of `job` under its lock, unless the server is stopping or another instance holds
/// the lock. `work` yields how many items it changed.
async fn run(state: &AppState, job: Job, work: impl Future<Output = Result<usize, AppError>>) {
    if state.background.is_stopping() {
        return;
    }
    let name = job.name();
    let started = Instant::now();
    let lock = match job_locks::try_lock(&state.db, job).await {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            tracing::debug!(job = name, "another instance is running this job; skipped");
            metrics::job_run(name, metrics::JobOutcome::Skipped, 0, started.elapsed());
            return;
        }
        Err(e) => {
            tracing::warn!(job = name, error = %e, "could not take the job's lock; skipped");
            metrics::job_run(name, metrics::JobOutcome::Failed, 0, started.elapsed());
            return;
        }
    };
    let result = work
        .instrument(tracing::info_span!("job", job = name))
        .await;
    lock.release().await;
    match result {
        Ok(changed) => {
            metrics::job_run(name, metrics::JobOutcome::Ok, changed, started.elapsed());
        }
        Err(e) => {
            tracing::warn!(job = name, error = %e, "background job failed");
            metrics::job_run(name, metrics::JobOutcome::Failed, 0, started.elapsed());
        }
    }
}
