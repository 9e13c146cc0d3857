//! The session ledger: an institution's pool of sessions is the sum of its rows.

use sqlx::{Any, Executor};

use super::{new_id, now_unix};

const KIND_PURCHASE: &str = "purchase";

/// Credits a paid purchase's sessions to its institution. The ledger's unique
/// (kind, source_id) makes a second credit for the same purchase a no-op (`false`).
pub async fn credit_purchase<'c, E>(
    conn: E,
    institution_id: &str,
    purchase_id: &str,
    sessions: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "INSERT INTO session_ledger (id, institution_id, purchase_id, kind, source_id, sessions,
                                     created_at)
         VALUES ($1, $2, $3, $4, $3, $5, $6)
         ON CONFLICT (kind, source_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(institution_id)
    .bind(purchase_id)
    .bind(KIND_PURCHASE)
    .bind(sessions)
    .bind(now_unix())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sessions the institution has available.
pub async fn balance<'c, E>(conn: E, institution_id: &str) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    // PostgreSQL's SUM of BIGINT is NUMERIC, which the Any driver cannot decode: cast it.
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) FROM session_ledger
         WHERE institution_id = $1",
    )
    .bind(institution_id)
    .fetch_one(conn)
    .await
}
