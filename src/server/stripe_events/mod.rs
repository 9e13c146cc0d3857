//! Processing one verified Stripe event (`payment_intent.*`, `charge.refunded`, ...): the webhook
//! hands every event here, and so can an operator's replay. Each event is stored whole; its
//! effects and its "processed" mark are written in one transaction, so a redelivery (Stripe
//! delivers at least once) changes nothing, and an event whose processing failed stays
//! unprocessed, with why, for Stripe's retry or a replay.

mod catch_up;
mod list_changes;

use serde::Deserialize;
use stripe_webhook::{Event, EventObject};

use crate::error::AppError;
use crate::server::audit::Actor;
use crate::server::invoices;
use crate::server::purchases::disputes::{self, DisputeReport};
use crate::server::purchases::failed_refunds::{self, FailedRefund};
use crate::server::purchases::payment_method_kind;
use crate::server::purchases::transitions::{self, IntentReport, RefundOutcome, RefundReport};
use crate::server::state::AppState;
use crate::server::storage::institutions;
use crate::server::storage::stripe_events::{self, Begin, NewEvent};

pub use catch_up::{CatchUpReport, catch_up};

/// What became of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    /// Processed before: a redelivery.
    Duplicate,
    /// A type the app does not act on; stored and acknowledged.
    Ignored,
    /// Signed, but not parseable into the app's model (a newer API version, an unknown object):
    /// stored unprocessed for a replay after an upgrade, and acknowledged so Stripe does not
    /// retry it for days and then disable the endpoint.
    Unparsed,
}

/// The fields every Stripe event has, read from the raw JSON whatever its version.
#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    created: i64,
}

/// Processes the event whose raw JSON is `body`; `parsed` is its typed form, or why there is
/// none.
#[tracing::instrument(
    name = "stripe_event",
    skip_all,
    fields(event_id = tracing::field::Empty, event_type = tracing::field::Empty)
)]
pub async fn process(
    state: &AppState,
    body: &str,
    parsed: Result<Event, String>,
) -> Result<Outcome, AppError> {
    let envelope: Envelope = serde_json::from_str(body).map_err(|_| {
        tracing::warn!("signed Stripe webhook body is not an event");
        AppError::BadRequest("Webhook refused: the body is not a Stripe event.".into())
    })?;
    let stored = NewEvent {
        id: &envelope.id,
        event_type: &envelope.event_type,
        created: envelope.created,
        body,
    };
    let (event_id, event_type) = (stored.id, stored.event_type);
    let span = tracing::Span::current();
    span.record("event_id", event_id);
    span.record("event_type", event_type);
    let event = match parsed {
        Ok(event) => Some(event),
        // Unparseable but of a type the app would ignore anyway: nothing to replay.
        Err(_) if !HANDLED_TYPES.contains(&event_type) => None,
        Err(detail) => {
            tracing::warn!(
                event_id,
                event_type,
                detail,
                "signed Stripe event could not be parsed; stored unprocessed for replay"
            );
            stripe_events::record_failure(
                state.db.pool(),
                &stored,
                &format!("not parsed: {detail}"),
            )
            .await?;
            return Ok(Outcome::Unparsed);
        }
    };

    let mut news = event.as_ref().and_then(|e| news_of(&e.data.object));
    if let Some(News::Intent(report)) = &mut news {
        // Before the write transaction: it may ask Stripe.
        payment_method_kind::identify(state, report).await;
    }
    let mut tx = state.db.begin_write().await?;
    let begun = stripe_events::begin(&mut tx, &stored).await?;
    if begun == Begin::Done {
        tracing::info!(
            event_id,
            event_type,
            "Stripe event already processed; duplicate ignored"
        );
        return Ok(Outcome::Duplicate);
    }
    let Some(news) = news else {
        if let Some(customer_id) = list_changes::customer_of(event_type, body) {
            institutions::bump_stripe_lists(&mut *tx, &customer_id).await?;
        }
        stripe_events::finish(&mut tx, begun, event_id).await?;
        tx.commit().await?;
        tracing::info!(
            event_id,
            event_type,
            "Stripe event type not handled; stored and acknowledged"
        );
        return Ok(Outcome::Ignored);
    };
    let applied = match &news {
        News::Intent(report) => transitions::apply(&mut tx, report, Actor::Stripe)
            .await
            .map_err(AppError::from),
        News::Refund(report) => charge_news(transitions::apply_refund(&mut tx, report).await),
        News::RefundFailed(failed) => charge_news(failed_refunds::apply(&mut tx, failed).await),
        News::Dispute(report) => charge_news(disputes::apply(&mut tx, report).await),
    };
    let purchase = match applied {
        Ok(purchase) => purchase,
        Err(e) => {
            // The transaction's writes are dropped; the event is kept, unprocessed, with why.
            drop(tx);
            tracing::warn!(event_id, event_type, error = %e, "Stripe event not processed; kept for retry");
            stripe_events::record_failure(state.db.pool(), &stored, &e.to_string()).await?;
            return Err(e);
        }
    };
    stripe_events::finish(&mut tx, begun, event_id).await?;
    tx.commit().await?;
    if let Some(purchase) = &purchase {
        invoices::issue::spawn_for(state, purchase);
    }
    tracing::info!(
        event_id,
        event_type,
        payment_intent_id = news.payment_intent_id(),
        purchase_id = purchase.as_ref().map(|p| p.id.as_str()),
        "Stripe event processed"
    );
    Ok(Outcome::Processed)
}

