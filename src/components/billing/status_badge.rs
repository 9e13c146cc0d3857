//! A purchase's status as a word with a colour (never colour alone), and what it means for
//! the payment and the sessions when the word alone cannot say.

use leptos::prelude::*;

use crate::api_types::PurchaseView;
use crate::components::locale::Locale;
use crate::domain::payment_method_types::PaymentMethodType::UsBankAccount;
use crate::domain::purchase_status::PurchaseStatus;

/// An ACH debit's wait, in the admin's words.
pub const DEBIT_PROCESSING: &str = "Sessions are added when your bank confirms the debit.";

/// A bank account waiting for its microdeposits to be verified, in the admin's words.
pub const VERIFY_MICRODEPOSITS: &str = "Stripe is sending two small deposits to your bank \
     account (they take 1–2 business days); enter them to start the debit.";

/// How a status looks: the admin's word for it (the API's are identifiers) and its badge's
/// CSS class (`style/main.css` colours them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLook {
    pub label: &'static str,
    pub badge: &'static str,
}

/// The one table of every status's look.
pub fn status_look(status: PurchaseStatus) -> StatusLook {
    let (label, badge) = match status {
        PurchaseStatus::Pending => ("Pending", "badge-pending"),
        PurchaseStatus::RequiresAction => ("Needs authentication", "badge-requires_action"),
        PurchaseStatus::Processing => ("Processing", "badge-processing"),
        PurchaseStatus::AwaitingTransfer => ("Awaiting bank transfer", "badge-awaiting_transfer"),
        PurchaseStatus::Completed => ("Completed", "badge-completed"),
        PurchaseStatus::Failed => ("Failed", "badge-failed"),
        PurchaseStatus::Canceled => ("Canceled", "badge-canceled"),
        PurchaseStatus::PartiallyRefunded => ("Partially refunded", "badge-partially_refunded"),
        PurchaseStatus::Refunded => ("Refunded", "badge-refunded"),
        PurchaseStatus::Disputed => ("Disputed by the bank", "badge-disputed"),
        PurchaseStatus::DisputeLost => ("Dispute lost", "badge-dispute_lost"),
    };
    StatusLook { label, badge }
}

/// What the badge alone cannot say, in words for the admin: why a payment failed, when a bank
/// payment settles, what a dispute means for the sessions (and how many it could not hold
/// back), and where a canceled transfer's money went.
pub fn status_reason(row: &PurchaseView, locale: Locale) -> Option<String> {
    let shortfall = match row.dispute_shortfall {
        0 => String::new(),
        1 => " 1 session had already been used and could not be held back.".to_owned(),
        n => format!(" {n} sessions had already been used and could not be held back."),
    };
    match row.status {
        PurchaseStatus::Failed => row.failure_message.clone(),
        PurchaseStatus::Processing if row.payment_method_type == Some(UsBankAccount) => {
            Some(DEBIT_PROCESSING.to_owned())
        }
        PurchaseStatus::RequiresAction if row.verify_microdeposits_url.is_some() => {
            Some(VERIFY_MICRODEPOSITS.to_owned())
        }
        PurchaseStatus::AwaitingTransfer => row.bank_transfer.as_ref().map(|t| {
            format!(
                "{} still to arrive. Sessions are added when all of it has.",
                locale.money(t.amount_remaining, &t.currency)
            )
        }),
        PurchaseStatus::Canceled if row.kept_on_cash_balance > 0 => Some(format!(
            "The {} already received by bank transfer stays on your Stripe cash balance and \
             pays toward your next bank transfer.",
            locale.money(row.kept_on_cash_balance, &row.currency)
        )),
        PurchaseStatus::Disputed => Some(format!(
            "The cardholder's bank is reviewing this payment; its sessions are on hold until \
             the dispute is decided.{shortfall}"
        )),
        PurchaseStatus::DisputeLost => Some(format!(
            "The bank decided for the cardholder: the payment was returned and its sessions \
             were removed.{shortfall}"
        )),
        _ => None,
    }
}

