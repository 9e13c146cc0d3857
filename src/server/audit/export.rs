//! The institution's audit log as CSV (`GET /api/audit-log.csv`): every entry, newest first,
//! times in UTC, the details as their JSON.

use super::entry_view;
use crate::api_types::AuditEntry;
use crate::domain::calendar::DateTime;
use crate::error::AppError;
use crate::server::csv;
use crate::server::storage::{Db, audit_log};

const HEADER: [&str; 7] = [
    "id",
    "created_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "details",
];
/// Entries read per query while writing the file.
const BATCH: i64 = 500;

pub async fn audit_log_csv(db: &Db, institution_id: &str) -> Result<String, AppError> {
    let mut out = csv::record(&HEADER);
    let mut after: Option<String> = None;
    loop {
        let batch =
            audit_log::list(db.pool(), institution_id, BATCH, after.as_deref(), None).await?;
        let full = batch.len() as i64 == BATCH;
        after = batch.last().map(|last| last.id.clone());
        for entry in batch.into_iter().map(entry_view) {
            out.push_str(&csv::record(&row(&entry)));
        }
        if !full {
            return Ok(out);
        }
    }
}

fn row(entry: &AuditEntry) -> [String; 7] {
    [
        entry.id.clone(),
        DateTime::from_unix(entry.created_at).iso8601(),
        entry.actor.clone(),
        entry.action.clone(),
        entry.object_type.clone(),
        entry.object_id.clone(),
        entry.details.to_string(),
    ]
}
