//! Stripe's test cards and what each does: pure logic, no state.
//!
//! As on Stripe, a declining card can still become a payment method; the decline happens when it
//! is charged, or when it is attached to a customer (Stripe checks the card then), except for
//! 4000000000000341, which attaches fine and only fails when charged.

/// Why a card is refused, in Stripe's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub code: &'static str,
    pub decline_code: Option<&'static str>,
    pub message: &'static str,
}

impl Decline {
    /// A refusal by the card's bank, with its reason (`decline_code`).
    const fn declined(code: &'static str, reason: &'static str, message: &'static str) -> Self {
        Decline {
            code,
            decline_code: Some(reason),
            message,
        }
    }

    /// Card details Stripe refuses before any bank sees them.
    const fn invalid(code: &'static str, message: &'static str) -> Self {
        Decline {
            code,
            decline_code: None,
            message,
        }
    }
}

pub const GENERIC_DECLINE: Decline = Decline::declined(
    "card_declined",
    "generic_decline",
    "Your card was declined.",
);
const INSUFFICIENT_FUNDS: Decline = Decline::declined(
    "card_declined",
    "insufficient_funds",
    "Your card has insufficient funds.",
);
const EXPIRED_CARD: Decline =
    Decline::declined("expired_card", "expired_card", "Your card has expired.");
const INCORRECT_CVC: Decline = Decline::declined(
    "incorrect_cvc",
    "incorrect_cvc",
    "Your card's security code is incorrect.",
);
pub const INCORRECT_NUMBER: Decline =
    Decline::invalid("incorrect_number", "Your card number is incorrect.");
pub const INVALID_EXPIRY_MONTH: Decline = Decline::invalid(
    "invalid_expiry_month",
    "Your card's expiration month is invalid.",
);
pub const INVALID_EXPIRY_YEAR: Decline = Decline::invalid(
    "invalid_expiry_year",
    "Your card's expiration year is invalid.",
);
pub const INVALID_CVC: Decline =
    Decline::invalid("invalid_cvc", "Your card's security code is invalid.");

/// A card that needs 3-D Secure, charged when no cardholder is there to answer.
pub const AUTHENTICATION_REQUIRED: Decline = Decline::declined(
    "authentication_required",
    "authentication_required",
    "Your card was declined. This transaction requires authentication.",
);
/// The cardholder failed (or refused) the 3-D Secure challenge.
pub const AUTHENTICATION_FAILED: &str = "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

/// What happens when a card is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeeds,
    /// Refused when attached to a customer and when charged.
    Declines(Decline),
    /// 3-D Secure: the intent goes to `requires_action` until the cardholder answers, in the
    /// page when Stripe.js asks for it (`use_stripe_sdk`), else on the bank's page.
    RequiresAuthentication,
    /// 3-D Secure on the bank's own page only: Stripe.js redirects there even when it could
    /// show a challenge in the page (the emulator's card for redirect-based authentication).
    RequiresRedirectAuthentication,
    /// Attaches to a customer, but every charge fails.
    ChargesFail,
    /// The charge succeeds and is disputed at once (`charge.dispute.created`).
    Disputed,
    /// The charge succeeds; each refund of it succeeds, then fails (`refund.failed`).
    RefundsFail,
}

impl Behaviour {
    /// The refusal when the card is charged, if any.
    pub fn charge_decline(self) -> Option<Decline> {
        match self {
            Behaviour::Declines(d) => Some(d),
            Behaviour::ChargesFail => Some(GENERIC_DECLINE),
            Behaviour::Succeeds
            | Behaviour::RequiresAuthentication
            | Behaviour::RequiresRedirectAuthentication
            | Behaviour::Disputed
            | Behaviour::RefundsFail => None,
        }
    }

    /// Whether the cardholder must pass 3-D Secure before the card is charged or saved.
    pub fn needs_authentication(self) -> bool {
        matches!(
            self,
            Behaviour::RequiresAuthentication | Behaviour::RequiresRedirectAuthentication
        )
    }

    /// The refusal when the card is attached to a customer or set up for later, if any.
    pub fn attach_decline(self) -> Option<Decline> {
        match self {
            Behaviour::Declines(d) => Some(d),
            _ => None,
        }
    }
}

