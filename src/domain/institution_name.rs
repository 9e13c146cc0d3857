/// An institution's display name: trimmed, non-empty, and short enough for a page header and a
/// Stripe customer name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionName(String);

impl InstitutionName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            Err("The institution name must not be empty.".into())
        } else if name.chars().count() > Self::MAX_CHARS {
            Err(format!(
                "The institution name must be at most {} characters.",
                Self::MAX_CHARS
            ))
        } else {
            Ok(InstitutionName(name.to_owned()))
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
    fn trims_and_rejects_empty() {
        assert_eq!(
            InstitutionName::parse("  State U ").unwrap().as_str(),
            "State U"
        );
        assert!(InstitutionName::parse("   ").is_err());
    }
}
