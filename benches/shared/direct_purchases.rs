//! Paid purchases without a checkout: pending purchases of one session at $20.00 each, stored
//! directly, and each one's live-shaped `payment_intent.succeeded`
//! event. For the benchmarks, which measure what the events do, not how the purchases were made.

use octavia_billing::domain::institution_name::InstitutionName;
use octavia_billing::domain::plan::Plan;
use octavia_billing::server::storage::purchases::{self, NewPurchase};
use octavia_billing::server::storage::{Db, institutions, new_id};

/// One session at $20.00 per purchase: the pool must end at exactly the number of purchases.
pub const AMOUNT: i64 = 2000;

/// A purchase of the institution `name` (made if new) for each intent, and each one's event
/// body; the institution's id.
pub async fn with_events(
    db: &Db,
    name: &str,
    intents: &[String],
) -> Result<(String, Vec<String>), String> {
    let sql = |e: sqlx::Error| e.to_string();
    let mut tx = db.pool().begin().await.map_err(sql)?;
    let name = InstitutionName::parse(name)?;
    let institution = institutions::get_or_create_by_name(&mut tx, &name)
        .await
        .map_err(sql)?;
    let mut bodies = Vec::with_capacity(intents.len());
    for intent_id in intents {
        let purchase_id = new_id();
        purchases::insert(
            &mut *tx,
            &NewPurchase {
                id: &purchase_id,
                institution_id: &institution.id,
                quantity: 1,
                plan: Plan::Annual,
                unit_amount: AMOUNT,
                amount: AMOUNT,
                currency: "usd",
                payment_intent_id: intent_id,
                po_number: None,
            },
        )
        .await
        .map_err(sql)?;
        bodies.push(crate::live_events::live_shaped_succeeded(
            &format!("evt_{}", intent_id.trim_start_matches("pi_")),
            intent_id,
            &purchase_id,
            AMOUNT,
        ));
    }
    tx.commit().await.map_err(sql)?;
    Ok((institution.id, bodies))
}
