//! Paid purchases as Stripe knows them: the admin's institution gets a Stripe customer, and
//! each purchase a PaymentIntent that succeeded at the emulator, so the invoice each payment
//! sets off can really be issued, paid by that intent.

use std::sync::Arc;

use octavia_billing::server::storage::institutions;
use tokio::sync::Semaphore;

use crate::direct_purchases;
use crate::fleet::{ADMIN, Database, INSTITUTION, Stripe};
use crate::load::CONCURRENCY;

/// Makes the institution's Stripe customer; its id.
pub async fn customer(database: &Database, stripe: &Stripe) -> Result<String, String> {
    let customer = stripe
        .call(Some(&[("email", ADMIN)]), "v1/customers")
        .await?;
    let customer_id = customer["id"].as_str().ok_or("no customer id")?.to_owned();
    let institution_id: String = sqlx::query_scalar("SELECT id FROM institutions WHERE name = $1")
        .bind(INSTITUTION)
        .fetch_one(database.db.pool())
        .await
        .map_err(|e| e.to_string())?;
    institutions::set_stripe_customer_id_if_unset(
        database.db.pool(),
        &institution_id,
        &customer_id,
        // The server is configured with the emulator's test-mode keys.
        "test",
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(customer_id)
}

/// `n` purchases whose intents succeeded at Stripe, and each one's live-shaped
/// `payment_intent.succeeded`, not yet delivered.
pub async fn purchases(
    database: &Database,
    stripe: &Arc<Stripe>,
    customer_id: &str,
    n: usize,
) -> Result<Vec<String>, String> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut intents = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (stripe, permits, customer_id) =
            (stripe.clone(), permits.clone(), customer_id.to_owned());
        intents.spawn(async move {
            let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
            let amount = direct_purchases::AMOUNT.to_string();
            let intent = stripe
                .call(
                    Some(&[
                        ("amount", amount.as_str()),
                        ("currency", "usd"),
                        ("customer", &customer_id),
                        ("payment_method", "pm_card_visa"),
                        ("confirm", "true"),
                    ]),
                    "v1/payment_intents",
                )
                .await?;
            match (intent["id"].as_str(), intent["status"].as_str()) {
                (Some(id), Some("succeeded")) => Ok(id.to_owned()),
                _ => Err(format!("the intent did not succeed: {intent}")),
            }
        });
    }
    let mut ids = Vec::with_capacity(n);
    while let Some(intent) = intents.join_next().await {
        ids.push(intent.map_err(|e| e.to_string())??);
    }
    let (_, bodies) = direct_purchases::with_events(&database.db, INSTITUTION, &ids).await?;
    Ok(bodies)
}
