//! Stripe event ids already processed, so a redelivered event changes nothing.

use sqlx::{Any, Executor};

use crate::server::clock::now_unix;

/// Records the event; `false` when it was already recorded (a duplicate delivery). Run it in
/// the transaction that applies the event, so "recorded" and "applied" cannot disagree.
pub async fn record<'c, E>(conn: E, id: &str, event_type: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "INSERT INTO stripe_events (id, type, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(event_type)
    .bind(now_unix())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}
