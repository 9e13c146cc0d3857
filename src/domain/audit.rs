//! The audit log's vocabulary: the actions it records, by the names the API uses, how the
//! billing page's Activity panel words them, and the kinds it filters by.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    PurchaseCreated,
    PurchaseCompleted,
    PurchaseFailed,
    PurchaseCanceled,
    PurchaseRefunded,
    PurchaseDisputed,
    PaymentMethodAdded,
    PaymentMethodRemoved,
    PaymentMethodDefaultChanged,
    BillingDetailsUpdated,
    InvoiceSent,
    CreditNoteIssued,
}

impl AuditAction {
    pub const ALL: [AuditAction; 14] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::PurchaseCreated,
        AuditAction::PurchaseCompleted,
        AuditAction::PurchaseFailed,
        AuditAction::PurchaseCanceled,
        AuditAction::PurchaseRefunded,
        AuditAction::PurchaseDisputed,
        AuditAction::PaymentMethodAdded,
        AuditAction::PaymentMethodRemoved,
        AuditAction::PaymentMethodDefaultChanged,
        AuditAction::BillingDetailsUpdated,
        AuditAction::InvoiceSent,
        AuditAction::CreditNoteIssued,
    ];

    /// The API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "auth.sign_in",
            AuditAction::SignInFailed => "auth.sign_in_failed",
            AuditAction::PurchaseCreated => "purchase.created",
            AuditAction::PurchaseCompleted => "purchase.completed",
            AuditAction::PurchaseFailed => "purchase.failed",
            AuditAction::PurchaseCanceled => "purchase.canceled",
            AuditAction::PurchaseRefunded => "purchase.refunded",
            AuditAction::PurchaseDisputed => "purchase.disputed",
            AuditAction::PaymentMethodAdded => "payment_method.added",
            AuditAction::PaymentMethodRemoved => "payment_method.removed",
            AuditAction::PaymentMethodDefaultChanged => "payment_method.default_changed",
            AuditAction::BillingDetailsUpdated => "billing_details.updated",
            AuditAction::InvoiceSent => "invoice.sent",
            AuditAction::CreditNoteIssued => "credit_note.issued",
        }
    }

    /// The Activity panel's words for it.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignIn => "Signed in",
            AuditAction::SignInFailed => "Failed sign-in",
            AuditAction::PurchaseCreated => "Purchase started",
            AuditAction::PurchaseCompleted => "Purchase paid",
            AuditAction::PurchaseFailed => "Payment failed",
            AuditAction::PurchaseCanceled => "Purchase canceled",
            AuditAction::PurchaseRefunded => "Purchase refunded",
            AuditAction::PurchaseDisputed => "Payment disputed",
            AuditAction::PaymentMethodAdded => "Card added",
            AuditAction::PaymentMethodRemoved => "Card removed",
            AuditAction::PaymentMethodDefaultChanged => "Default card changed",
            AuditAction::BillingDetailsUpdated => "Billing details changed",
            AuditAction::InvoiceSent => "Invoice sent",
            AuditAction::CreditNoteIssued => "Credit note issued",
        }
    }

    /// The panel's words for an action name; the name itself for one this build does not know.
    pub fn label_of(name: &str) -> &str {
        Self::ALL
            .iter()
            .find(|action| action.as_str() == name)
            .map_or(name, |action| action.label())
    }
}

/// The kinds the Activity panel filters by: its label and the action-name prefix.
pub const KINDS: [(&str, &str); 6] = [
    ("Sign-ins", "auth."),
    ("Purchases", "purchase."),
    ("Cards", "payment_method."),
    ("Billing details", "billing_details."),
    ("Invoices", "invoice."),
    ("Credit notes", "credit_note."),
];

/// The `action` filter the API accepts: a prefix of action names (lowercase letters, `_` and
/// `.`, at most 64 characters).
pub fn parse_action_prefix(prefix: &str) -> Result<&str, String> {
    let valid = !prefix.is_empty()
        && prefix.len() <= 64
        && prefix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.');
    if valid {
        Ok(prefix)
    } else {
        Err("action must be the start of an action name, such as purchase. or auth.sign_in.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name_and_belongs_to_a_kind() {
        let mut names: Vec<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for name in names {
            assert!(
                KINDS.iter().any(|(_, prefix)| name.starts_with(prefix)),
                "{name}"
            );
        }
    }

    #[test]
    fn known_names_get_their_label_and_unknown_ones_stay_as_they_are() {
        assert_eq!(AuditAction::label_of("purchase.completed"), "Purchase paid");
        assert_eq!(AuditAction::label_of("invoice.voided"), "invoice.voided");
    }

    #[test]
    fn an_action_filter_is_a_plain_name_prefix() {
        assert_eq!(
            parse_action_prefix("payment_method."),
            Ok("payment_method.")
        );
        for bad in ["", "Purchase", "purchase%", "a'--", &"a".repeat(65)] {
            assert!(parse_action_prefix(bad).is_err(), "{bad}");
        }
    }
}
