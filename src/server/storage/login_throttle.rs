//! Failed sign-in attempts per email address; the policy (how long to lock) lives in
//! `auth::throttle`, this module only stores counts and deadlines.

use sqlx::{Any, Executor};

/// Unix time until which sign-in for this address is refused, if it is locked now.
pub async fn locked_until<'c, E>(conn: E, email: &str, now: i64) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT locked_until FROM login_throttle WHERE email = $1 AND locked_until > $2",
    )
    .bind(email)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Counts one more failure and returns the new total. One statement, so concurrent failures
/// are all counted.
pub async fn record_failure<'c, E>(conn: E, email: &str) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar(
        "INSERT INTO login_throttle (email, failures, locked_until) VALUES ($1, 1, 0)
         ON CONFLICT (email) DO UPDATE SET failures = login_throttle.failures + 1
         RETURNING failures",
    )
    .bind(email)
    .fetch_one(conn)
    .await
}

pub async fn lock<'c, E>(conn: E, email: &str, until: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE email = $1")
        .bind(email)
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear<'c, E>(conn: E, email: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM login_throttle WHERE email = $1")
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}
