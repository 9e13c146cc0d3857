//! Purchases for the signed-in admin's institution; shared by the REST API and the UI's
//! server functions.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use stripe_core::PaymentIntent;

use super::transitions::{self, IntentReport};
use crate::api_types::{
    Account, BankTransfer, CreatedPurchase, MonthlySummary, PurchaseList, PurchaseView, SessionPool,
};
use crate::domain::audit::AuditAction;
use crate::domain::idempotency_key::IdempotencyKey;
use crate::domain::monthly::{self, Movement};
use crate::domain::page::PageSize;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::domain::purchase_order::{PaymentChoice, PurchaseOrder};
use crate::domain::purchase_status::PurchaseStatus;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_unix;
use crate::server::invoices;
use crate::server::payment_methods;
use crate::server::state::AppState;
use crate::server::storage::purchase_idempotency_keys::{
    self as idempotency_keys, Flag, Reservation,
};
use crate::server::storage::purchases::{self, NewPurchase, Purchase};
use crate::server::storage::{Db, ledger, new_id};
use crate::server::stripe::{CancellationReason, NewIntent};

/// The sweep leaves a purchase to the browser and the webhook for this long first.
const SWEEP_AFTER_SECS: i64 = 10 * 60;
/// An intent nobody confirmed within a week is abandoned; stop asking Stripe about it.
const SWEEP_HORIZON_SECS: i64 = 7 * 24 * 3600;
const SWEEP_BATCH: i64 = 50;
/// At most this many purchases a run (Stripe allows 100 reads a second); the rest wait for the
/// next run, least recently checked first.
const SWEEP_MAX_PER_RUN: usize = 1000;

/// A purchase made or found by `create`.
#[derive(Debug)]
pub struct Created {
    pub purchase: CreatedPurchase,
    /// The Idempotency-Key had already made this purchase: nothing new was created.
    pub replayed: bool,
}

/// Creates (once) the institution's Stripe customer, the PaymentIntent, and only then the
/// purchase row for the order: if Stripe fails, no purchase exists that the admin could be
/// asked to pay, and if the row cannot be stored, the intent is canceled.
///
/// With an idempotency key, every request carrying it (per institution) works on the one
/// purchase id the first reserved: a repeat after completion gets that purchase back, and
/// racing repeats send Stripe the same idempotency key (made from that id), so Stripe makes
/// one intent and the database keeps one row. The same key with another order is a conflict.
#[tracing::instrument(name = "create_purchase", skip_all, fields(institution_id = %account.institution.id))]
pub async fn create(
    state: &AppState,
    account: &Account,
    order: &PurchaseOrder,
    key: Option<&IdempotencyKey>,
) -> Result<Created, AppError> {
    match key {
        None => make(state, account, order, &new_id()).await,
        Some(key) => make_once(state, account, order, key).await,
    }
}

/// How long a duplicate request waits for the request holding its key before answering 409.
const KEY_WAIT: Duration = Duration::from_secs(3);

