//! Each institution's billing details, as last saved (JSON text of `BillingDetails`); Stripe's
//! customer holds the copy its invoices print.

use sqlx::{Any, Executor};

use crate::server::clock::now_unix;

pub async fn find<'c, E>(conn: E, institution_id: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT details FROM billing_details WHERE institution_id = $1")
        .bind(institution_id)
        .fetch_optional(conn)
        .await
}

pub async fn save<'c, E>(conn: E, institution_id: &str, details: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "INSERT INTO billing_details (institution_id, details, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (institution_id) DO UPDATE SET
             details = excluded.details, updated_at = excluded.updated_at",
    )
    .bind(institution_id)
    .bind(details)
    .bind(now_unix())
    .execute(conn)
    .await?;
    Ok(())
}
