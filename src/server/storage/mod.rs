//! Storage: one query layer over SQLite (the embedded default) and PostgreSQL.
//!
//! Every query is portable SQL run through sqlx's `Any` driver, so there is one copy of each
//! query instead of one per database. The price is a small type vocabulary (integers and text;
//! times are Unix seconds) and care with the few places the dialects differ, such as `SUM`
//! returning NUMERIC on PostgreSQL (cast it). The integration tests run on both databases and a
//! schema test compares what the migrations built on each.

pub mod admins;
pub mod audit_log;
pub mod billing_details;
pub mod counted_pool;
pub mod institutions;
pub mod job_locks;
pub mod ledger;
pub mod login_throttle;
pub mod purchase_idempotency_keys;
pub mod purchases;
pub mod session_store;
pub mod stripe_events;

use std::path::Path;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Any, Transaction};

use super::config::DatabaseKind;
use counted_pool::CountedPool;

/// The schema's migrations, built into the binary.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A handle on the application's database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: CountedPool,
    kind: DatabaseKind,
    /// Background jobs running in this process; the lock of [`job_locks`] on SQLite.
    local_locks: job_locks::LocalLocks,
}

impl Db {
    pub async fn connect(url: &SecretString, kind: DatabaseKind) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let url = url.expose_secret();
        if kind == DatabaseKind::Sqlite {
            create_sqlite_parent_dir(url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if kind == DatabaseKind::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        // The Any driver does not apply sqlx's SQLite defaults, so set them:
                        // WAL lets readers work during a write; writers wait for each other
                        // (busy timeout) instead of failing; foreign keys are enforced.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                        )
                        .execute(conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Db {
            pool: CountedPool::new(pool),
            kind,
            local_locks: Default::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&*self.pool).await
    }

    /// Whether every migration this build carries has been applied: an instance of a newer
    /// build is not ready until the database has its schema.
    pub async fn schema_is_current(&self) -> Result<bool, sqlx::Error> {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        let latest = MIGRATOR.iter().map(|m| m.version).max();
        Ok(applied >= latest)
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue behind the busy timeout instead of
    /// failing when a transaction that has read tries to start writing.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        // Waiting for a connection, and on SQLite for the write lock too.
        let _waiting = self.pool.wait();
        match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DatabaseKind::Postgres => self.pool.begin().await,
        }
    }

    pub fn pool(&self) -> &CountedPool {
        &self.pool
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    fn local_locks(&self) -> &job_locks::LocalLocks {
        &self.local_locks
    }
}

/// `sqlite://data/app.db?mode=rwc` creates the file but not its folder; make the folder.
fn create_sqlite_parent_dir(url: &str) -> Result<(), sqlx::Error> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)
        }
        _ => Ok(()),
    }
}

/// Row ids are UUIDv7: unique without a database sequence, and ordered by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
