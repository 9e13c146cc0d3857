//! After a scenario: is every purchase where the money says it should be?

use std::collections::HashMap;

use serde_json::Value;

use super::fleet::{Database, Stripe};

/// Purchases looked at, and what was wrong with any of them.
#[derive(Debug, Default)]
pub struct Tally {
    pub checked: usize,
    pub wrong: Vec<String>,
}

impl Tally {
    pub fn wrong_count(&self) -> usize {
        self.wrong.len()
    }

    /// The first few problems, for the scenario's line.
    pub fn summary(&self) -> String {
        self.wrong
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// (purchase id, status, payment intent, credits in the ledger)
type Row = (String, String, String, i64);

async fn purchases(database: &Database) -> Result<Vec<Row>, String> {
    sqlx::query_as(
        "SELECT p.id, p.status, p.payment_intent_id,
                (SELECT COUNT(*) FROM session_ledger l
                 WHERE l.purchase_id = p.id AND l.kind = 'purchase')
         FROM purchases p",
    )
    .fetch_all(database.db.pool())
    .await
    .map_err(|e| e.to_string())
}

/// Every purchase was paid (the scenario sent each one's `payment_intent.succeeded`): each is
/// completed and credited exactly once.
pub async fn all_credited_once(database: &Database) -> Result<Tally, String> {
    let mut tally = Tally::default();
    for (id, status, _, credits) in purchases(database).await? {
        tally.checked += 1;
        if status != "completed" || credits != 1 {
            tally
                .wrong
                .push(format!("{id}: {status}, credited {credits} times"));
        }
    }
    Ok(tally)
}

/// Each purchase agrees with Stripe: paid there ⇔ completed and credited exactly once here;
/// never charged twice; no payment Stripe took without a purchase to credit.
pub async fn agrees_with_stripe(database: &Database, stripe: &Stripe) -> Result<Tally, String> {
    let intents: HashMap<String, Value> = stripe
        .all("v1/payment_intents")
        .await?
        .into_iter()
        .map(|intent| (intent["id"].as_str().unwrap_or_default().to_owned(), intent))
        .collect();
    let mut tally = Tally::default();
    let mut paid_per_purchase: HashMap<String, usize> = HashMap::new();
    for intent in intents.values().filter(|i| i["status"] == "succeeded") {
        let purchase = intent["metadata"]["purchase_id"]
            .as_str()
            .unwrap_or_default();
        *paid_per_purchase.entry(purchase.to_owned()).or_default() += 1;
    }
    let rows = purchases(database).await?;
    for (id, status, intent, credits) in &rows {
        tally.checked += 1;
        let paid = intents
            .get(intent)
            .is_some_and(|i| i["status"] == "succeeded");
        let charges = paid_per_purchase.get(id).copied().unwrap_or(0);
        if charges > 1 {
            tally.wrong.push(format!("{id}: charged {charges} times"));
        }
        match (paid, status.as_str(), credits) {
            (true, "completed", 1) | (false, "pending" | "failed" | "canceled", 0) => {}
            _ => tally.wrong.push(format!(
                "{id}: paid at Stripe {paid}, here {status} and credited {credits} times"
            )),
        }
    }
    let known: std::collections::HashSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    for (purchase, charges) in &paid_per_purchase {
        if !known.contains(purchase.as_str()) {
            tally.wrong.push(format!(
                "{charges} payment(s) for {purchase:?}, which is no purchase here"
            ));
        }
    }
    Ok(tally)
}
