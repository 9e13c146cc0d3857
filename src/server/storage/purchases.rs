//! Purchases of interview sessions, one per Stripe PaymentIntent.

use sqlx::any::AnyArguments;
use sqlx::query::QueryAs;
use sqlx::{Any, Executor, FromRow};

use crate::api_types::BankTransfer;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::domain::plan::Plan;
use crate::domain::purchase_status::PurchaseStatus;
use crate::server::clock::now_unix;
use crate::server::metrics;

/// A row as stored. A plan or status the app does not know fails the query (a decode error,
/// logged as a database error): only this module writes them, so one would be damaged data.
#[derive(Debug, Clone, FromRow)]
pub struct Purchase {
    pub id: String,
    pub institution_id: String,
    pub quantity: i64,
    #[sqlx(try_from = "String")]
    pub plan: Plan,
    pub unit_amount: i64,
    pub amount: i64,
    pub currency: String,
    #[sqlx(try_from = "String")]
    pub status: PurchaseStatus,
    pub payment_intent_id: String,
    pub failure_message: Option<String>,
    /// Refunded so far, in minor units of `currency` (refunds are made in Stripe).
    pub amount_refunded: i64,
    /// The Stripe invoice made for the purchase once paid, as soon as Stripe created it.
    pub invoice_id: Option<String>,
    /// When that invoice was seen paid: nothing left to do for it.
    pub invoiced_at: Option<i64>,
    pub created_at: i64,
    /// Sessions a dispute should have held back but the pool no longer had.
    pub dispute_shortfall: i64,
    /// Refunds that failed after they were made, in minor units: their money and sessions
    /// came back.
    pub refund_failed_amount: i64,
    /// Who asked for it to be canceled: an admin's email, or `system`.
    pub cancel_requested_by: Option<String>,
    /// The institution's purchase-order number.
    pub po_number: Option<String>,
    /// How much of `amount_refunded` credit notes on the invoice cover.
    pub credited_amount: i64,
    /// The payment method of the latest attempt, once Stripe told which.
    pub payment_method_id: Option<String>,
    /// Its Stripe type (`card`, `us_bank_account`, `customer_balance`).
    pub payment_method_type: Option<String>,
    /// A bank transfer's instructions, from the intent's `display_bank_transfer_instructions`.
    pub transfer_amount_remaining: Option<i64>,
    pub transfer_reference: Option<String>,
    pub transfer_account_number: Option<String>,
    pub transfer_routing_number: Option<String>,
    pub transfer_instructions_url: Option<String>,
    /// Stripe's page for verifying a bank account's microdeposits, while a debit waits for them.
    pub verification_url: Option<String>,
}

/// The `Purchase` columns, as one literal (sqlx accepts only static SQL text).
macro_rules! purchase_columns {
    () => {
        "id, institution_id, quantity, plan, unit_amount, amount, currency, status, \
         payment_intent_id, failure_message, amount_refunded, invoice_id, invoiced_at, created_at, \
         dispute_shortfall, refund_failed_amount, cancel_requested_by, po_number, credited_amount, \
         payment_method_id, payment_method_type, transfer_amount_remaining, transfer_reference, \
         transfer_account_number, transfer_routing_number, transfer_instructions_url, \
         verification_url"
    };
}

/// `SELECT <the Purchase columns> FROM purchases <rest>`.
macro_rules! select_purchases {
    ($rest:literal) => {
        concat!("SELECT ", purchase_columns!(), " FROM purchases ", $rest)
    };
}

type PurchaseQuery<'q> = QueryAs<'q, Any, Purchase, AnyArguments>;

/// Binds `statuses` as `$1, $2...` of a query that starts `status IN ($1, $2...)`.
fn bind_statuses<'q>(query: PurchaseQuery<'q>, statuses: &[PurchaseStatus]) -> PurchaseQuery<'q> {
    statuses
        .iter()
        .fold(query, |query, status| query.bind(status.as_str()))
}

/// Still waiting on Stripe, or failed (a later attempt on the same intent can succeed).
const UNSETTLED: [PurchaseStatus; 5] = [
    PurchaseStatus::Pending,
    PurchaseStatus::RequiresAction,
    PurchaseStatus::Processing,
    PurchaseStatus::AwaitingTransfer,
    PurchaseStatus::Failed,
];

/// Unpaid with nothing in flight: never confirmed, stuck at 3-D Secure, or declined. A bank
/// debit being processed and a transfer being awaited are in flight: canceling them could
/// turn away money already on its way.
const ABANDONABLE: [PurchaseStatus; 3] = [
    PurchaseStatus::Pending,
    PurchaseStatus::RequiresAction,
    PurchaseStatus::Failed,
];

pub struct NewPurchase<'a> {
    pub id: &'a str,
    pub institution_id: &'a str,
    pub quantity: i64,
    pub plan: Plan,
    pub unit_amount: i64,
    pub amount: i64,
    pub currency: &'a str,
    pub payment_intent_id: &'a str,
    pub po_number: Option<&'a str>,
}

