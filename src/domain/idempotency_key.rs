//! The key a client sends with a purchase request so that sending it again (a retry after a
//! lost answer, a double click) returns the first purchase instead of making a second one.

use serde::{Deserialize, Serialize};

/// Stripe's own limit for its `Idempotency-Key`, which we follow.
pub const MAX_LEN: usize = 255;

/// 1 to 255 printable ASCII characters (space to `~`), as an HTTP header can carry them.
/// Deserialising validates too, so a server function cannot receive an invalid one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err(
                "The Idempotency-Key header is empty; send 1 to 255 characters, \
                        for example a UUID made for this purchase attempt."
                    .into(),
            );
        }
        if raw.len() > MAX_LEN {
            return Err(format!(
                "The Idempotency-Key header is {} characters long; it may have at most {MAX_LEN}.",
                raw.len()
            ));
        }
        if let Some(bad) = raw.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(format!(
                "The Idempotency-Key header may hold only printable ASCII characters, \
                 not {bad:?}."
            ));
        }
        Ok(IdempotencyKey(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        IdempotencyKey::parse(&raw)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> String {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_and_a_255_character_key_are_accepted() {
        let uuid = "0b5e7d1c-2f4a-4e8b-9c1d-3a6f5e7b8c9d";
        assert_eq!(IdempotencyKey::parse(uuid).unwrap().as_str(), uuid);
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_LEN)).is_ok());
        assert!(IdempotencyKey::parse("with space ~ and symbols !").is_ok());
    }

    #[test]
    fn empty_too_long_and_non_printable_keys_are_refused_with_the_reason() {
        assert!(IdempotencyKey::parse("").unwrap_err().contains("empty"));
        assert!(
            IdempotencyKey::parse(&"k".repeat(MAX_LEN + 1))
                .unwrap_err()
                .contains("256 characters")
        );
        assert!(
            IdempotencyKey::parse("tab\there")
                .unwrap_err()
                .contains("printable ASCII")
        );
        assert!(
            IdempotencyKey::parse("café")
                .unwrap_err()
                .contains("printable ASCII")
        );
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<IdempotencyKey>("\"abc\"").is_ok());
        assert!(serde_json::from_str::<IdempotencyKey>("\"\"").is_err());
    }
}
