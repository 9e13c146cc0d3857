//! Missed-event catch-up: a webhook can be lost (an outage longer than Stripe's three days of
//! retries, a misconfigured endpoint), so a periodic job asks Stripe for the events of the types
//! the app handles and processes those not processed yet, through the same code as the webhook.
//! An event the webhook delivers as well is a duplicate there, and changes nothing.

use serde::Deserialize;

use super::{HANDLED_TYPES, Outcome, process};
use crate::error::AppError;
use crate::server::clock::now_unix;
use crate::server::state::AppState;
use crate::server::storage::stripe_events;

/// How far before the newest processed event to look again: events of one moment reach the
/// webhook in any order, and an earlier one may still be in Stripe's retry queue.
const MARGIN_SECS: i64 = 24 * 60 * 60;
/// With nothing processed yet, how far back to look: Stripe's three days of retries.
const FIRST_LOOK_BACK_SECS: i64 = 3 * 24 * 60 * 60;
/// Stripe lists the events of the last 30 days only.
const STRIPE_KEEPS_SECS: i64 = 30 * 24 * 60 * 60;

/// What one catch-up did with the events it had not processed before.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CatchUpReport {
    pub processed: usize,
    /// Acknowledged without effect (not about one of our payments, or not parseable).
    pub ignored: usize,
    /// Kept unprocessed, with why, for the next run or a replay.
    pub failed: usize,
}

#[derive(Deserialize)]
struct EventId {
    id: String,
}

pub async fn catch_up(state: &AppState) -> Result<CatchUpReport, AppError> {
    let pool = state.db.pool();
    let now = now_unix();
    let since = match stripe_events::newest_processed_created(pool).await? {
        Some(created) => created - MARGIN_SECS,
        None => now - FIRST_LOOK_BACK_SECS,
    }
    .max(now - STRIPE_KEEPS_SECS);

    let mut events = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .stripe
            .list_events(since, HANDLED_TYPES, after.as_deref())
            .await?;
        let last = page.events.last().map(|body| event_id(body)).transpose()?;
        events.extend(page.events);
        match last {
            Some(id) if page.has_more => after = Some(id),
            _ => break,
        }
    }

    // Stripe lists newest first; an intent's events are applied in the order they happened.
    let mut report = CatchUpReport::default();
    for body in events.iter().rev() {
        // Oldest first, so stopping here leaves only newer events for the next run.
        if state.background.is_stopping() {
            break;
        }
        let id = event_id(body)?;
        if stripe_events::is_processed(pool, &id).await? {
            continue;
        }
        // Read from Stripe's API with the secret key: as authentic as a signed webhook.
        let parsed = stripe_webhook::Webhook::insecure(body).map_err(|e| e.to_string());
        match process(state, body, parsed).await {
            Ok(Outcome::Processed) => report.processed += 1,
            Ok(Outcome::Duplicate) => {}
            Ok(Outcome::Ignored | Outcome::Unparsed) => report.ignored += 1,
            Err(e) => {
                tracing::warn!(event_id = %id, error = %e, "caught-up Stripe event not processed");
                report.failed += 1;
            }
        }
    }
    if report != CatchUpReport::default() {
        tracing::info!(?report, "missed Stripe events caught up");
    }
    Ok(report)
}

fn event_id(body: &str) -> Result<String, AppError> {
    serde_json::from_str::<EventId>(body)
        .map(|e| e.id)
        .map_err(|e| {
            tracing::error!(error = %e, "an event from Stripe's list has no id");
            AppError::Unavailable
        })
}
