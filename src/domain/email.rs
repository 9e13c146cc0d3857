use serde::{Deserialize, Serialize};

/// An email address, trimmed and lower-cased so that `Dean@Uni.edu` and `dean@uni.edu` are one
/// account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.len() <= 254 && email_address::EmailAddress::is_valid(&email) {
            Ok(EmailAddress(email))
        } else {
            Err("Enter a valid email address, like finance@university.edu.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            EmailAddress::parse("  Dean@Uni.EDU ").unwrap().as_str(),
            "dean@uni.edu"
        );
    }

    #[test]
    fn rejects_non_addresses() {
        for bad in ["", "dean", "dean@", "@uni.edu", "de an@uni.edu"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
