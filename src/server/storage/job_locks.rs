//! One run of a background job at a time across every instance sharing the database.
//!
//! On PostgreSQL a job holds a session-level advisory lock on a connection of its own for as
//! long as it runs; an instance that does not get the lock skips that run (another instance is
//! doing it). The connection is closed when the lock is dropped instead of going back to the
//! pool, so the lock cannot outlive the job (an early return or a panic included), and a killed
//! instance's locks end with its connections. SQLite serves one instance, so a lock inside the process is enough
//! there.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sqlx::Any;
use sqlx::pool::PoolConnection;

use super::Db;
use crate::server::config::DatabaseKind;

/// The background jobs that must not run twice at once. Each has its own lock, so different
/// jobs may run on different instances at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    CatchUp,
    Sweep,
    CancelAbandoned,
    IssueInvoices,
    Housekeeping,
}

impl Job {
    pub fn name(self) -> &'static str {
        match self {
            Job::CatchUp => "catch_up",
            Job::Sweep => "sweep",
            Job::CancelAbandoned => "cancel_abandoned",
            Job::IssueInvoices => "issue_invoices",
            Job::Housekeeping => "housekeeping",
        }
    }

    /// The advisory lock's key: fixed numbers in a range of our own (the high 32 bits spell
    /// "OCTB"), away from sqlx's migration lock, which is derived from the database's name.
    fn key(self) -> i64 {
        const APP: i64 = 0x4f43_5442 << 32;
        APP | match self {
            Job::CatchUp => 1,
            Job::Sweep => 2,
            Job::CancelAbandoned => 3,
            Job::IssueInvoices => 4,
            Job::Housekeeping => 5,
        }
    }
}

/// Jobs running in this process (the SQLite lock).
#[derive(Debug, Default, Clone)]
pub struct LocalLocks(Arc<Mutex<HashSet<Job>>>);

/// Held while the job runs; dropping it releases the lock.
pub enum JobLock {
    Postgres(PoolConnection<Any>),
    Local(LocalLock),
}

/// A job marked running in this process until dropped.
pub struct LocalLock {
    job: Job,
    locks: LocalLocks,
}

impl JobLock {
    /// Ends the lock now. (Dropping it ends it too, but on PostgreSQL only once the connection
    /// has closed in the background.)
    pub async fn release(self) {
        if let JobLock::Postgres(conn) = self
            && let Err(e) = conn.close().await
        {
            tracing::debug!(error = %e, "a job lock's connection did not close cleanly; the lock ended with it");
        }
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        let mut running = self.locks.0.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(&self.job);
    }
}

/// The job's lock, or `None` while another run of it (on any instance) holds it.
pub async fn try_lock(db: &Db, job: Job) -> Result<Option<JobLock>, sqlx::Error> {
    match db.kind() {
        DatabaseKind::Postgres => {
            let mut conn = db.pool().acquire().await?;
            conn.close_on_drop();
            let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(job.key())
                .fetch_one(&mut *conn)
                .await?;
            if locked {
                Ok(Some(JobLock::Postgres(conn)))
            } else {
                Ok(None)
            }
        }
        DatabaseKind::Sqlite => {
            let locks = db.local_locks();
            let taken = locks
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(job);
            Ok(taken.then(|| {
                JobLock::Local(LocalLock {
                    job,
                    locks: locks.clone(),
                })
            }))
        }
    }
}