#[component]
pub fn StatusBadge(status: PurchaseStatus, reason: Option<String>) -> impl IntoView {
    let look = status_look(status);
    // One box, so that on narrow screens (where cells are flex rows) badge and reason stay
    // together instead of being stretched side by side.
    view! {
        <span class="status">
            <span class=format!("badge {}", look.badge)>{look.label}</span>
            {reason.map(|reason| view! { <span class="muted small failure-reason">{reason}</span> })}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_word_and_the_badge_class_its_identifier_names() {
        for status in PurchaseStatus::ALL {
            let look = status_look(status);
            assert!(!look.label.is_empty());
            assert_eq!(look.badge, format!("badge-{}", status.as_str()));
        }
        assert_eq!(
            status_look(PurchaseStatus::RequiresAction).label,
            "Needs authentication"
        );
    }

    fn row(status: PurchaseStatus, shortfall: i64) -> PurchaseView {
        PurchaseView {
            id: "p".into(),
            quantity: 5,
            plan: crate::domain::plan::Plan::Annual,
            amount: 10_000,
            currency: "usd".into(),
            status,
            payment_intent_id: "pi_1".into(),
            failure_message: Some("Your card was declined.".into()),
            amount_refunded: 0,
            invoice_id: None,
            created_at: 0,
            dispute_shortfall: shortfall,
            refund_failed_amount: 0,
            po_number: None,
            payment_method_type: None,
            bank_transfer: None,
            verify_microdeposits_url: None,
            kept_on_cash_balance: 0,
        }
    }

    #[test]
    fn bank_payments_say_when_their_sessions_come_and_where_kept_money_is() {
        let locale = Locale::EnUs;
        let mut debit = row(PurchaseStatus::Processing, 0);
        assert_eq!(
            status_reason(&debit, locale),
            None,
            "a card's processing is brief"
        );
        debit.payment_method_type = Some(UsBankAccount);
        assert_eq!(
            status_reason(&debit, locale).as_deref(),
            Some(DEBIT_PROCESSING)
        );
        let mut verifying = row(PurchaseStatus::RequiresAction, 0);
        assert_eq!(status_reason(&verifying, locale), None);
        verifying.verify_microdeposits_url = Some("https://example.test/verify".into());
        assert_eq!(
            status_reason(&verifying, locale).as_deref(),
            Some(VERIFY_MICRODEPOSITS)
        );
        let mut waiting = row(PurchaseStatus::AwaitingTransfer, 0);
        waiting.bank_transfer = Some(crate::api_types::BankTransfer {
            amount_remaining: 2_500,
            currency: "usd".into(),
            reference: "REF".into(),
            account_number: "1".into(),
            routing_number: "110000000".into(),
            hosted_instructions_url: "https://example.test".into(),
        });
        let reason = status_reason(&waiting, locale).unwrap();
        assert!(reason.starts_with("$25.00 still to arrive"), "{reason}");
        let mut canceled = row(PurchaseStatus::Canceled, 0);
        assert_eq!(status_reason(&canceled, locale), None);
        canceled.kept_on_cash_balance = 1_500;
        let reason = status_reason(&canceled, locale).unwrap();
        assert!(reason.contains("$15.00 already received"), "{reason}");
    }

    #[test]
    fn disputes_say_what_happens_to_the_sessions_and_the_shortfall() {
        let open = status_reason(&row(PurchaseStatus::Disputed, 0), Locale::EnUs).unwrap();
        assert!(open.contains("on hold"), "{open}");
        assert!(!open.contains("could not be held back"), "{open}");
        let lost = status_reason(&row(PurchaseStatus::DisputeLost, 3), Locale::EnUs).unwrap();
        assert!(
            lost.contains("removed") && lost.contains(" 3 sessions had already been used"),
            "{lost}"
        );
        assert_eq!(
            status_reason(&row(PurchaseStatus::Failed, 0), Locale::EnUs).as_deref(),
            Some("Your card was declined.")
        );
        assert_eq!(
            status_reason(&row(PurchaseStatus::Completed, 0), Locale::EnUs),
            None
        );
    }
}
