//! Recording the audit log: who did what to an institution's billing. Entries are appended in
//! the transaction of the change they describe when there is one (purchases, refunds,
//! disputes), or right after the Stripe call that made it (cards). They never hold card
//! numbers, secrets or passwords: only ids, statuses, amounts and the brand and last four
//! digits Stripe shows anyway.

pub mod export;

use serde_json::Value;
use sqlx::{Any, Executor};

use crate::api_types::{AuditEntry, AuditLog};
use crate::domain::audit::{AuditAction, parse_action_prefix};
use crate::domain::page::PageSize;
use crate::error::AppError;
use crate::server::storage::{Db, audit_log};

/// Who made a change.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in admin, by email.
    Admin(&'a str),
    /// Stripe, through a webhook.
    Stripe,
    /// The app on its own (the sweep that reconciles with Stripe).
    System,
}

impl<'a> Actor<'a> {
    /// The actor an entry names: the inverse of [`Actor::name`].
    pub fn from_name(name: &'a str) -> Self {
        match name {
            "stripe" => Actor::Stripe,
            "system" => Actor::System,
            email => Actor::Admin(email),
        }
    }

    pub fn name(&self) -> &'a str {
        match self {
            Actor::Admin(email) => email,
            Actor::Stripe => "stripe",
            Actor::System => "system",
        }
    }
}

/// What an entry is about: `("purchase", id)`, `("payment_method", id)`, `("admin", id)`.
pub type Object<'a> = (&'static str, &'a str);

pub async fn record<'c, E>(
    conn: E,
    institution_id: &str,
    actor: Actor<'_>,
    action: AuditAction,
    (object_type, object_id): Object<'_>,
    details: Value,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    audit_log::append(
        conn,
        &audit_log::NewEntry {
            institution_id,
            actor: actor.name(),
            action: action.as_str(),
            object_type,
            object_id,
            details: details.to_string(),
        },
    )
    .await
}

/// As [`record`], for a change already made elsewhere (at Stripe): a failure to write the
/// entry is logged, not reported to the admin whose change went through.
pub async fn record_after(
    db: &Db,
    institution_id: &str,
    actor: Actor<'_>,
    action: AuditAction,
    object: Object<'_>,
    details: Value,
) {
    if let Err(error) = record(db.pool(), institution_id, actor, action, object, details).await {
        tracing::error!(%error, action = action.as_str(), object_id = object.1, "audit log entry not written");
    }
}

/// One page of the institution's log, newest first: `GET /api/audit-log`.
pub async fn list(
    db: &Db,
    institution_id: &str,
    limit: Option<i64>,
    starting_after: Option<&str>,
    action: Option<&str>,
) -> Result<AuditLog, AppError> {
    let limit = PageSize::parse(limit).map_err(AppError::BadRequest)?.get();
    let action = action
        .map(parse_action_prefix)
        .transpose()
        .map_err(AppError::BadRequest)?;
    // One row more than asked says whether there is another page.
    let mut rows =
        audit_log::list(db.pool(), institution_id, limit + 1, starting_after, action).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok(AuditLog {
        data: rows.into_iter().map(entry_view).collect(),
        has_more,
    })
}

fn entry_view(row: audit_log::Entry) -> AuditEntry {
    AuditEntry {
        details: serde_json::from_str(&row.details).unwrap_or(Value::Null),
        id: row.id,
        created_at: row.created_at,
        actor: row.actor,
        action: row.action,
        object_type: row.object_type,
        object_id: row.object_id,
    }
}
