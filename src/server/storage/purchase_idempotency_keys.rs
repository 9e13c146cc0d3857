//! Clients' Idempotency-Keys for purchase requests, per institution, each bound to the purchase
//! id every request with that key works on, and held by one request at a time (its owner,
//! until its lease runs out).

use sqlx::{Any, Executor, FromRow};

use crate::domain::plan::Plan;
use crate::server::clock::now_unix;

/// What the first request with a key ordered (the card choice included), the purchase id it
/// reserved, and which request holds the key until when.
#[derive(Debug, Clone, FromRow)]
pub struct Reservation {
    #[sqlx(try_from = "String")]
    pub plan: Plan,
    pub quantity: i64,
    pub payment_method_id: Option<String>,
    #[sqlx(try_from = "i64")]
    pub save_card: Flag,
    pub purchase_id: String,
    pub owner: String,
    /// Unix seconds.
    pub lease_until: i64,
}

/// A boolean stored as 0/1 (portable across SQLite and PostgreSQL through sqlx's Any driver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Self {
        Flag(value != 0)
    }
}

impl Reservation {
    /// Whether `other` orders the same thing, paid the same way.
    pub fn same_order(&self, other: &Reservation) -> bool {
        (
            self.plan,
            self.quantity,
            &self.payment_method_id,
            self.save_card,
        ) == (
            other.plan,
            other.quantity,
            &other.payment_method_id,
            other.save_card,
        )
    }
}

/// Reserves `key` for `wanted` (its owner and lease included) unless it is already reserved;
/// returns the reservation that holds, ours or an earlier request's.
pub async fn reserve<'c, E>(
    conn: E,
    institution_id: &str,
    key: &str,
    wanted: &Reservation,
) -> Result<Reservation, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    sqlx::query(
        "INSERT INTO purchase_idempotency_keys
             (institution_id, idempotency_key, plan, quantity, payment_method_id, save_card,
              purchase_id, owner, lease_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (institution_id, idempotency_key) DO NOTHING",
    )
    .bind(institution_id)
    .bind(key)
    .bind(wanted.plan.id())
    .bind(wanted.quantity)
    .bind(&wanted.payment_method_id)
    .bind(i64::from(wanted.save_card.0))
    .bind(&wanted.purchase_id)
    .bind(&wanted.owner)
    .bind(wanted.lease_until)
    .bind(now_unix())
    .execute(conn)
    .await?;
    sqlx::query_as(
        "SELECT plan, quantity, payment_method_id, save_card, purchase_id, owner, lease_until
         FROM purchase_idempotency_keys WHERE institution_id = $1 AND idempotency_key = $2",
    )
    .bind(institution_id)
    .bind(key)
    .fetch_one(conn)
    .await
}

/// Makes `owner` the holder of a key whose holder `previous` let its lease run out (its
/// instance stopped mid-request). `false` when another request took it over first.
pub async fn take_over<'c, E>(
    conn: E,
    institution_id: &str,
    key: &str,
    previous: &str,
    owner: &str,
    lease_until: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "UPDATE purchase_idempotency_keys SET owner = $4, lease_until = $5
         WHERE institution_id = $1 AND idempotency_key = $2 AND owner = $3 AND lease_until <= $6",
    )
    .bind(institution_id)
    .bind(key)
    .bind(previous)
    .bind(owner)
    .bind(lease_until)
    .bind(now_unix())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Frees the key of a request that failed before its purchase was stored, so a retry starts
/// afresh (a new purchase id, so a new Stripe key) instead of meeting the failure again. Only
/// its owner frees it, and a key whose purchase exists is kept.
pub async fn release<'c, E>(
    conn: E,
    institution_id: &str,
    key: &str,
    owner: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "DELETE FROM purchase_idempotency_keys
         WHERE institution_id = $1 AND idempotency_key = $2 AND owner = $3
           AND NOT EXISTS (
               SELECT 1 FROM purchases WHERE purchases.id = purchase_idempotency_keys.purchase_id
           )",
    )
    .bind(institution_id)
    .bind(key)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(())
}
