//! The life of a purchase, driven by what Stripe says about its PaymentIntent.
//!
//! Webhooks arrive late, twice, or out of order, and the browser's reconciliation call races
//! them; all of them go through `next_status`, which only ever moves a purchase forward. The
//! one exception is deliberate: a failed attempt can be followed by a successful one on the
//! same PaymentIntent, so `Failed` may still become `Completed`.
//!
//! Bank payments are slow: an ACH debit is `Processing` for days and may still fail with the
//! bank's reason; a bank transfer is `AwaitingTransfer` until the whole amount has arrived.
//! Neither credits anything before Stripe says `succeeded`.

use serde::{Deserialize, Serialize};

/// On the wire and in the database as [`PurchaseStatus::as_str`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    Pending,
    RequiresAction,
    Processing,
    /// Confirmed as a bank transfer: waiting for the institution to send the money (all of
    /// it; a partial transfer leaves it waiting for the rest).
    AwaitingTransfer,
    Completed,
    Failed,
    Canceled,
    /// Paid, then part of the payment was refunded in Stripe.
    PartiallyRefunded,
    /// Paid, then the whole payment was refunded in Stripe.
    Refunded,
    /// Paid, then disputed by the cardholder's bank: its sessions are held back until the
    /// dispute is closed.
    Disputed,
    /// The bank decided the dispute for the cardholder: the money and the sessions are gone.
    DisputeLost,
}

/// What happened to the PaymentIntent (from a webhook or from retrieving it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentOutcome {
    RequiresAction,
    /// Waiting for a bank transfer (`requires_action` with bank transfer instructions).
    AwaitingTransfer,
    Processing,
    Succeeded,
    Failed,
    Canceled,
}

impl PurchaseStatus {
    pub const ALL: [PurchaseStatus; 11] = [
        PurchaseStatus::Pending,
        PurchaseStatus::RequiresAction,
        PurchaseStatus::Processing,
        PurchaseStatus::AwaitingTransfer,
        PurchaseStatus::Completed,
        PurchaseStatus::Failed,
        PurchaseStatus::Canceled,
        PurchaseStatus::PartiallyRefunded,
        PurchaseStatus::Refunded,
        PurchaseStatus::Disputed,
        PurchaseStatus::DisputeLost,
    ];

    /// The statuses of a purchase whose payment went through.
    pub const PAID: [PurchaseStatus; 5] = [
        PurchaseStatus::Completed,
        PurchaseStatus::PartiallyRefunded,
        PurchaseStatus::Refunded,
        PurchaseStatus::Disputed,
        PurchaseStatus::DisputeLost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseStatus::Pending => "pending",
            PurchaseStatus::RequiresAction => "requires_action",
            PurchaseStatus::Processing => "processing",
            PurchaseStatus::AwaitingTransfer => "awaiting_transfer",
            PurchaseStatus::Completed => "completed",
            PurchaseStatus::Failed => "failed",
            PurchaseStatus::Canceled => "canceled",
            PurchaseStatus::PartiallyRefunded => "partially_refunded",
            PurchaseStatus::Refunded => "refunded",
            PurchaseStatus::Disputed => "disputed",
            PurchaseStatus::DisputeLost => "dispute_lost",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Not paid yet, and its PaymentIntent can still be confirmed (with the same or another
    /// payment method) or canceled: the purchases the billing page offers to finish or cancel.
    /// A purchase awaiting a transfer is not: the money may be on its way already.
    pub fn is_payable(self) -> bool {
        matches!(
            self,
            PurchaseStatus::Pending | PurchaseStatus::RequiresAction | PurchaseStatus::Failed
        )
    }

    /// The payment went through (refunds made since included): its sessions were credited,
    /// and it can no longer be canceled.
    pub fn is_paid(self) -> bool {
        Self::PAID.contains(&self)
    }

    /// Disputed, open or lost: refunds do not change its status.
    pub fn in_dispute(self) -> bool {
        matches!(self, PurchaseStatus::Disputed | PurchaseStatus::DisputeLost)
    }
}

/// A status read back from storage; one the app does not know is an error, never a guess.
impl TryFrom<String> for PurchaseStatus {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| format!("unknown purchase status {raw:?}"))
    }
}

/// The status after `outcome`, or `None` when the outcome must be ignored (a duplicate, or
/// news older than what we already know).
pub fn next_status(current: PurchaseStatus, outcome: IntentOutcome) -> Option<PurchaseStatus> {
    use IntentOutcome as O;
    use PurchaseStatus as S;
    let next = match (current, outcome) {
        // Settled: paid and canceled purchases never change through payment news (refunds
        // come as news about the charge, not the intent).
        (
            S::Completed
            | S::Canceled
            | S::PartiallyRefunded
            | S::Refunded
            | S::Disputed
            | S::DisputeLost,
            _,
        ) => return None,
        (_, O::Succeeded) => S::Completed,
        (_, O::Canceled) => S::Canceled,
        (S::Pending, O::RequiresAction) => S::RequiresAction,
        (S::Pending | S::RequiresAction | S::Failed, O::AwaitingTransfer) => S::AwaitingTransfer,
        (S::Pending | S::RequiresAction | S::Failed | S::AwaitingTransfer, O::Processing) => {
            S::Processing
        }
        (S::Pending | S::RequiresAction | S::Processing | S::AwaitingTransfer, O::Failed) => {
            S::Failed
        }
        _ => return None,
    };
    (next != current).then_some(next)
}

