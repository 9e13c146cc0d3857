//! A purchase's status as a word with a colour (never colour alone), and why it failed.

use leptos::prelude::*;

use crate::domain::purchase_status::PurchaseStatus;

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
        PurchaseStatus::Completed => ("Completed", "badge-completed"),
        PurchaseStatus::Failed => ("Failed", "badge-failed"),
        PurchaseStatus::Canceled => ("Canceled", "badge-canceled"),
        PurchaseStatus::PartiallyRefunded => ("Partially refunded", "badge-partially_refunded"),
        PurchaseStatus::Refunded => ("Refunded", "badge-refunded"),
    };
    StatusLook { label, badge }
}

#[component]
pub fn StatusBadge(status: PurchaseStatus, reason: Option<String>) -> impl IntoView {
    let look = status_look(status);
    // One box, so that on narrow screens (where cells are flex rows) badge and reason stay
    // together instead of being stretched side by side.
    view! {
        <span class="status">
            <span class=format!("badge {}", look.badge)>{look.label}</span>
            {(status == PurchaseStatus::Failed).then(|| reason.map(|reason| view! { <span class="muted small failure-reason">{reason}</span> }))}
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
}
