//! The session ledger: an institution's pool of sessions is the sum of its rows. Each row also
//! carries the money that came with it (+ paid, − refunded), in the purchase's currency.

use sqlx::{Any, Executor};

use super::new_id;
use crate::server::clock::now_unix;
use crate::server::metrics;

const KIND_PURCHASE: &str = "purchase";
const KIND_REFUND: &str = "refund";
const KIND_REFUND_FAILED: &str = "refund_failed";
const KIND_DISPUTE: &str = "dispute";
const KIND_DISPUTE_WON: &str = "dispute_won";

/// One change to the pool, unique per (kind, source_id): recording it twice records it once.
/// Constructors take the purchase as `(institution_id, purchase_id)`.
pub struct Entry<'a> {
    institution_id: &'a str,
    purchase_id: &'a str,
    kind: &'static str,
    source_id: &'a str,
    sessions: i64,
    amount: i64,
}

impl<'a> Entry<'a> {
    fn new(
        kind: &'static str,
        (institution_id, purchase_id, source_id): (&'a str, &'a str, &'a str),
        sessions: i64,
        amount: i64,
    ) -> Self {
        Entry {
            institution_id,
            purchase_id,
            kind,
            source_id,
            sessions,
            amount,
        }
    }

    /// A paid purchase's sessions and money, credited once per purchase.
    pub fn purchase(
        institution_id: &'a str,
        purchase_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Self::new(
            KIND_PURCHASE,
            (institution_id, purchase_id, purchase_id),
            sessions,
            amount,
        )
    }

    /// `sessions` taken back for `amount` refunded, once per `refund_id`.
    pub fn refund(of: (&'a str, &'a str), refund_id: &'a str, sessions: i64, amount: i64) -> Self {
        Self::new(KIND_REFUND, (of.0, of.1, refund_id), -sessions, -amount)
    }

    /// A refund that failed after it was made: `sessions` and `amount` come back, once per
    /// refund.
    pub fn refund_failed(
        of: (&'a str, &'a str),
        refund_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Self::new(
            KIND_REFUND_FAILED,
            (of.0, of.1, refund_id),
            sessions,
            amount,
        )
    }

    /// `sessions` held back and `amount` withdrawn when a dispute opens, once per dispute.
    pub fn dispute(
        of: (&'a str, &'a str),
        dispute_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Self::new(KIND_DISPUTE, (of.0, of.1, dispute_id), -sessions, -amount)
    }

    /// What a won dispute gives back, once per dispute.
    pub fn dispute_won(
        of: (&'a str, &'a str),
        dispute_id: &'a str,
        sessions: i64,
        amount: i64,
    ) -> Self {
        Self::new(KIND_DISPUTE_WON, (of.0, of.1, dispute_id), sessions, amount)
    }
}

/// What a dispute's opening row held back: (sessions, amount), both ≥ 0, if it was recorded.
pub async fn held_by_dispute<'c, E>(
    conn: E,
    dispute_id: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT -sessions, -amount FROM session_ledger WHERE kind = $1 AND source_id = $2",
    )
    .bind(KIND_DISPUTE)
    .bind(dispute_id)
    .fetch_optional(conn)
    .await
}

/// Whether the dispute's win was recorded.
pub async fn dispute_won<'c, E>(conn: E, dispute_id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    exists(conn, KIND_DISPUTE_WON, dispute_id).await
}

/// Whether the refund's failure was recorded.
pub async fn refund_failure_recorded<'c, E>(conn: E, refund_id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    exists(conn, KIND_REFUND_FAILED, refund_id).await
}

async fn exists<'c, E>(conn: E, kind: &str, source_id: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT sessions FROM session_ledger WHERE kind = $1 AND source_id = $2",
    )
    .bind(kind)
    .bind(source_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// How many refunds of the purchase failed after they were made.
pub async fn failed_refunds<'c, E>(conn: E, purchase_id: &str) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM session_ledger WHERE purchase_id = $1 AND kind = $2")
        .bind(purchase_id)
        .bind(KIND_REFUND_FAILED)
        .fetch_one(conn)
        .await
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
    let recorded = result.rows_affected() == 1;
    if recorded {
        metrics::pool_change(entry.kind, entry.sessions);
    }
    Ok(recorded)
}

/// Sessions and money taken back from the purchase so far by refunds, less what refunds that
/// failed gave back (both ≥ 0).
pub async fn refunded<'c, E>(conn: E, purchase_id: &str) -> Result<(i64, i64), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(
        "SELECT CAST(COALESCE(-SUM(sessions), 0) AS BIGINT), CAST(COALESCE(-SUM(amount), 0) AS BIGINT)
         FROM session_ledger WHERE purchase_id = $1 AND kind IN ($2, $3)",
    )
    .bind(purchase_id)
    .bind(KIND_REFUND)
    .bind(KIND_REFUND_FAILED)
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
