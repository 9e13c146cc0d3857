use sqlx::{Any, Executor, FromRow};

use super::new_id;
use crate::api_types::{Account, AdminView, InstitutionRef};
use crate::domain::email::EmailAddress;
use crate::server::clock::now_unix;

/// What sign-in needs to check a password. No `Debug`: the hash stays out of logs.
#[derive(Clone, FromRow)]
pub struct Credentials {
    pub id: String,
    pub institution_id: String,
    pub password_hash: String,
}

/// Creates the admin, or updates the password and institution of an existing one with that
/// email: an email is one account, never two. Returns the admin's id (an existing admin keeps
/// theirs).
pub async fn upsert<'c, E>(
    conn: E,
    institution_id: &str,
    email: &EmailAddress,
    password_hash: &str,
) -> Result<String, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now_unix();
    sqlx::query_scalar(
        "INSERT INTO admin_users (id, institution_id, email, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (email) DO UPDATE SET
             institution_id = excluded.institution_id,
             password_hash = excluded.password_hash,
             updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(new_id())
    .bind(institution_id)
    .bind(email.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn find_credentials<'c, E>(
    conn: E,
    email: &EmailAddress,
) -> Result<Option<Credentials>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as("SELECT id, institution_id, password_hash FROM admin_users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(conn)
        .await
}

#[derive(FromRow)]
struct AccountRow {
    email: String,
    institution_id: String,
    institution_name: String,
}

pub async fn find_account<'c, E>(conn: E, admin_id: &str) -> Result<Option<Account>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT a.email, i.id AS institution_id, i.name AS institution_name
         FROM admin_users a JOIN institutions i ON i.id = a.institution_id
         WHERE a.id = $1",
    )
    .bind(admin_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Account {
        email: r.email,
        institution: InstitutionRef {
            id: r.institution_id,
            name: r.institution_name,
        },
    }))
}

pub async fn count<'c, E>(conn: E) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM admin_users")
        .fetch_one(conn)
        .await
}

pub async fn record_sign_in<'c, E>(conn: E, admin_id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE admin_users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now_unix())
        .bind(admin_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(FromRow)]
struct AdminRow {
    email: String,
    last_sign_in_at: Option<i64>,
}

/// The institution's admins, by email.
pub async fn list_for_institution<'c, E>(
    conn: E,
    institution_id: &str,
) -> Result<Vec<AdminView>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let rows: Vec<AdminRow> = sqlx::query_as(
        "SELECT email, last_sign_in_at FROM admin_users WHERE institution_id = $1 ORDER BY email",
    )
    .bind(institution_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AdminView {
            email: r.email,
            last_sign_in_at: r.last_sign_in_at,
        })
        .collect())
}
