//! Clients' Idempotency-Keys for purchase requests, per institution, each bound to the purchase
//! id every request with that key works on.

use sqlx::{Any, Executor, FromRow};

use crate::domain::plan::Plan;
use crate::server::clock::now_unix;

/// What the first request with a key ordered, and the purchase id it reserved.
#[derive(Debug, Clone, FromRow)]
pub struct Reservation {
    #[sqlx(try_from = "String")]
    pub plan: Plan,
    pub quantity: i64,
    pub purchase_id: String,
}

/// Reserves `key` for this order and `purchase_id` unless it is already reserved; returns the
/// reservation that holds, ours or the first request's. Two racing requests both get the first.
pub async fn reserve<'c, E>(
    conn: E,
    institution_id: &str,
    key: &str,
    order: &Reservation,
) -> Result<Reservation, sqlx::Error>
where
    E: Executor<'c, Database = Any> + Copy,
{
    sqlx::query(
        "INSERT INTO purchase_idempotency_keys
             (institution_id, idempotency_key, plan, quantity, purchase_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (institution_id, idempotency_key) DO NOTHING",
    )
    .bind(institution_id)
    .bind(key)
    .bind(order.plan.id())
    .bind(order.quantity)
    .bind(&order.purchase_id)
    .bind(now_unix())
    .execute(conn)
    .await?;
    sqlx::query_as(
        "SELECT plan, quantity, purchase_id FROM purchase_idempotency_keys
         WHERE institution_id = $1 AND idempotency_key = $2",
    )
    .bind(institution_id)
    .bind(key)
    .fetch_one(conn)
    .await
}

/// Frees the key of a request that failed before its purchase was stored, so a retry starts
/// afresh (a new purchase id, so a new Stripe key) instead of meeting the failure again. A key
/// whose purchase exists is kept.
pub async fn release<'c, E>(
    conn: E,
    institution_id: &str,
    key: &str,
    purchase_id: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "DELETE FROM purchase_idempotency_keys
         WHERE institution_id = $1 AND idempotency_key = $2 AND purchase_id = $3
           AND NOT EXISTS (SELECT 1 FROM purchases WHERE id = $3)",
    )
    .bind(institution_id)
    .bind(key)
    .bind(purchase_id)
    .execute(conn)
    .await?;
    Ok(())
}