/// `make` under the purchase id the key reserved, or the purchase it already made. One request
/// at a time holds the key (its owner, for a lease longer than its Stripe calls can take);
/// a duplicate waits for the owner's outcome rather than working on the same purchase.
async fn make_once(
    state: &AppState,
    account: &Account,
    order: &PurchaseOrder,
    key: &IdempotencyKey,
) -> Result<Created, AppError> {
    let institution_id = account.institution.id.as_str();
    let pool = state.db.pool();
    // Every Stripe call of a request may take the whole timeout, and is retried.
    let lease = 4 * state.config.stripe_timeout.as_secs() as i64 + 10;
    let (payment_method_id, save_card) = match &order.payment {
        PaymentChoice::Saved(id) => (Some(id.clone()), false),
        PaymentChoice::New { save } => (None, *save),
    };
    let mut wanted = Reservation {
        plan: order.plan,
        quantity: order.quantity.get(),
        payment_method_id,
        save_card: Flag(save_card),
        purchase_id: new_id(),
        owner: new_id(),
        lease_until: 0,
    };
    let waiting_since = tokio::time::Instant::now();
    let held = loop {
        wanted.lease_until = now_unix() + lease;
        let held = idempotency_keys::reserve(pool, institution_id, key.as_str(), &wanted).await?;
        if !held.same_order(&wanted) {
            return Err(another_order(&held));
        }
        if let Some(purchase) =
            purchases::find_for_institution(pool, institution_id, &held.purchase_id).await?
        {
            return replay(state, purchase).await;
        }
        if held.owner == wanted.owner {
            break held;
        }
        let (previous, key) = (held.owner.as_str(), key.as_str());
        if held.lease_until <= now_unix()
            && idempotency_keys::take_over(
                pool,
                institution_id,
                key,
                previous,
                &wanted.owner,
                wanted.lease_until,
            )
            .await?
        {
            tracing::warn!(purchase_id = %held.purchase_id, "Idempotency-Key taken over from a request that stopped");
            break Reservation {
                owner: wanted.owner.clone(),
                ..held
            };
        }
        if waiting_since.elapsed() >= KEY_WAIT {
            return Err(AppError::Conflict(
                "A request with this Idempotency-Key is still being processed. Retry in a few \
                 seconds to get its purchase."
                    .to_owned(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let made = make(state, account, order, &held.purchase_id).await;
    if made.is_err() {
        let released = idempotency_keys::release(pool, institution_id, key.as_str(), &held.owner);
        if let Err(e) = released.await {
            tracing::error!(
                purchase_id = %held.purchase_id,
                error = %e,
                "could not free the Idempotency-Key of a failed purchase request"
            );
        }
    }
    made
}

fn another_order(held: &Reservation) -> AppError {
    let paid_with = match (&held.payment_method_id, held.save_card) {
        (Some(id), _) => format!("saved card {id}"),
        (None, Flag(true)) => "a new card, saved".to_owned(),
        (None, Flag(false)) => "a new card".to_owned(),
    };
    AppError::Conflict(format!(
        "This Idempotency-Key was already used to buy {} sessions on the {} plan with {paid_with}. \
         Send a new key for a different purchase.",
        held.quantity,
        held.plan.id()
    ))
}

/// A purchase the key made before: its client secret is read back from Stripe (it is not
/// stored here), and nothing is created.
async fn replay(state: &AppState, purchase: Purchase) -> Result<Created, AppError> {
    let intent = state
        .stripe
        .retrieve_payment_intent(&purchase.payment_intent_id)
        .await?;
    let client_secret = client_secret(&purchase.id, intent)?;
    Ok(Created {
        purchase: created_purchase(purchase, client_secret),
        replayed: true,
    })
}

/// Creates the customer (once), the intent and the purchase row under `purchase_id`; when the
/// row already exists (a racing request with the same key stored it), returns that one.
async fn make(
    state: &AppState,
    account: &Account,
    order: &PurchaseOrder,
    purchase_id: &str,
) -> Result<Created, AppError> {
    let institution_id = account.institution.id.as_str();
    let customer_id = state
        .stripe
        .ensure_customer(&state.db, institution_id, &account.email)
        .await?;
    let saved = match &order.payment {
        PaymentChoice::Saved(id) => {
            // Another institution's card is "not found", like one that does not exist.
            payment_methods::owned(state, institution_id, id).await?;
            Some(id.as_str())
        }
        PaymentChoice::New { .. } => None,
    };
    let currency = state.config.currency.code();
    let intent = state
        .stripe
        .create_payment_intent(&NewIntent {
            purchase_id,
            institution_id,
            customer_id: &customer_id,
            amount: order.quote.amount,
            currency,
            description: format!(
                "{} interview sessions ({} plan)",
                order.quantity.get(),
                order.plan.id()
            ),
            payment_method: saved,
            save_card: order.payment == PaymentChoice::New { save: true },
        })
        .await?;
    let intent_id = intent.id.as_str().to_owned();
    let stored = async {
        let client_secret = client_secret(purchase_id, intent)?;
        let mut tx = state.db.begin_write().await?;
        let inserted = purchases::insert(
            &mut *tx,
            &NewPurchase {
                id: purchase_id,
                institution_id,
                quantity: order.quantity.get(),
                plan: order.plan,
                unit_amount: order.quote.unit_amount,
                amount: order.quote.amount,
                currency,
                payment_intent_id: &intent_id,
                po_number: order.po_number.as_deref(),
            },
        )
        .await?;
        if inserted.is_some() {
            let details = json!({
                "quantity": order.quantity.get(),
                "plan": order.plan.id(),
                "po_number": order.po_number,
                "amount": order.quote.amount,
                "currency": currency,
                "payment_intent": intent_id,
            });
            let object = ("purchase", purchase_id);
            let actor = Actor::Admin(&account.email);
            audit::record(
                &mut *tx,
                institution_id,
                actor,
                AuditAction::PurchaseCreated,
                object,
                details,
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>((client_secret, inserted))
    }
    .await;
    let (client_secret, inserted) = match stored {
        Ok(stored) => stored,
        Err(e) => {
            cancel_orphan(state, purchase_id, &intent_id).await;
            return Err(e);
        }
    };
    let (purchase, replayed) = match inserted {
        Some(purchase) => {
            tracing::info!(
                purchase_id,
                payment_intent_id = %intent_id,
                institution_id,
                quantity = order.quantity.get(),
                amount = order.quote.amount,
                "purchase created"
            );
            (purchase, false)
        }
        None => (find(&state.db, institution_id, purchase_id).await?, true),
    };
    Ok(Created {
        purchase: created_purchase(purchase, client_secret),
        replayed,
    })
}

/// Best effort: an intent whose purchase could not be stored is canceled, so nobody can pay for
/// sessions that would never be credited. (A racing request with the same key shares the
/// intent, but its insert fails only when the database does, and then it fails the same way.)
async fn cancel_orphan(state: &AppState, purchase_id: &str, intent_id: &str) {
    match state
        .stripe
        .cancel_payment_intent(intent_id, CancellationReason::Abandoned)
        .await
    {
        Ok(_) => tracing::warn!(
            purchase_id,
            payment_intent_id = intent_id,
            "purchase not stored; its payment intent was canceled"
        ),
        Err(e) => tracing::error!(
            purchase_id,
            payment_intent_id = intent_id,
            error = %e,
            "purchase not stored and its payment intent could not be canceled; \
             cancel it in the Stripe Dashboard"
        ),
    }
}

fn client_secret(purchase_id: &str, intent: PaymentIntent) -> Result<String, AppError> {
    intent.client_secret.ok_or_else(|| {
        tracing::error!(
            purchase_id,
            payment_intent_id = %intent.id.as_str(),
            "Stripe returned a payment intent without a client secret"
        );
        AppError::Internal
    })
}

fn created_purchase(purchase: Purchase, client_secret: String) -> CreatedPurchase {
    CreatedPurchase {
        purchase_id: purchase.id,
        payment_intent_id: purchase.payment_intent_id,
        client_secret,
        amount: purchase.amount,
        currency: purchase.currency,
        status: purchase.status,
        po_number: purchase.po_number,
    }
}

/// The institution's purchases, newest first; `starting_after` is the last id of the
/// previous page.
pub async fn list(
    db: &Db,
    institution_id: &str,
    limit: Option<i64>,
    starting_after: Option<&str>,
) -> Result<PurchaseList, AppError> {
    let limit = PageSize::parse(limit).map_err(AppError::BadRequest)?.get();
    // One row more than asked says whether there is another page.
    let mut rows =
        purchases::list_for_institution(db.pool(), institution_id, limit + 1, starting_after)
            .await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok(PurchaseList {
        data: rows.into_iter().map(PurchaseView::from).collect(),
        has_more,
    })
}

/// The institution's purchases waiting for a bank transfer (a few at most: each is a
/// payment its finance office has yet to send).
pub async fn awaiting_transfers(
    db: &Db,
    institution_id: &str,
) -> Result<Vec<PurchaseView>, AppError> {
    let rows = purchases::awaiting_transfer(db.pool(), institution_id, 50).await?;
    Ok(rows.into_iter().map(PurchaseView::from).collect())
}

pub async fn get(db: &Db, institution_id: &str, id: &str) -> Result<PurchaseView, AppError> {
    Ok(find(db, institution_id, id).await?.into())
}

/// Asks Stripe how the payment stands and applies it as the webhook would, so the admin sees
/// the result at once; the webhook arriving later finds nothing left to do.
#[tracing::instrument(name = "sync_purchase", skip(state, account), fields(purchase_id = id))]
pub async fn sync(state: &AppState, account: &Account, id: &str) -> Result<PurchaseView, AppError> {
    let purchase = find(&state.db, &account.institution.id, id).await?;
    Ok(reconcile(state, &purchase, Actor::Admin(&account.email))
        .await?
        .into())
}

/// What the browser needs to confirm an unpaid purchase again (finish 3-D Secure, or try
/// another card): its client secret, read back from Stripe, since it is not stored here.
#[tracing::instrument(name = "resume_purchase", skip(state, institution_id), fields(purchase_id = id))]
pub async fn resume(
    state: &AppState,
    institution_id: &str,
    id: &str,
) -> Result<CreatedPurchase, AppError> {
    let purchase = find(&state.db, institution_id, id).await?;
    let status = purchase.status;
    if !status.is_payable() {
        return Err(AppError::Conflict(
            match status {
                PurchaseStatus::Canceled => {
                    "This purchase was canceled, so it can no longer be paid. Start a new purchase."
                }
                PurchaseStatus::Processing => {
                    "Your bank is still processing this payment. Its sessions are added as soon as \
                 Stripe confirms it."
                }
                PurchaseStatus::AwaitingTransfer => {
                    "This purchase is waiting for your bank transfer: send it with the reference \
                 shown, or cancel the purchase to pay another way."
                }
                _ => "This purchase has been paid already. Its sessions are in your pool.",
            }
            .to_owned(),
        ));
    }
    let intent = state
        .stripe
        .retrieve_payment_intent(&purchase.payment_intent_id)
        .await?;
    let client_secret = client_secret(&purchase.id, intent)?;
    Ok(created_purchase(purchase, client_secret))
}

/// Cancels a purchase that has not been paid: its PaymentIntent in Stripe first, then the
/// purchase, through the same transition the `payment_intent.canceled` webhook applies.
/// Canceling twice is not an error; a paid purchase is a 409.
#[tracing::instrument(name = "cancel_purchase", skip(state, account), fields(purchase_id = id))]
pub async fn cancel(
    state: &AppState,
    account: &Account,
    id: &str,
) -> Result<PurchaseView, AppError> {
    let purchase = find(&state.db, &account.institution.id, id).await?;
    let reason = CancellationReason::RequestedByCustomer;
    let canceled = cancel_at_stripe(state, purchase, reason, Actor::Admin(&account.email)).await?;
    if canceled.status.is_paid() {
        return Err(already_paid());
    }
    tracing::info!(
        purchase_id = %canceled.id,
        payment_intent_id = %canceled.payment_intent_id,
        status = canceled.status.as_str(),
        "purchase canceled by its admin"
    );
    Ok(canceled.into())
}

/// Cancels the purchase's intent and applies the answer. A purchase that is canceled or paid
/// (before, or in the meantime) comes back as it is; the caller says what paid means to it.
async fn cancel_at_stripe(
    state: &AppState,
    purchase: Purchase,
    reason: CancellationReason,
    actor: Actor<'_>,
) -> Result<Purchase, AppError> {
    if purchase.status == PurchaseStatus::Canceled || purchase.status.is_paid() {
        return Ok(purchase);
    }
    purchases::request_cancel(state.db.pool(), &purchase.id, actor.name()).await?;
    match state
        .stripe
        .cancel_payment_intent(&purchase.payment_intent_id, reason)
        .await
    {
        Ok(intent) => apply_intent(state, &IntentReport::from_intent(&intent), actor).await,
        // Stripe refuses when the payment succeeded (or was canceled) in the meantime: learn
        // which, and answer from that.
        Err(refused) => {
            let now = reconcile(state, &purchase, actor)
                .await
                .map_err(|_| refused.clone())?;
            if now.status == PurchaseStatus::Canceled || now.status.is_paid() {
                Ok(now)
            } else {
                Err(refused)
            }
        }
    }
}

fn already_paid() -> AppError {
    AppError::Conflict(
        "This purchase has been paid, so it can no longer be canceled. Its sessions are in \
         your pool."
            .to_owned(),
    )
}

/// Reconciles purchases a webhook should have settled by now (lost, or still being retried),
/// least recently checked first, until each due one was asked about once, the run's cap is
/// reached or the server is stopping. Returns how many changed status.
pub async fn sweep(state: &AppState) -> Result<usize, AppError> {
    let started = now_unix();
    // Each visited purchase is marked checked now, which moves it behind every one not yet
    // visited: a batch with nothing new means every due purchase had its turn.
    let mut visited = HashSet::new();
    let mut changed = 0;
    while visited.len() < SWEEP_MAX_PER_RUN && !state.background.is_stopping() {
        let due = purchases::unsettled(
            state.db.pool(),
            started - SWEEP_HORIZON_SECS,
            started - SWEEP_AFTER_SECS,
            SWEEP_BATCH,
        )
        .await?;
        let fresh: Vec<Purchase> = due
            .into_iter()
            .filter(|p| !visited.contains(&p.id))
            .collect();
        if fresh.is_empty() {
            break;
        }
        for purchase in fresh {
            if state.background.is_stopping() {
                break;
            }
            // One purchase Stripe cannot answer for must not stop the others; it waits its
            // turn again like any other.
            match reconcile(state, &purchase, Actor::System).await {
                Ok(updated) if updated.status != purchase.status => changed += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(purchase_id = %purchase.id, error = %e, "sweep could not reconcile")
                }
            }
            purchases::mark_checked(state.db.pool(), &purchase.id, now_unix()).await?;
            visited.insert(purchase.id);
        }
    }
    Ok(changed)
}

/// Cancels, at Stripe and here, the checkouts nobody paid within `ABANDONED_CHECKOUT_HOURS`, so
/// that they stop being checked and cannot be paid later by surprise. Returns how many.
pub async fn cancel_abandoned(state: &AppState) -> Result<usize, AppError> {
    let age = i64::try_from(state.config.abandoned_checkout.as_secs()).unwrap_or(i64::MAX);
    let abandoned =
        purchases::abandoned(state.db.pool(), now_unix().saturating_sub(age), SWEEP_BATCH).await?;
    let mut canceled = 0;
    for purchase in abandoned {
        if state.background.is_stopping() {
            break;
        }
        let id = purchase.id.clone();
        match cancel_at_stripe(
            state,
            purchase,
            CancellationReason::Abandoned,
            Actor::System,
        )
        .await
        {
            Ok(purchase) if purchase.status == PurchaseStatus::Canceled => {
                tracing::info!(purchase_id = %id, "abandoned checkout canceled");
                canceled += 1;
            }
            // Paid or still moving after all: the sweep follows it.
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(purchase_id = %id, error = %e, "abandoned checkout not canceled")
            }
        }
    }
    Ok(canceled)
}

async fn reconcile(
    state: &AppState,
    purchase: &Purchase,
    actor: Actor<'_>,
) -> Result<Purchase, AppError> {
    let intent = state
        .stripe
        .retrieve_payment_intent(&purchase.payment_intent_id)
        .await?;
    let updated = apply_intent(state, &IntentReport::from_intent(&intent), actor).await?;
    tracing::info!(
        purchase_id = %updated.id,
        payment_intent_id = %updated.payment_intent_id,
        status = updated.status.as_str(),
        "purchase reconciled with Stripe"
    );
    Ok(updated)
}

/// Applies what Stripe said about an intent of ours in a transaction of its own, then starts
/// issuing the invoice if that completed the purchase.
async fn apply_intent(
    state: &AppState,
    report: &IntentReport,
    actor: Actor<'_>,
) -> Result<Purchase, AppError> {
    let mut tx = state.db.begin_write().await?;
    let updated = transitions::apply(&mut tx, report, actor)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    invoices::issue::spawn_for(state, &updated);
    Ok(updated)
}

pub async fn pool(db: &Db, institution_id: &str) -> Result<SessionPool, AppError> {
    let (available, total_purchased) = ledger::totals(db.pool(), institution_id).await?;
    Ok(SessionPool {
        available,
        total_purchased,
        last_purchase: purchases::last_paid(db.pool(), institution_id)
            .await?
            .map(PurchaseView::from),
    })
}

/// Sessions and money per month over the last twelve months, from the ledger (refunds count
/// in the month they were made).
pub async fn summary(state: &AppState, institution_id: &str) -> Result<MonthlySummary, AppError> {
    let now = now_unix();
    let movements: Vec<Movement> =
        ledger::movements_since(state.db.pool(), institution_id, monthly::window_start(now))
            .await?
            .into_iter()
            .map(|(at, sessions, amount)| Movement {
                at,
                sessions,
                amount,
            })
            .collect();
    Ok(MonthlySummary {
        currency: state.config.pricing().currency.code().to_owned(),
        months: monthly::summarize(&movements, now),
    })
}

/// Another institution's purchase is "not found", not "forbidden": its existence stays private.
async fn find(db: &Db, institution_id: &str, id: &str) -> Result<Purchase, AppError> {
    purchases::find_for_institution(db.pool(), institution_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

impl From<Purchase> for PurchaseView {
    fn from(p: Purchase) -> Self {
        let bank_transfer = (p.status == PurchaseStatus::AwaitingTransfer)
            .then(|| bank_transfer(&p))
            .flatten();
        // Received by transfer before the intent was canceled: Stripe keeps it on the
        // customer's cash balance.
        let kept_on_cash_balance = match (p.status, p.transfer_amount_remaining) {
            (PurchaseStatus::Canceled, Some(remaining)) => (p.amount - remaining).max(0),
            _ => 0,
        };
        PurchaseView {
            payment_method_type: p
                .payment_method_type
                .as_deref()
                .and_then(PaymentMethodType::parse),
            bank_transfer,
            verify_microdeposits_url: p
                .verification_url
                .filter(|_| p.status == PurchaseStatus::RequiresAction),
            kept_on_cash_balance,
            id: p.id,
            quantity: p.quantity,
            plan: p.plan,
            amount: p.amount,
            currency: p.currency,
            status: p.status,
            payment_intent_id: p.payment_intent_id,
            failure_message: p.failure_message,
            amount_refunded: p.amount_refunded,
            // Once issued (finalized and paid): a draft is not yet an invoice to show, and the
            // billing page reloads for the finished one when this appears.
            invoice_id: p.invoice_id.filter(|_| p.invoiced_at.is_some()),
            created_at: p.created_at,
            dispute_shortfall: p.dispute_shortfall,
            refund_failed_amount: p.refund_failed_amount,
            po_number: p.po_number,
        }
    }
}

fn bank_transfer(p: &Purchase) -> Option<BankTransfer> {
    Some(BankTransfer {
        amount_remaining: p.transfer_amount_remaining?,
        currency: p.currency.clone(),
        reference: p.transfer_reference.clone()?,
        account_number: p.transfer_account_number.clone()?,
        routing_number: p.transfer_routing_number.clone()?,
        hosted_instructions_url: p.transfer_instructions_url.clone()?,
    })
}
