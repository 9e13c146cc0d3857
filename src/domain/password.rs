use serde::{Deserialize, Serialize};

/// A password someone typed to sign in, as it crosses the wire (the login JSON, the form's server
/// function). Unchecked, and never printed: `Debug` shows `[REDACTED]`, so a request logged with
/// `?` cannot leak it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(raw: &str) -> Self {
        Password(raw.to_owned())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

/// A password an administrator chooses. Long enough to resist guessing; bounded so that hashing
/// a hostile multi-megabyte "password" cannot tie up the server.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() < Self::MIN_CHARS {
            Err(format!(
                "The password must have at least {} characters.",
                Self::MIN_CHARS
            ))
        } else if raw.len() > Self::MAX_BYTES {
            Err(format!(
                "The password must be at most {} bytes.",
                Self::MAX_BYTES
            ))
        } else {
            Ok(NewPassword(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

// Never print the password itself, even in debug output.
impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_short_is_rejected() {
        assert!(NewPassword::parse("short").is_err());
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(NewPassword::parse("ééééééééééé").is_err());
        assert!(NewPassword::parse("éééééééééééé").is_ok());
    }

    #[test]
    fn huge_input_is_rejected() {
        assert!(NewPassword::parse(&"x".repeat(2000)).is_err());
    }

    #[test]
    fn a_typed_password_is_redacted_in_debug_and_plain_on_the_wire() {
        let p = Password::from("correct horse battery");
        assert_eq!(format!("{p:?}"), "Password([REDACTED])");
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#""correct horse battery""#
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
