//! Failed sign-in attempts per email address; the policy (how long to lock) lives in
//! `auth::throttle`, this module only stores counts and deadlines.

use sqlx::{Any, Executor, FromRow};

/// An address's row: failures counted so far and until when it is locked (0: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct Attempts {
    pub failures: i64,
    pub locked_until: i64,
}

pub async fn find<'c, E>(conn: E, email: &str) -> Result<Option<Attempts>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as("SELECT failures, locked_until FROM login_throttle WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// Writes `next` for the address only if its row still holds `seen` (`None`: no row yet), and
/// says whether it did. Compare-and-set, so of several concurrent attempts that read the same
/// row exactly one moves it on and the others read again.
pub async fn replace<'c, E>(
    conn: E,
    email: &str,
    seen: Option<Attempts>,
    next: Attempts,
    now: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let written =
        match seen {
            None => {
                sqlx::query(
                    "INSERT INTO login_throttle (email, failures, locked_until, last_failure_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
                )
                .bind(email)
                .bind(next.failures)
                .bind(next.locked_until)
                .bind(now)
                .execute(conn)
                .await?
            }
            Some(seen) => sqlx::query(
                "UPDATE login_throttle SET failures = $2, locked_until = $3, last_failure_at = $4
                 WHERE email = $1 AND failures = $5 AND locked_until = $6",
            )
            .bind(email)
            .bind(next.failures)
            .bind(next.locked_until)
            .bind(now)
            .bind(seen.failures)
            .bind(seen.locked_until)
            .execute(conn)
            .await?,
        };
    Ok(written.rows_affected() == 1)
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

/// Removes the addresses whose last failure was before `before` and that are not locked at
/// `now`; returns how many.
pub async fn forget_quiet<'c, E>(conn: E, before: i64, now: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let deleted =
        sqlx::query("DELETE FROM login_throttle WHERE last_failure_at < $1 AND locked_until <= $2")
            .bind(before)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(deleted.rows_affected())
}