/// Stores a new pending purchase and returns it; `None` when a purchase with this id already
/// exists (two requests with one Idempotency-Key racing: the first one stored it).
pub async fn insert<'c, E>(conn: E, new: &NewPurchase<'_>) -> Result<Option<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(concat!(
        "INSERT INTO purchases (id, institution_id, quantity, plan, unit_amount, amount, currency,
                                status, payment_intent_id, created_at, updated_at, po_number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)
         ON CONFLICT (id) DO NOTHING
         RETURNING ",
        purchase_columns!()
    ))
    .bind(new.id)
    .bind(new.institution_id)
    .bind(new.quantity)
    .bind(new.plan.id())
    .bind(new.unit_amount)
    .bind(new.amount)
    .bind(new.currency)
    .bind(PurchaseStatus::Pending.as_str())
    .bind(new.payment_intent_id)
    .bind(now_unix())
    .bind(new.po_number)
    .fetch_optional(conn)
    .await
    .inspect(|stored| {
        if stored.is_some() {
            metrics::purchase_created();
        }
    })
}

/// One of the institution's purchases; another institution's id is simply not found.
pub async fn find_for_institution<'c, E>(
    conn: E,
    institution_id: &str,
    id: &str,
) -> Result<Option<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(select_purchases!("WHERE id = $1 AND institution_id = $2"))
        .bind(id)
        .bind(institution_id)
        .fetch_optional(conn)
        .await
}

pub async fn find_by_payment_intent<'c, E>(
    conn: E,
    payment_intent_id: &str,
) -> Result<Option<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(select_purchases!("WHERE payment_intent_id = $1"))
        .bind(payment_intent_id)
        .fetch_optional(conn)
        .await
}

/// Up to `limit` purchases, newest first, strictly older than `starting_after` when given
/// (UUIDv7 ids sort by creation time).
pub async fn list_for_institution<'c, E>(
    conn: E,
    institution_id: &str,
    limit: i64,
    starting_after: Option<&str>,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(select_purchases!(
        "WHERE institution_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3"
    ))
    .bind(institution_id)
    .bind(starting_after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The institution's most recent paid purchase (refunded ones included).
pub async fn last_paid<'c, E>(
    conn: E,
    institution_id: &str,
) -> Result<Option<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    bind_statuses(
        sqlx::query_as(select_purchases!(
            "WHERE status IN ($1, $2, $3, $4, $5) AND institution_id = $6 ORDER BY id DESC LIMIT 1"
        )),
        &PurchaseStatus::PAID,
    )
    .bind(institution_id)
    .fetch_optional(conn)
    .await
}

/// The institution's purchases waiting for a bank transfer, newest first.
pub async fn awaiting_transfer<'c, E>(
    conn: E,
    institution_id: &str,
    limit: i64,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(select_purchases!(
        "WHERE status = $1 AND institution_id = $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(PurchaseStatus::AwaitingTransfer.as_str())
    .bind(institution_id)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Notes who is about to ask Stripe to cancel the purchase (see `cancel_requested_by`).
pub async fn request_cancel<'c, E>(conn: E, id: &str, by: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET cancel_requested_by = $1, updated_at = $2 WHERE id = $3")
        .bind(by)
        .bind(now_unix())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a purchase from `from` to `to`, only if it is still in `from`: of two racing
/// updates exactly one wins, and the loser sees `false`.
pub async fn change_status<'c, E>(
    conn: E,
    id: &str,
    from: PurchaseStatus,
    to: PurchaseStatus,
    failure_message: Option<&str>,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "UPDATE purchases SET status = $1, failure_message = $2, updated_at = $3
         WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(failure_message)
    .bind(now_unix())
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    let changed = result.rows_affected() == 1;
    if changed {
        metrics::purchase_transition(from, to);
    }
    Ok(changed)
}

/// Purchases created between `since` and `before` (Unix seconds) that are still waiting on
/// Stripe, or failed (a later attempt on the same intent can succeed): least recently checked
/// first, then newest first. What the reconciliation sweep looks at.
pub async fn unsettled<'c, E>(
    conn: E,
    since: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let query = sqlx::query_as(select_purchases!(
        "WHERE status IN ($1, $2, $3, $4, $5) AND created_at >= $6 AND created_at < $7
         ORDER BY last_checked_at, created_at DESC, id LIMIT $8"
    ));
    bind_statuses(query, &UNSETTLED)
        .bind(since)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// Records where the admin verifies the microdeposits of the purchase's bank account.
pub async fn record_verification_url<'c, E>(conn: E, id: &str, url: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET verification_url = $1 WHERE id = $2")
        .bind(url)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the payment method of the purchase's latest attempt, and its type when known (a
/// type already recorded for the same payment method stays).
pub async fn record_payment_method<'c, E>(
    conn: E,
    id: &str,
    payment_method_id: &str,
    kind: Option<PaymentMethodType>,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE purchases SET payment_method_type = CASE
                WHEN CAST($2 AS TEXT) IS NOT NULL THEN $2
                WHEN payment_method_id = $1 THEN payment_method_type
                ELSE NULL END,
            payment_method_id = $1
         WHERE id = $3",
    )
    .bind(payment_method_id)
    .bind(kind.map(PaymentMethodType::as_str))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a bank transfer's instructions. What remains to be paid only ever goes down: an
