//! Every verified Stripe event, whole, with whether it was processed: a redelivered event that
//! was processed changes nothing, and one that failed can be processed again.

use sqlx::AnyConnection;

use super::counted_pool::CountedPool;
use crate::server::clock::now_unix;

/// An event as it arrived, before processing.
pub struct NewEvent<'a> {
    pub id: &'a str,
    pub event_type: &'a str,
    /// When Stripe created it (unix seconds).
    pub created: i64,
    /// The raw JSON, as signed.
    pub body: &'a str,
}

/// Whether the event still needs processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// First delivery: recorded as processed already, which holds only if the transaction
    /// commits (a failure rolls the row back and [`record_failure`] keeps it unprocessed).
    Fresh,
    /// Seen before, not processed (it failed, or could not be parsed): [`finish`] marks it.
    Retry,
    /// Already processed: a duplicate delivery.
    Done,
}

/// Records the event unless it is already there. Run it in the transaction that applies the
/// event and then [`finish`], so "processed" and "applied" cannot disagree. A first delivery
/// is written once, processed, rather than inserted and then updated.
pub async fn begin(conn: &mut AnyConnection, event: &NewEvent<'_>) -> Result<Begin, sqlx::Error> {
    let now = now_unix();
    let inserted = sqlx::query(
        "INSERT INTO stripe_events (id, type, created, body, received_at, processed_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(event.id)
    .bind(event.event_type)
    .bind(event.created)
    .bind(event.body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Begin::Fresh);
    }
    let processed: Option<i64> =
        sqlx::query_scalar("SELECT processed_at FROM stripe_events WHERE id = $1")
            .bind(event.id)
            .fetch_one(conn)
            .await?;
    Ok(match processed {
        Some(_) => Begin::Done,
        None => Begin::Retry,
    })
}

/// Marks the event processed, in the transaction that applied it, unless [`begin`] already
/// recorded it so.
pub async fn finish(conn: &mut AnyConnection, begun: Begin, id: &str) -> Result<(), sqlx::Error> {
    if begun != Begin::Retry {
        return Ok(());
    }
    sqlx::query("UPDATE stripe_events SET processed_at = $2, error = NULL WHERE id = $1")
        .bind(id)
        .bind(now_unix())
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps an event that could not be processed, with why, outside the failed transaction; a
/// processed one is left alone.
pub async fn record_failure(
    pool: &CountedPool,
    event: &NewEvent<'_>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stripe_events (id, type, created, body, received_at, error)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET error = excluded.error
         WHERE stripe_events.processed_at IS NULL",
    )
    .bind(event.id)
    .bind(event.event_type)
    .bind(event.created)
    .bind(event.body)
    .bind(now_unix())
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Events not processed yet, received at or after `since` (unix seconds), oldest first:
/// `(id, raw body)`.
pub async fn unprocessed(
    pool: &CountedPool,
    since: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, body FROM stripe_events
         WHERE processed_at IS NULL AND received_at >= $1
         ORDER BY created, received_at, id",
    )
    .bind(since)
    .fetch_all(pool)
    .await
}

/// When Stripe created the newest event processed here (unix seconds), if any.
pub async fn newest_processed_created(pool: &CountedPool) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(created) FROM stripe_events WHERE processed_at IS NOT NULL")
        .fetch_one(pool)
        .await
}

pub async fn is_processed(pool: &CountedPool, id: &str) -> Result<bool, sqlx::Error> {
    let processed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT processed_at FROM stripe_events WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(matches!(processed, Some(Some(_))))
}

/// Deletes processed events received before `cutoff` (unix seconds); unprocessed ones stay
/// until they are processed. Returns how many went.
pub async fn delete_processed_before(pool: &CountedPool, cutoff: i64) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "DELETE FROM stripe_events WHERE processed_at IS NOT NULL AND received_at < $1",
    )
    .bind(cutoff)
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
