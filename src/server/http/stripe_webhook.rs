//! `POST /api/stripe/webhook`: Stripe's news about payments (`payment_intent.*`) and refunds
//! (`charge.refunded`). The signature is checked on the raw body before anything else; each
//! event is recorded in the same transaction as its effects, so a redelivery (Stripe delivers
//! at least once) changes nothing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use stripe_webhook::{Event, EventObject, Webhook, WebhookError};

use crate::error::AppError;
use crate::server::invoices;
use crate::server::purchases::transitions::{self, IntentReport, RefundOutcome, RefundReport};
use crate::server::state::AppState;
use crate::server::storage::stripe_events;

pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let event = verify(&state, &headers, &body)?;
    let event_id = event.id.as_str();
    let event_type = event.type_.as_str();
    let Some(news) = news_of(&event.data.object) else {
        tracing::info!(
            event_id,
            event_type,
            "Stripe event type not handled; acknowledged"
        );
        return Ok(received());
    };
    let mut tx = state.db.begin_write().await?;
    if !stripe_events::record(&mut *tx, event_id, event_type).await? {
        tracing::info!(
            event_id,
            event_type,
            payment_intent_id = news.payment_intent_id(),
            "Stripe event already processed; duplicate ignored"
        );
        return Ok(received());
    }
    let purchase = match &news {
        News::Intent(report) => transitions::apply(&mut tx, report).await?,
        News::Refund(report) => match transitions::apply_refund(&mut tx, report).await? {
            RefundOutcome::Done(purchase) => Some(*purchase),
            RefundOutcome::NotOurs => None,
            // Dropping the transaction forgets the event too, so its redelivery is processed.
            RefundOutcome::NotYetPaid => return Err(AppError::Unavailable),
        },
    };
    tx.commit().await?;
    if let Some(purchase) = &purchase {
        invoices::issue::spawn_for(&state, purchase);
    }
    tracing::info!(
        event_id,
        event_type,
        payment_intent_id = news.payment_intent_id(),
        purchase_id = purchase.as_ref().map(|p| p.id.as_str()),
        "Stripe event processed"
    );
    Ok(received())
}

fn received() -> Json<Value> {
    Json(json!({ "received": true }))
}

/// What an event tells about one of our payments.
enum News {
    Intent(IntentReport),
    Refund(RefundReport),
}

impl News {
    fn payment_intent_id(&self) -> &str {
        match self {
            News::Intent(report) => &report.payment_intent_id,
            News::Refund(report) => &report.payment_intent_id,
        }
    }
}

fn verify(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Event, AppError> {
    let refuse = |problem: &str| {
        tracing::warn!(problem, "Stripe webhook refused");
        AppError::BadRequest(format!("Webhook refused: {problem}."))
    };
    let signature = headers
        .get("stripe-signature")
        .ok_or_else(|| refuse("no Stripe-Signature header"))?
        .to_str()
        .map_err(|_| refuse("the Stripe-Signature header is not text"))?;
    let payload = std::str::from_utf8(body).map_err(|_| refuse("the body is not UTF-8"))?;
    let secret = state.config.webhook_secret().expose_secret();
    Webhook::construct_event(payload, signature, secret).map_err(|e| match e {
        WebhookError::BadHeader(_) | WebhookError::BadKey => {
            refuse("the Stripe-Signature header is malformed")
        }
        WebhookError::BadSignature => refuse("the signature does not match"),
        WebhookError::BadTimestamp(_) => refuse("the signature is older than the 300 s tolerance"),
        WebhookError::BadParse(detail) => {
            tracing::error!(detail, "signed Stripe event could not be parsed");
            refuse("the event could not be parsed")
        }
    })
}

fn news_of(object: &EventObject) -> Option<News> {
    match object {
        EventObject::PaymentIntentSucceeded(intent)
        | EventObject::PaymentIntentPaymentFailed(intent)
        | EventObject::PaymentIntentProcessing(intent)
        | EventObject::PaymentIntentRequiresAction(intent)
        | EventObject::PaymentIntentCanceled(intent) => {
            Some(News::Intent(IntentReport::from_event(intent)))
        }
        EventObject::ChargeRefunded(charge) => RefundReport::from_charge(charge).map(News::Refund),
        _ => None,
    }
}
