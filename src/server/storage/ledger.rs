//! The session ledger: an institution's pool of sessions is the sum of its rows. Each row also
//! carries the money that came with it (+ paid, − refunded), in the purchase's currency.

use sqlx::{Any, Executor};

use super::new_id;
use crate::server::clock::now_unix;

const KIND_PURCHASE: &str = "purchase";
const KIND_REFUND: &str = "refund";

/// One change to the pool, unique per (kind, source_id): recording it twice records it once.
pub struct Entry<'a> {
    institution_id: &'a str,
    purchase_id: &'a str,
    kind: &'static str,
    source_id: &'a str,
    sessions: i64,
    amount: i64,
}

impl<'a> Entry<'a> {
    /// A paid purchase's sessions and money, credited once per purchase.
    pub fn purchase(
        institution_id: &'a str,
        purchase_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Entry {
            institution_id,
            purchase_id,
            kind: KIND_PURCHASE,
            source_id: purchase_id,
            sessions,
            amount,
        }
    }

    /// `sessions` taken back for `amount` refunded, once per `refund_id`.
    pub fn refund(
        institution_id: &'a str,
        purchase_id: &'a str,
        refund_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Entry {
            institution_id,
            purchase_id,
            kind: KIND_REFUND,
            source_id: refund_id,
            sessions: -sessions,
            amount: -amount,
        }
    }
}

/// Records the entry unless one with its (kind, source_id) exists: then `false`, a no-op, so
/// a purchase is credited (and a refund debited) once however often it is reported.
pub async fn record<'c, E>(conn: E, entry: &Entry<'_>) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "INSERT INTO session_ledger (id, institution_id, purchase_id, kind, source_id, sessions,
                                     amount, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (kind, source_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(entry.institution_id)
    .bind(entry.purchase_id)
    .bind(entry.kind)
    .bind(entry.source_id)
    .bind(entry.sessions)
    .bind(entry.amount)
    .bind(now_unix())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sessions and money taken back from the purchase so far by refunds (both ≥ 0).
pub async fn refunded<'c, E>(conn: E, purchase_id: &str) -> Result<(i64, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT CAST(COALESCE(-SUM(sessions), 0) AS BIGINT), CAST(COALESCE(-SUM(amount), 0) AS BIGINT)
         FROM session_ledger WHERE purchase_id = $1 AND kind = $2",
    )
    .bind(purchase_id)
    .bind(KIND_REFUND)
    .fetch_one(conn)
    .await
}

/// The institution's ledger rows since `since` (Unix seconds): (when, sessions, amount).
pub async fn movements_since<'c, E>(
    conn: E,
    institution_id: &str,
    since: i64,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT created_at, sessions, amount FROM session_ledger
         WHERE institution_id = $1 AND created_at >= $2",
    )
    .bind(institution_id)
    .bind(since)
    .fetch_all(conn)
    .await
}

/// The institution's sessions: (available now, bought in all with refunds not subtracted).
pub async fn totals<'c, E>(conn: E, institution_id: &str) -> Result<(i64, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    // PostgreSQL's SUM of BIGINT is NUMERIC, which the Any driver cannot decode: cast it.
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN kind = $2 THEN sessions ELSE 0 END), 0) AS BIGINT)
         FROM session_ledger WHERE institution_id = $1",
    )
    .bind(institution_id)
    .bind(KIND_PURCHASE)
    .fetch_one(conn)
    .await
}