const SPECIAL_CARDS: &[(&str, Behaviour)] = &[
    ("4000000000000002", Behaviour::Declines(GENERIC_DECLINE)),
    ("4000000000009995", Behaviour::Declines(INSUFFICIENT_FUNDS)),
    ("4000000000000069", Behaviour::Declines(EXPIRED_CARD)),
    ("4000000000000127", Behaviour::Declines(INCORRECT_CVC)),
    ("4000002500003155", Behaviour::RequiresAuthentication),
    ("4000002760003184", Behaviour::RequiresAuthentication),
    ("4000000000003220", Behaviour::RequiresAuthentication),
    (
        "4000000000003063",
        Behaviour::RequiresRedirectAuthentication,
    ),
    ("4000000000000341", Behaviour::ChargesFail),
    ("4000000000000259", Behaviour::Disputed),
    ("4000000000005126", Behaviour::RefundsFail),
];

/// Stripe's `pm_card_*` shortcuts, each standing for a test card number.
const TOKENS: &[(&str, &str)] = &[
    ("pm_card_visa", "4242424242424242"),
    ("pm_card_visa_debit", "4000056655665556"),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_amex", "378282246310005"),
    ("pm_card_discover", "6011111111111117"),
    ("pm_card_chargeDeclined", "4000000000000002"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "4000000000009995",
    ),
    ("pm_card_chargeDeclinedExpiredCard", "4000000000000069"),
    ("pm_card_chargeDeclinedIncorrectCvc", "4000000000000127"),
    ("pm_card_chargeCustomerFail", "4000000000000341"),
    ("pm_card_authenticationRequiredOnSetup", "4000002500003155"),
    ("pm_card_authenticationRequired", "4000002760003184"),
    ("pm_card_threeDSecure2Required", "4000000000003220"),
    ("pm_card_createDispute", "4000000000000259"),
    ("pm_card_refundFail", "4000000000005126"),
];

/// The card number a `pm_card_*` token stands for.
pub fn token_number(token: &str) -> Option<&'static str> {
    TOKENS.iter().find(|(t, _)| *t == token).map(|(_, n)| *n)
}

/// A card as the emulator keeps it on a payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub brand: &'static str,
    pub funding: &'static str,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub fingerprint: String,
    pub behaviour: Behaviour,
}

/// Validates a card as Stripe does when a payment method is created: number (Luhn), expiry
/// (not past, relative to `today` = (year, month)), and CVC format.
pub fn parse_card(
    number: &str,
    exp_month: i64,
    exp_year: i64,
    cvc: Option<&str>,
    today: (i64, i64),
) -> Result<Card, Decline> {
    let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if !(12..=19).contains(&number.len())
        || !number.chars().all(|c| c.is_ascii_digit())
        || !luhn(&number)
    {
        return Err(INCORRECT_NUMBER);
    }
    if !(1..=12).contains(&exp_month) {
        return Err(INVALID_EXPIRY_MONTH);
    }
    let exp_year = if exp_year < 100 {
        2000 + exp_year
    } else {
        exp_year
    };
    if exp_year < today.0 || exp_year > today.0 + 50 || (exp_year == today.0 && exp_month < today.1)
    {
        return Err(INVALID_EXPIRY_YEAR);
    }
    if let Some(cvc) = cvc
        && (!(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(INVALID_CVC);
    }
    let behaviour = SPECIAL_CARDS
        .iter()
        .find(|(n, _)| *n == number)
        .map_or(Behaviour::Succeeds, |(_, b)| *b);
    Ok(Card {
        brand: brand(&number),
        funding: if number == "4000056655665556" {
            "debit"
        } else {
            "credit"
        },
        last4: number[number.len() - 4..].to_owned(),
        exp_month,
        exp_year,
        fingerprint: fingerprint(&number),
        behaviour,
    })
}

/// The behaviour of a stored payment method, found again from what it keeps (Stripe keeps the
/// number; the emulator keeps the fingerprint, which identifies the number).
pub fn behaviour_of_fingerprint(fingerprint: &str) -> Behaviour {
    SPECIAL_CARDS
        .iter()
        .find(|(n, _)| self::fingerprint(n) == fingerprint)
        .map_or(Behaviour::Succeeds, |(_, b)| *b)
}

fn luhn(number: &str) -> bool {
    let sum: u32 = number
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn brand(number: &str) -> &'static str {
    let prefix = |n: usize| number[..n].parse::<u32>().unwrap_or(0);
    match () {
        _ if number.starts_with('4') => "visa",
        _ if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) => "mastercard",
        _ if matches!(prefix(2), 34 | 37) => "amex",
        _ if number.starts_with("6011")
            || number.starts_with("65")
            || (644..=649).contains(&prefix(3)) =>
        {
            "discover"
        }
        _ if prefix(2) == 35 => "jcb",
        _ if prefix(2) == 36 || (300..=305).contains(&prefix(3)) => "diners",
        _ if prefix(2) == 62 => "unionpay",
        _ => "unknown",
    }
}