/// older copy of the instructions (events arrive in any order) cannot raise it again.
pub async fn record_transfer<'c, E>(
    conn: E,
    id: &str,
    transfer: &BankTransfer,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE purchases SET
            transfer_amount_remaining = CASE
                WHEN transfer_amount_remaining IS NULL OR transfer_amount_remaining > $1 THEN $1
                ELSE transfer_amount_remaining END,
            transfer_reference = $2, transfer_account_number = $3,
            transfer_routing_number = $4, transfer_instructions_url = $5, updated_at = $6
         WHERE id = $7",
    )
    .bind(transfer.amount_remaining)
    .bind(&transfer.reference)
    .bind(&transfer.account_number)
    .bind(&transfer.routing_number)
    .bind(&transfer.hosted_instructions_url)
    .bind(now_unix())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the sweep asked Stripe about the purchase at `at`.
pub async fn mark_checked<'c, E>(conn: E, id: &str, at: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET last_checked_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Unpaid purchases created before `before` whose payment nobody finished (never confirmed,
/// stuck at 3-D Secure, or declined): the checkouts to abandon. Oldest first.
pub async fn abandoned<'c, E>(
    conn: E,
    before: i64,
    limit: i64,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let query = sqlx::query_as(select_purchases!(
        "WHERE status IN ($1, $2, $3) AND created_at < $4 ORDER BY created_at, id LIMIT $5"
    ));
    bind_statuses(query, &ABANDONABLE)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// Records the purchase's invoice unless one is recorded already (the first one stays).
pub async fn set_invoice_id<'c, E>(conn: E, id: &str, invoice_id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL")
        .bind(invoice_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_invoiced<'c, E>(conn: E, id: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET invoiced_at = $1 WHERE id = $2 AND invoiced_at IS NULL")
        .bind(now_unix())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Paid purchases, last changed before `before`, whose invoice is not yet paid, oldest first.
pub async fn awaiting_invoice<'c, E>(
    conn: E,
    before: i64,
    limit: i64,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    bind_statuses(
        sqlx::query_as(select_purchases!(
            "WHERE status IN ($1, $2, $3, $4, $5) AND invoiced_at IS NULL AND updated_at < $6
         ORDER BY id LIMIT $7"
        )),
        &PurchaseStatus::PAID,
    )
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Invoiced purchases, last changed before `before`, with refunds their invoice's credit notes
/// do not yet cover, oldest first.
pub async fn awaiting_credit<'c, E>(
    conn: E,
    before: i64,
    limit: i64,
) -> Result<Vec<Purchase>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as(select_purchases!(
        "WHERE invoiced_at IS NOT NULL AND invoice_id IS NOT NULL
           AND amount_refunded > credited_amount AND updated_at < $1
         ORDER BY id LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Records that credit notes now cover `credited` of the purchase's refunds; never lowers it
/// (two runs racing finish in either order).
pub async fn set_credited<'c, E>(conn: E, id: &str, credited: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE purchases SET credited_amount = $1 WHERE id = $2 AND credited_amount < $1")
        .bind(credited)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that `total` of the purchase has now been refunded, only if that is more than was
/// recorded: a redelivered or stale (smaller) total changes nothing and returns `false`. On
/// PostgreSQL the update also locks the row until the transaction ends, so refunds of one
/// purchase are applied one after the other.
pub async fn record_refund<'c, E>(
    conn: E,
    id: &str,
    total: i64,
    status: PurchaseStatus,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let result = sqlx::query(
        "UPDATE purchases SET amount_refunded = $1, status = $2, updated_at = $3
         WHERE id = $4 AND amount_refunded < $1",
    )
    .bind(total)
    .bind(status.as_str())
    .bind(now_unix())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sets the purchase's refunded total and status, whatever they were: a refund that failed
/// lowers the total.
pub async fn set_refunded<'c, E>(
    conn: E,
    id: &str,
    total: i64,
    status: PurchaseStatus,
    failed_amount: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE purchases SET amount_refunded = $1, status = $2, updated_at = $3,
                refund_failed_amount = refund_failed_amount + $4
         WHERE id = $5",
    )
    .bind(total)
    .bind(status.as_str())
    .bind(now_unix())
    .bind(failed_amount)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the purchase's status and its dispute shortfall (a dispute opening or closing).
pub async fn set_dispute<'c, E>(
    conn: E,
    id: &str,
    status: PurchaseStatus,
    shortfall: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE purchases SET status = $1, dispute_shortfall = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(shortfall)
    .bind(now_unix())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
