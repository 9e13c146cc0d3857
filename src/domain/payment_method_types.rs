//! The ways an institution may pay, as Stripe names them (`PAYMENT_METHODS`): cards, US bank
//! debits (ACH) and bank transfers to the customer's balance.

use serde::{Deserialize, Serialize};

/// One payment method type this product offers; on the wire and in the database by Stripe's
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodType {
    Card,
    /// ACH Direct Debit from a US bank account.
    UsBankAccount,
    /// A bank transfer (wire or ACH credit) to the customer's Stripe balance.
    CustomerBalance,
}

impl PaymentMethodType {
    pub const ALL: [PaymentMethodType; 3] = [
        PaymentMethodType::Card,
        PaymentMethodType::UsBankAccount,
        PaymentMethodType::CustomerBalance,
    ];

    /// Stripe's name, as `payment_method_types[]` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethodType::Card => "card",
            PaymentMethodType::UsBankAccount => "us_bank_account",
            PaymentMethodType::CustomerBalance => "customer_balance",
        }
    }

    /// The type Stripe names `name`, if this product offers it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether Stripe offers it in this currency: US bank debits and US bank transfers are in
    /// US dollars (other transfer currencies need other bank details than this product shows).
    pub fn available_in(self, currency: &str) -> bool {
        match self {
            PaymentMethodType::Card => true,
            PaymentMethodType::UsBankAccount | PaymentMethodType::CustomerBalance => {
                currency == "usd"
            }
        }
    }

    /// Whether it can be saved for later (a SetupIntent): a card or a bank account, not a
    /// transfer, which is a payment the institution makes each time.
    pub fn can_be_saved(self) -> bool {
        self != PaymentMethodType::CustomerBalance
    }
}

/// A type read back from storage; one the app does not know is an error, never a guess.
impl TryFrom<String> for PaymentMethodType {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| format!("unknown payment method type {raw:?}"))
    }
}

/// `PAYMENT_METHODS`, comma-separated: each known once, in the order given; at least one.
pub fn parse_list(raw: &str) -> Result<Vec<PaymentMethodType>, String> {
    let mut types = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(kind) = PaymentMethodType::parse(name) else {
            let known: Vec<&str> = PaymentMethodType::ALL.iter().map(|k| k.as_str()).collect();
            return Err(format!(
                "{name:?} is not a payment method this product offers (known: {})",
                known.join(", ")
            ));
        };
        if !types.contains(&kind) {
            types.push(kind);
        }
    }
    if types.is_empty() {
        return Err("names no payment method".into());
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_parsed_in_order_once_each() {
        assert_eq!(
            parse_list(" us_bank_account, card,card ").unwrap(),
            [PaymentMethodType::UsBankAccount, PaymentMethodType::Card]
        );
    }

    #[test]
    fn an_unknown_or_empty_list_is_refused_with_the_known_names() {
        let unknown = parse_list("card,paypal").unwrap_err();
        assert!(
            unknown.contains("\"paypal\"") && unknown.contains("customer_balance"),
            "{unknown}"
        );
        assert!(parse_list(" , ").is_err());
    }

    #[test]
    fn bank_methods_are_dollars_only_and_transfers_are_never_saved() {
        assert!(PaymentMethodType::Card.available_in("eur"));
        assert!(!PaymentMethodType::UsBankAccount.available_in("eur"));
        assert!(PaymentMethodType::CustomerBalance.available_in("usd"));
        assert!(PaymentMethodType::UsBankAccount.can_be_saved());
        assert!(!PaymentMethodType::CustomerBalance.can_be_saved());
    }
}