/// Same number, same fingerprint, as on Stripe; 16 characters like Stripe's.
fn fingerprint(number: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("octavia-emulator:{number}").as_bytes());
    hex::encode(digest)[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i64, i64) = (2026, 11);

    fn card(number: &str) -> Result<Card, Decline> {
        parse_card(number, 12, 2030, Some("123"), TODAY)
    }

    #[test]
    fn visa_4242_succeeds_and_keeps_brand_last4_expiry() {
        let c = card("4242 4242 4242 4242").unwrap();
        assert_eq!(
            (c.brand, c.last4.as_str(), c.exp_month, c.exp_year),
            ("visa", "4242", 12, 2030)
        );
        assert_eq!(c.behaviour, Behaviour::Succeeds);
        assert_eq!(c.behaviour.charge_decline(), None);
    }

    #[test]
    fn declining_cards_carry_stripes_codes() {
        let codes = |n| {
            let d = card(n).unwrap().behaviour.charge_decline().unwrap();
            (d.code, d.decline_code)
        };
        assert_eq!(
            codes("4000000000000002"),
            ("card_declined", Some("generic_decline"))
        );
        assert_eq!(
            codes("4000000000009995"),
            ("card_declined", Some("insufficient_funds"))
        );
        assert_eq!(
            codes("4000000000000069"),
            ("expired_card", Some("expired_card"))
        );
        assert_eq!(
            codes("4000000000000127"),
            ("incorrect_cvc", Some("incorrect_cvc"))
        );
    }

    #[test]
    fn three_d_secure_cards_require_authentication() {
        for n in ["4000002500003155", "4000002760003184"] {
            assert_eq!(
                card(n).unwrap().behaviour,
                Behaviour::RequiresAuthentication,
                "{n}"
            );
        }
    }

    #[test]
    fn card_3063_authenticates_on_the_banks_page_only() {
        let behaviour = card("4000000000003063").unwrap().behaviour;
        assert_eq!(behaviour, Behaviour::RequiresRedirectAuthentication);
        assert!(behaviour.needs_authentication());
        assert!(!Behaviour::Succeeds.needs_authentication());
    }

    #[test]
    fn card_0341_attaches_but_its_charges_fail() {
        let b = card("4000000000000341").unwrap().behaviour;
        assert_eq!(b.attach_decline(), None);
        assert_eq!(b.charge_decline(), Some(GENERIC_DECLINE));
        assert_eq!(
            card("4000000000000002").unwrap().behaviour.attach_decline(),
            Some(GENERIC_DECLINE)
        );
    }

    #[test]
    fn bad_number_expiry_and_cvc_are_refused() {
        assert_eq!(card("4242424242424241"), Err(INCORRECT_NUMBER));
        assert_eq!(
            parse_card("4242424242424242", 13, 2030, None, TODAY),
            Err(INVALID_EXPIRY_MONTH)
        );
        assert_eq!(
            parse_card("4242424242424242", 10, 2026, None, TODAY),
            Err(INVALID_EXPIRY_YEAR)
        );
        assert_eq!(
            parse_card("4242424242424242", 12, 2030, Some("12"), TODAY),
            Err(INVALID_CVC)
        );
        assert!(
            parse_card("4242424242424242", 11, 26, None, TODAY).is_ok(),
            "two-digit year"
        );
    }

    #[test]
    fn brands_follow_the_number_prefix() {
        assert_eq!(card("5555555555554444").unwrap().brand, "mastercard");
        assert_eq!(card("378282246310005").unwrap().brand, "amex");
        assert_eq!(card("6011111111111117").unwrap().brand, "discover");
    }

    #[test]
    fn tokens_map_to_their_cards_and_fingerprints_recover_behaviour() {
        let number = token_number("pm_card_chargeDeclinedInsufficientFunds").unwrap();
        let c = card(number).unwrap();
        assert_eq!(behaviour_of_fingerprint(&c.fingerprint), c.behaviour);
        assert_eq!(token_number("pm_card_nonsense"), None);
        assert_eq!(
            card("4242424242424242").unwrap().fingerprint,
            card("4242424242424242").unwrap().fingerprint
        );
    }
}
