//! Paid purchases without a checkout: N pending purchases of one session at $20.00 each, stored
//! directly, and each one's live-shaped `payment_intent.succeeded` event. For the benchmarks,
//! which measure what the events do, not how the purchases were made.

use octavia_billing::domain::institution_name::InstitutionName;
use octavia_billing::domain::plan::Plan;
use octavia_billing::server::storage::purchases::{self, NewPurchase};
use octavia_billing::server::storage::{Db, institutions, new_id};

/// One session at $20.00 per purchase: the pool must end at exactly N.
pub const AMOUNT: i64 = 2000;

/// The purchases, with distinct intents (ids tagged `tag`), and each one's event body.
pub async fn with_events(db: &Db, n: usize, tag: &str) -> Result<(String, Vec<String>), String> {
    let sql = |e: sqlx::Error| e.to_string();
    let mut tx = db.pool().begin().await.map_err(sql)?;
    let name = InstitutionName::parse("Benchmark University")?;
    let institution = institutions::get_or_create_by_name(&mut tx, &name)
        .await
        .map_err(sql)?;
    let mut bodies = Vec::with_capacity(n);
    for i in 0..n {
        let (purchase_id, intent_id) = (new_id(), format!("pi_{tag}_{i:06}"));
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
                payment_intent_id: &intent_id,
            },
        )
        .await
        .map_err(sql)?;
        bodies.push(crate::live_events::live_shaped_succeeded(
            &format!("evt_{tag}_{i:06}"),
            &intent_id,
            &purchase_id,
            AMOUNT,
        ));
    }
    tx.commit().await.map_err(sql)?;
    Ok((institution.id, bodies))
}
