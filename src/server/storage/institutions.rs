use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::new_id;
use crate::domain::institution_name::InstitutionName;
use crate::server::clock::now_unix;

#[derive(Debug, Clone, FromRow)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub stripe_customer_id: Option<String>,
}

/// Returns the institution with this name, creating it first if there is none. Safe when two
/// callers race: the unique name makes the second insert a no-op.
pub async fn get_or_create_by_name(
    conn: &mut AnyConnection,
    name: &InstitutionName,
) -> Result<Institution, sqlx::Error> {
    sqlx::query(
        "INSERT INTO institutions (id, name, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(new_id())
    .bind(name.as_str())
    .bind(now_unix())
    .execute(&mut *conn)
    .await?;
    sqlx::query_as("SELECT id, name, stripe_customer_id FROM institutions WHERE name = $1")
        .bind(name.as_str())
        .fetch_one(conn)
        .await
}

pub async fn count<'c, E>(conn: E) -> Result<i64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM institutions")
        .fetch_one(conn)
        .await
}

pub async fn find<'c, E>(conn: E, id: &str) -> Result<Option<Institution>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as("SELECT id, name, stripe_customer_id FROM institutions WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The institution's Stripe customer and the version of its lists there (see
/// [`bump_stripe_lists`]); `None` before its first purchase or saved card.
pub async fn stripe_lists_key<'c, E>(
    conn: E,
    id: &str,
) -> Result<Option<(String, i64)>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let row: Option<(Option<String>, i64)> = sqlx::query_as(
        "SELECT stripe_customer_id, stripe_lists_version FROM institutions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(customer, version)| Some((customer?, version))))
}

/// Marks the customer's saved cards and invoices at Stripe as changed: every cached copy is
/// stale from now on, in every instance.
pub async fn bump_stripe_lists<'c, E>(conn: E, customer_id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE institutions SET stripe_lists_version = stripe_lists_version + 1
         WHERE stripe_customer_id = $1",
    )
    .bind(customer_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The institution's Stripe customer id; `None` before its first purchase or saved card (or
/// for an unknown institution).
pub async fn stripe_customer_id<'c, E>(conn: E, id: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    Ok(find(conn, id).await?.and_then(|i| i.stripe_customer_id))
}

/// Stores the institution's Stripe customer, and which Stripe made it (`origin`), unless one
/// is already stored: the first writer wins, so an institution never ends up with two
/// customers' ids over time.
pub async fn set_stripe_customer_id_if_unset<'c, E>(
    conn: E,
    id: &str,
    customer_id: &str,
    origin: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE institutions SET stripe_customer_id = $1, stripe_customer_origin = $2
         WHERE id = $3 AND stripe_customer_id IS NULL",
    )
    .bind(customer_id)
    .bind(origin)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An institution's customer that was dropped because another Stripe made it.
#[derive(Debug, FromRow)]
pub struct ForgottenCustomer {
    pub id: String,
    pub stripe_customer_id: String,
    pub stripe_customer_origin: String,
}

/// Forgets every customer id made by a Stripe other than `origin`, returning what it dropped;
/// those institutions get a new customer on next use. (RETURNING would give the new, NULL,
/// values, hence the read first; each update names the id it read, so a customer stored in
/// between is kept.)
pub async fn forget_customers_not_from(
    pool: &super::counted_pool::CountedPool,
    origin: &str,
) -> Result<Vec<ForgottenCustomer>, sqlx::Error> {
    let foreign: Vec<ForgottenCustomer> = sqlx::query_as(
        "SELECT id, stripe_customer_id, stripe_customer_origin FROM institutions
         WHERE stripe_customer_id IS NOT NULL
           AND stripe_customer_origin IS NOT NULL AND stripe_customer_origin <> $1",
    )
    .bind(origin)
    .fetch_all(pool)
    .await?;
    for customer in &foreign {
        sqlx::query(
            "UPDATE institutions SET stripe_customer_id = NULL, stripe_customer_origin = NULL
             WHERE id = $1 AND stripe_customer_id = $2",
        )
        .bind(&customer.id)
        .bind(&customer.stripe_customer_id)
        .execute(pool)
        .await?;
    }
    Ok(foreign)
}
