//! Money is always an integer count of the currency's minor unit (cents for usd), never a float.

use serde::{Deserialize, Serialize};

/// A lower-case ISO 4217 currency code, the form Stripe uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_lowercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Currency(code))
        } else {
            Err(format!("is not a three-letter currency code: {raw:?}"))
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }
}

/// Currencies Stripe counts in whole units (no minor unit), and the few with three decimals.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// How many decimals the currency's minor unit has, as Stripe counts amounts.
pub fn decimals(currency: &str) -> u32 {
    if ZERO_DECIMAL.contains(&currency) {
        0
    } else if THREE_DECIMAL.contains(&currency) {
        3
    } else {
        2
    }
}

/// An amount in minor units as a plain decimal string (`20000` usd → `"200.00"`, `500` jpy →
/// `"500"`), computed with integers only.
pub fn decimal_string(amount: i64, currency: &str) -> String {
    let places = decimals(currency);
    if places == 0 {
        return amount.to_string();
    }
    let unit = 10_u64.pow(places);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = places as usize
    )
}

/// The price of one interview session in minor units: positive, and small enough that
/// `quantity * price` for any allowed quantity cannot overflow an i64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPrice(i64);

impl UnitPrice {
    /// $100,000 per session is far beyond any real price and keeps totals well inside i64.
    pub const MAX_CENTS: i64 = 10_000_000;

    pub fn new(cents: i64) -> Result<Self, String> {
        if cents <= 0 {
            Err(format!("must be more than 0 cents, got {cents}"))
        } else if cents > Self::MAX_CENTS {
            Err(format!(
                "must be at most {} cents, got {cents}",
                Self::MAX_CENTS
            ))
        } else {
            Ok(UnitPrice(cents))
        }
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_is_normalised_to_lower_case() {
        assert_eq!(Currency::parse(" USD ").unwrap().code(), "usd");
    }

    #[test]
    fn currency_rejects_words_and_digits() {
        assert!(Currency::parse("dollar").is_err());
        assert!(Currency::parse("us1").is_err());
    }

    #[test]
    fn minor_units_become_decimal_strings_by_the_currency_s_decimals() {
        assert_eq!(decimal_string(20_000, "usd"), "200.00");
        assert_eq!(decimal_string(5, "usd"), "0.05");
        assert_eq!(decimal_string(-1_999, "eur"), "-19.99");
        assert_eq!(decimal_string(500, "jpy"), "500");
        assert_eq!(decimal_string(1_234, "kwd"), "1.234");
        assert_eq!(decimal_string(i64::MIN, "usd"), "-92233720368547758.08");
    }

    #[test]
    fn unit_price_bounds() {
        assert!(UnitPrice::new(0).is_err());
        assert!(UnitPrice::new(-5).is_err());
        assert_eq!(UnitPrice::new(1).unwrap().cents(), 1);
        assert!(UnitPrice::new(UnitPrice::MAX_CENTS + 1).is_err());
    }
}