/// Whether a webhook's copy of the intent (not the intent just retrieved) must be left out
/// when it would move the purchase from `current` to `next`. A failed purchase, or one
/// awaiting a transfer, was moved there by a later attempt than any `processing` or failure
/// news: such a copy is either a new attempt or an old one delivered late, and it cannot say
/// which. Ignoring it loses nothing: a new attempt's outcome arrives as an event of its own,
/// and the browser and the sweep read the intent itself.
pub fn snapshot_may_be_stale(current: PurchaseStatus, next: PurchaseStatus) -> bool {
    use PurchaseStatus as S;
    matches!(
        (current, next),
        (S::Failed | S::AwaitingTransfer, S::Processing) | (S::AwaitingTransfer, S::Failed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use IntentOutcome as O;
    use PurchaseStatus as S;

    #[test]
    fn the_happy_path_moves_forward() {
        assert_eq!(
            next_status(S::Pending, O::RequiresAction),
            Some(S::RequiresAction)
        );
        assert_eq!(
            next_status(S::RequiresAction, O::Processing),
            Some(S::Processing)
        );
        assert_eq!(next_status(S::Processing, O::Succeeded), Some(S::Completed));
    }

    #[test]
    fn nothing_moves_a_completed_purchase_back() {
        for outcome in [
            O::RequiresAction,
            O::Processing,
            O::Failed,
            O::Canceled,
            O::Succeeded,
        ] {
            assert_eq!(next_status(S::Completed, outcome), None, "{outcome:?}");
        }
    }

    #[test]
    fn a_failed_purchase_can_still_complete() {
        assert_eq!(next_status(S::Failed, O::Succeeded), Some(S::Completed));
        assert_eq!(next_status(S::Failed, O::Processing), Some(S::Processing));
    }

    #[test]
    fn stale_requires_action_after_processing_or_failure_is_ignored() {
        assert_eq!(next_status(S::Processing, O::RequiresAction), None);
        assert_eq!(next_status(S::Failed, O::RequiresAction), None);
    }

    #[test]
    fn a_bank_transfer_waits_and_then_completes_or_is_canceled() {
        assert_eq!(
            next_status(S::Pending, O::AwaitingTransfer),
            Some(S::AwaitingTransfer)
        );
        // More money arriving (partially funded) is not a new status.
        assert_eq!(next_status(S::AwaitingTransfer, O::AwaitingTransfer), None);
        assert_eq!(
            next_status(S::AwaitingTransfer, O::Succeeded),
            Some(S::Completed)
        );
        assert_eq!(
            next_status(S::AwaitingTransfer, O::Canceled),
            Some(S::Canceled)
        );
        // 3-D Secure news from an earlier card attempt does not hide the instructions.
        assert_eq!(next_status(S::AwaitingTransfer, O::RequiresAction), None);
        // After the money arrived, a late copy of the instructions changes nothing.
        assert_eq!(next_status(S::Completed, O::AwaitingTransfer), None);
    }

    #[test]
    fn a_declined_card_can_be_followed_by_a_bank_transfer() {
        assert_eq!(
            next_status(S::Failed, O::AwaitingTransfer),
            Some(S::AwaitingTransfer)
        );
        assert_eq!(
            next_status(S::RequiresAction, O::AwaitingTransfer),
            Some(S::AwaitingTransfer)
        );
    }

    #[test]
    fn a_bank_debit_processes_then_settles_or_fails() {
        assert_eq!(next_status(S::Pending, O::Processing), Some(S::Processing));
        assert_eq!(next_status(S::Processing, O::Failed), Some(S::Failed));
        assert_eq!(next_status(S::Processing, O::Succeeded), Some(S::Completed));
        // A late `processing` copy after the debit settled changes nothing.
        assert_eq!(next_status(S::Completed, O::Processing), None);
    }

    #[test]
    fn copies_that_may_be_older_than_a_later_attempt_are_left_out() {
        assert!(snapshot_may_be_stale(S::Failed, S::Processing));
        assert!(snapshot_may_be_stale(S::AwaitingTransfer, S::Processing));
        assert!(snapshot_may_be_stale(S::AwaitingTransfer, S::Failed));
        assert!(!snapshot_may_be_stale(S::AwaitingTransfer, S::Completed));
        assert!(!snapshot_may_be_stale(S::Processing, S::Failed));
        assert!(!snapshot_may_be_stale(S::Pending, S::AwaitingTransfer));
    }

    #[test]
    fn only_unpaid_unsettled_purchases_are_payable() {
        let payable: Vec<_> = PurchaseStatus::ALL
            .into_iter()
            .filter(|s| s.is_payable())
            .collect();
        assert_eq!(
            payable,
            [
                PurchaseStatus::Pending,
                PurchaseStatus::RequiresAction,
                PurchaseStatus::Failed
            ]
        );
    }

    #[test]
    fn duplicates_are_no_ops() {
        assert_eq!(next_status(S::Failed, O::Failed), None);
        assert_eq!(next_status(S::RequiresAction, O::RequiresAction), None);
    }

    #[test]
    fn payment_news_never_touches_a_refunded_purchase() {
        for status in [S::PartiallyRefunded, S::Refunded] {
            assert!(status.is_paid());
            assert_eq!(next_status(status, O::Succeeded), None);
            assert_eq!(next_status(status, O::Canceled), None);
        }
    }

    #[test]
    fn canceled_is_final() {
        assert_eq!(next_status(S::Canceled, O::Succeeded), None);
        assert_eq!(next_status(S::Pending, O::Canceled), Some(S::Canceled));
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in PurchaseStatus::ALL {
            assert_eq!(PurchaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PurchaseStatus::parse("refund"), None);
        assert!(PurchaseStatus::try_from("refund".to_owned()).is_err());
    }

    #[test]
    fn the_wire_carries_the_same_text_as_the_database() {
        for s in PurchaseStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(serde_json::from_value::<S>(s.as_str().into()).unwrap(), s);
        }
    }
}
