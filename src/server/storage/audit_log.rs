//! The audit log's rows. Written in the same transaction as the change they describe where
//! there is one, so a change is never without its entry nor an entry without its change.

use sqlx::{Any, Executor, FromRow};

use super::new_id;
use crate::server::clock::now_unix;

/// One entry to append.
pub struct NewEntry<'a> {
    pub institution_id: &'a str,
    pub actor: &'a str,
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: &'a str,
    /// JSON text.
    pub details: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct Entry {
    pub id: String,
    pub created_at: i64,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub details: String,
}

/// Appends the entry; an entry a unique index allows only once (`credit_note.issued` per credit
/// note, the automatic receipt's `invoice.sent` per invoice) that is already there is left as
/// it is.
pub async fn append<'c, E>(conn: E, entry: &NewEntry<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO audit_log
             (id, institution_id, created_at, actor, action, object_type, object_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT DO NOTHING",
    )
    .bind(new_id())
    .bind(entry.institution_id)
    .bind(now_unix())
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.object_type)
    .bind(entry.object_id)
    .bind(&entry.details)
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` entries of the institution, newest first, older than `starting_after` when
/// given, whose action starts with `action_prefix` when given.
pub async fn list<'c, E>(
    conn: E,
    institution_id: &str,
    limit: i64,
    starting_after: Option<&str>,
    action_prefix: Option<&str>,
) -> Result<Vec<Entry>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    // SUBSTR rather than LIKE: `_` in action names is a LIKE wildcard.
    sqlx::query_as(
        "SELECT id, created_at, actor, action, object_type, object_id, details
         FROM audit_log
         WHERE institution_id = $1
           AND (CAST($2 AS TEXT) IS NULL OR id < $2)
           AND (CAST($3 AS TEXT) IS NULL OR SUBSTR(action, 1, LENGTH($3)) = $3)
         ORDER BY id DESC LIMIT $4",
    )
    .bind(institution_id)
    .bind(starting_after)
    .bind(action_prefix)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Whether the institution's log has an entry of `action` about `object_id`, for actions
/// recorded once however often they are reported (a card added).
pub async fn has_entry<'c, E>(
    conn: E,
    institution_id: &str,
    action: &str,
    object_id: &str,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM audit_log WHERE institution_id = $1 AND action = $2 AND object_id = $3",
    )
    .bind(institution_id)
    .bind(action)
    .bind(object_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}
