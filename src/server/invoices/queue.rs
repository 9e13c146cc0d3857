//! Paid purchases waiting for their invoice (or their refunds' credit notes), issued by [`AT_ONCE`] workers. A burst of payments
//! (a replay after an outage, a batch of purchases) waits here as a list of purchases instead
//! of thousands of Stripe calls running together: the webhook keeps answering quickly, memory
//! stays flat, and four calls per invoice stay under Stripe's 100 requests a second even at
//! Stripe's latency. A purchase still queued when the server stops is left to the sweep.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{credit, issue};
use crate::server::audit::Actor;
use crate::server::background::Running;
use crate::server::state::AppState;
use crate::server::storage::purchases::Purchase;

/// Invoices one server issues at once.
pub const AT_ONCE: usize = 16;

#[derive(Clone, Debug)]
pub struct InvoiceQueue(Arc<Queue>);

#[derive(Debug)]
struct Queue {
    sender: mpsc::UnboundedSender<Queued>,
    /// Until the first purchase starts the workers.
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Queued>>>,
}

/// A purchase, counted as background work while it waits (the tests and shutdown wait for it).
struct Queued {
    purchase: Purchase,
    _running: Running,
}

type SharedReceiver = Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>>;

impl Default for InvoiceQueue {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        InvoiceQueue(Arc::new(Queue {
            sender,
            receiver: Mutex::new(Some(receiver)),
        }))
    }
}

impl InvoiceQueue {
    /// Queues the purchase for its invoice.
    pub fn push(&self, state: &AppState, purchase: Purchase) {
        self.start_workers(state);
        let queued = Queued {
            purchase,
            _running: state.background.track(),
        };
        // The workers hold the receiver as long as the server runs.
        let _ = self.0.sender.send(queued);
    }

    fn start_workers(&self, state: &AppState) {
        let receiver = self
            .0
            .receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let Some(receiver) = receiver else {
            return;
        };
        let receiver: SharedReceiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..AT_ONCE {
            tokio::spawn(work(state.clone(), receiver.clone()));
        }
    }
}

async fn work(state: AppState, receiver: SharedReceiver) {
    loop {
        let next = receiver.lock().await.recv().await;
        let Some(Queued { purchase, .. }) = next else {
            return;
        };
        if state.background.is_stopping() {
            continue;
        }
        if purchase.invoiced_at.is_none()
            && let Err(e) = issue::issue(&state, &purchase).await
        {
            tracing::warn!(purchase_id = %purchase.id, error = %e, "invoice not issued yet; the sweep will retry");
            continue;
        }
        // Refunds come only from Stripe's events: their credit notes are Stripe's doing.
        if purchase.amount_refunded > purchase.credited_amount
            && let Err(e) = credit::credit_refunds(&state, &purchase, Actor::Stripe).await
        {
            tracing::warn!(purchase_id = %purchase.id, error = %e, "credit note not issued yet; the sweep will retry");
        }
    }
}
