//! How a refund made in Stripe maps back to sessions.
//!
//! A purchase of `quantity` sessions paid `amount`; Stripe reports the total refunded so far.
//! The sessions taken back are the refunded share of the purchase, rounded down:
//! `floor(refunded × quantity ÷ amount)`. Rounding down means a session is only taken back once
//! its whole price has been refunded, and computing it from the running total (never adding up
//! rounded parts) means two refunds of half a session's price together take back that session.
//! A full refund takes back every session.

use crate::domain::purchase_status::PurchaseStatus;

/// Sessions taken back in total once `refunded` of `amount` has been refunded.
pub fn sessions_refunded(quantity: i64, amount: i64, refunded: i64) -> i64 {
    if amount <= 0 || quantity <= 0 {
        return 0;
    }
    let refunded = refunded.clamp(0, amount);
    // quantity × refunded can exceed i64 for large purchases; the quotient never does.
    (i128::from(refunded) * i128::from(quantity) / i128::from(amount)) as i64
}

/// The purchase's status once `refunded` of `amount` has been refunded.
pub fn status_after_refund(amount: i64, refunded: i64) -> PurchaseStatus {
    if refunded >= amount {
        PurchaseStatus::Refunded
    } else {
        PurchaseStatus::PartiallyRefunded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_refund_takes_back_every_session() {
        assert_eq!(sessions_refunded(10, 20_000, 20_000), 10);
        assert_eq!(
            status_after_refund(20_000, 20_000),
            PurchaseStatus::Refunded
        );
    }

    #[test]
    fn a_partial_refund_takes_back_only_wholly_refunded_sessions() {
        // $50 of $200 for 10 sessions at $20: 2.5 sessions' worth, so 2.
        assert_eq!(sessions_refunded(10, 20_000, 5_000), 2);
        assert_eq!(sessions_refunded(10, 20_000, 1_999), 0);
        assert_eq!(
            status_after_refund(20_000, 5_000),
            PurchaseStatus::PartiallyRefunded
        );
    }

    #[test]
    fn the_running_total_decides_so_halves_add_up_to_a_session() {
        let first = sessions_refunded(10, 20_000, 1_000);
        let both = sessions_refunded(10, 20_000, 2_000);
        assert_eq!((first, both), (0, 1));
    }

    #[test]
    fn odd_amounts_and_large_purchases_do_not_overflow_or_overshoot() {
        assert_eq!(sessions_refunded(3, 100, 99), 2);
        assert_eq!(sessions_refunded(10_000, 99_999_999, 99_999_999), 10_000);
        assert_eq!(
            sessions_refunded(10, 20_000, 50_000),
            10,
            "clamped to the amount"
        );
        assert_eq!(sessions_refunded(10, 20_000, -5), 0);
        assert_eq!(sessions_refunded(10, 0, 0), 0);
    }
}
