//! Saved cards: whether one has expired, and what a payment method id may look like.

/// A card can be used through the last day of its expiry month; `today` is (year, month).
pub fn is_expired(exp_month: i64, exp_year: i64, today: (i64, i64)) -> bool {
    (exp_year, exp_month) < today
}

/// `pm_` and then letters, digits or underscores, as Stripe makes them. Anything else (a
/// slash, a dot) is refused before it is put into a Stripe URL path.
pub fn is_payment_method_id(raw: &str) -> bool {
    raw.strip_prefix("pm_").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 250
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_good_through_its_expiry_month() {
        assert!(!is_expired(11, 2026, (2026, 11)));
        assert!(is_expired(10, 2026, (2026, 11)));
        assert!(!is_expired(1, 2027, (2026, 12)));
        assert!(is_expired(12, 2025, (2026, 1)));
    }

    #[test]
    fn only_stripe_shaped_payment_method_ids_pass() {
        assert!(is_payment_method_id("pm_1Q0PsIJvEtkwdCNYMSaVuRz6"));
        assert!(is_payment_method_id("pm_card_visa"));
        for bad in ["", "pm_", "card_123", "pm_../customers", "pm_a/b", "pm_a b"] {
            assert!(!is_payment_method_id(bad), "{bad}");
        }
    }
}