/// The purchase a charge's news (a refund, its failure, a dispute) left, if it is ours.
fn charge_news(
    outcome: Result<RefundOutcome, sqlx::Error>,
) -> Result<Option<crate::server::storage::purchases::Purchase>, AppError> {
    match outcome {
        Ok(RefundOutcome::Done(purchase)) => Ok(Some(*purchase)),
        Ok(RefundOutcome::NotOurs) => Ok(None),
        // Not yet: Stripe delivers it again once the payment's own event has arrived.
        Ok(RefundOutcome::NotYetPaid) => Err(AppError::Unavailable),
        Err(e) => Err(e.into()),
    }
}

/// Processed events are kept this long: far beyond Stripe's three days of redeliveries, so a
/// duplicate is always recognised, and long enough to look into a month's payments.
pub const KEEP_PROCESSED_SECS: i64 = 30 * 24 * 60 * 60;

/// Deletes processed events older than [`KEEP_PROCESSED_SECS`].
pub async fn forget_old(state: &AppState) -> Result<u64, AppError> {
    let cutoff = crate::server::clock::now_unix() - KEEP_PROCESSED_SECS;
    let deleted = stripe_events::delete_processed_before(state.db.pool(), cutoff).await?;
    if deleted > 0 {
        tracing::info!(deleted, "old processed Stripe events deleted");
    }
    Ok(deleted)
}

/// What a replay did, by outcome.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub processed: usize,
    pub ignored: usize,
    pub duplicates: usize,
    pub unparsed: usize,
    pub failed: usize,
}

/// Processes again every stored event that is not processed (failed, or not parseable by an
/// older version of the app), received since `since`, through [`process`].
pub async fn replay(state: &AppState, since: i64) -> Result<ReplayReport, AppError> {
    let mut report = ReplayReport::default();
    for (id, body) in stripe_events::unprocessed(state.db.pool(), since).await? {
        // Its signature was verified when it arrived and stored; only parsing remains.
        let parsed = stripe_webhook::Webhook::insecure(&body).map_err(|e| e.to_string());
        match process(state, &body, parsed).await {
            Ok(Outcome::Processed) => report.processed += 1,
            Ok(Outcome::Ignored) => report.ignored += 1,
            Ok(Outcome::Duplicate) => report.duplicates += 1,
            Ok(Outcome::Unparsed) => report.unparsed += 1,
            Err(e) => {
                tracing::warn!(event_id = %id, error = %e, "replayed Stripe event failed again");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// The event types the app acts on (see [`news_of`]).
pub const HANDLED_TYPES: &[&str] = &[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.partially_funded",
    "payment_intent.canceled",
    "charge.refunded",
    "refund.failed",
    "charge.refund.updated",
    "charge.dispute.created",
    "charge.dispute.closed",
];

/// What an event tells about one of our payments.
enum News {
    Intent(IntentReport),
    Refund(RefundReport),
    RefundFailed(FailedRefund),
    Dispute(DisputeReport),
}

impl News {
    fn payment_intent_id(&self) -> &str {
        match self {
            News::Intent(report) => &report.payment_intent_id,
            News::Refund(report) => &report.payment_intent_id,
            News::RefundFailed(failed) => &failed.payment_intent_id,
            News::Dispute(report) => &report.payment_intent_id,
        }
    }
}

fn news_of(object: &EventObject) -> Option<News> {
    match object {
        EventObject::PaymentIntentSucceeded(intent)
        | EventObject::PaymentIntentPaymentFailed(intent)
        | EventObject::PaymentIntentProcessing(intent)
        | EventObject::PaymentIntentRequiresAction(intent)
        | EventObject::PaymentIntentPartiallyFunded(intent)
        | EventObject::PaymentIntentCanceled(intent) => {
            Some(News::Intent(IntentReport::from_event(intent)))
        }
        EventObject::ChargeRefunded(charge) => RefundReport::from_charge(charge).map(News::Refund),
        EventObject::RefundFailed(refund) | EventObject::ChargeRefundUpdated(refund) => {
            FailedRefund::from_refund(refund).map(News::RefundFailed)
        }
        EventObject::ChargeDisputeCreated(dispute) => {
            DisputeReport::from_dispute(dispute, true).map(News::Dispute)
        }
        EventObject::ChargeDisputeClosed(dispute) => {
            DisputeReport::from_dispute(dispute, false).map(News::Dispute)
        }
        _ => None,
    }
}
