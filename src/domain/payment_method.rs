//! Saved payment methods (cards and bank accounts): whether a card has expired, what a payment
//! method id may look like, and how one is named for people.

use super::calendar::Month;

/// A card can be used through the last day of its expiry month.
pub fn is_expired(exp_month: i64, exp_year: i64, current: Month) -> bool {
    (exp_year, exp_month) < (current.year, i64::from(current.month))
}

/// A payment method id (`pm_…`), safe to put into a Stripe URL path.
pub fn is_payment_method_id(raw: &str) -> bool {
    super::stripe_id::is_stripe_id(raw, "pm_")
}

/// A SetupIntent id (`seti_…`), safe to put into a Stripe URL path.
pub fn is_setup_intent_id(raw: &str) -> bool {
    super::stripe_id::is_stripe_id(raw, "seti_")
}

/// The brand as people write it; Stripe's code for a brand we do not know.
pub fn brand_name(brand: &str) -> &str {
    match brand {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        other => other,
    }
}

/// "Visa •••• 4242", or "STRIPE TEST BANK •••• 6789" for a bank account (whose `brand` is its
/// bank's name): how a saved payment method is named in lists, messages and button labels.
pub fn saved_name(brand: &str, last4: &str) -> String {
    format!("{} •••• {last4}", brand_name(brand))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_good_through_its_expiry_month() {
        let month = |year, month| Month { year, month };
        assert!(!is_expired(11, 2026, month(2026, 11)));
        assert!(is_expired(10, 2026, month(2026, 11)));
        assert!(!is_expired(1, 2027, month(2026, 12)));
        assert!(is_expired(12, 2025, month(2026, 1)));
    }

    #[test]
    fn only_stripe_shaped_payment_method_ids_pass() {
        assert!(is_payment_method_id("pm_1Q0PsIJvEtkwdCNYMSaVuRz6"));
        assert!(is_payment_method_id("pm_card_visa"));
        for bad in ["", "pm_", "card_123", "pm_../customers", "pm_a/b", "pm_a b"] {
            assert!(!is_payment_method_id(bad), "{bad}");
        }
    }

    #[test]
    fn only_stripe_shaped_setup_intent_ids_pass() {
        assert!(is_setup_intent_id("seti_1Mm2cBLkdIwHu7ixaiKW3ElR"));
        for bad in ["", "seti_", "pm_123", "seti_../customers", "seti_a?b=c"] {
            assert!(!is_setup_intent_id(bad), "{bad}");
        }
    }

    #[test]
    fn known_brands_get_their_names_and_unknown_ones_keep_stripes_code() {
        assert_eq!(brand_name("amex"), "American Express");
        assert_eq!(brand_name("cartes_bancaires"), "cartes_bancaires");
    }
}
