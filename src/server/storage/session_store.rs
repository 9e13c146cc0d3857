//! tower-sessions' `SessionStore` on our own database handle.
//!
//! tower-sessions-sqlx-store exists, but it is built on sqlx 0.8 and offers one store per
//! database type; we use sqlx 0.9 and one portable `Any` pool, so the four small methods are
//! implemented here against the `login_sessions` table from our migrations.
//!
//! Besides the session's data, a row keeps whose session it is (the data's [`ADMIN_ID_KEY`]),
//! so an admin's sessions can be ended together, and when it ends whatever its activity
//! (`ends_at`, its absolute lifetime from creation: sign-in makes a new row).

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use super::Db;
use crate::server::clock::now_unix;

/// The session value naming the signed-in admin.
pub const ADMIN_ID_KEY: &str = "admin_id";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    /// A session's absolute lifetime.
    max_age: Duration,
}

impl DbSessionStore {
    pub fn new(db: Db, max_age: Duration) -> Self {
        DbSessionStore { db, max_age }
    }

    /// Deletes the sessions past their idle or absolute end; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM login_sessions WHERE expires_at <= $1 OR ends_at <= $1")
                .bind(now_unix())
                .execute(self.db.pool())
                .await?;
        Ok(done.rows_affected())
    }
}

fn admin_id(record: &Record) -> Option<&str> {
    record
        .data
        .get(ADMIN_ID_KEY)
        .and_then(serde_json::Value::as_str)
}

/// Ends every session of the admin; returns how many.
pub async fn end_admin_sessions<'c, E>(conn: E, admin_id: &str) -> Result<u64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let deleted = sqlx::query("DELETE FROM login_sessions WHERE admin_id = $1")
        .bind(admin_id)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected())
}

fn backend(e: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits, so a collision is all but impossible; still, never overwrite
        // someone else's session: on a clash, draw a new id.
        let ends_at = now_unix().saturating_add(self.max_age.as_secs() as i64);
        loop {
            let inserted = sqlx::query(
                "INSERT INTO login_sessions (id, data, expires_at, admin_id, ends_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(encode(record)?)
            .bind(record.expiry_date.unix_timestamp())
            .bind(admin_id(record))
            .bind(ends_at)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates a session that exists. A row that is gone was ended (signed out elsewhere, its
    /// admin's password changed, expired) while this request ran: saving must not bring it back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query(
            "UPDATE login_sessions SET data = $2, expires_at = $3, admin_id = $4 WHERE id = $1",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(record.expiry_date.unix_timestamp())
        .bind(admin_id(record))
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM login_sessions
             WHERE id = $1 AND expires_at > $2 AND ends_at > $2",
        )
        .bind(id.to_string())
        .bind(now_unix())
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM login_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
