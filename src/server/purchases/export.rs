//! The institution's purchase history as CSV, for the finance office: every purchase, newest
//! first, amounts as decimal strings of the currency (from integer minor units), times in UTC.

use crate::domain::calendar::DateTime;
use crate::domain::money::decimal_string;
use crate::error::AppError;
use crate::server::csv;
use crate::server::storage::Db;
use crate::server::storage::purchases::{self, Purchase};

const HEADER: [&str; 13] = [
    "purchase_id",
    "created_at",
    "sessions",
    "plan",
    "unit_price",
    "amount",
    "amount_refunded",
    "currency",
    "status",
    "payment_intent_id",
    "invoice_id",
    "failure_message",
    // Named as a finance office reads it, as the invoice prints it.
    "PO number",
];
/// Purchases read per query while writing the file.
const BATCH: i64 = 500;

pub async fn purchases_csv(db: &Db, institution_id: &str) -> Result<String, AppError> {
    let mut out = csv::record(&HEADER);
    let mut after: Option<String> = None;
    loop {
        let batch =
            purchases::list_for_institution(db.pool(), institution_id, BATCH, after.as_deref())
                .await?;
        for purchase in &batch {
            out.push_str(&csv::record(&row(purchase)));
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == BATCH => after = Some(last.id.clone()),
            _ => return Ok(out),
        }
    }
}

fn row(p: &Purchase) -> [String; 13] {
    let money = |amount| decimal_string(amount, &p.currency);
    [
        p.id.clone(),
        DateTime::from_unix(p.created_at).iso8601(),
        p.quantity.to_string(),
        p.plan.id().to_owned(),
        money(p.unit_amount),
        money(p.amount),
        money(p.amount_refunded),
        p.currency.to_uppercase(),
        p.status.as_str().to_owned(),
        p.payment_intent_id.clone(),
        p.invoice_id.clone().unwrap_or_default(),
        p.failure_message.clone().unwrap_or_default(),
        p.po_number.clone().unwrap_or_default(),
    ]
}
