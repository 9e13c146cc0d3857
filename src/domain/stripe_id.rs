//! What a Stripe object id may look like before it is put into a Stripe URL path.

/// `prefix` (`pm_`, `in_`…) and then letters, digits or underscores, as Stripe makes them.
/// Anything else (a slash, a dot) is refused, so an id from a request cannot reach another
/// Stripe endpoint.
pub fn is_stripe_id(raw: &str, prefix: &str) -> bool {
    raw.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 250
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefix_and_safe_characters_pass() {
        assert!(is_stripe_id("in_1AbC_2", "in_"));
        for bad in [
            "",
            "in_",
            "pm_123",
            "in_../customers",
            "in_a/b",
            "in_a b",
            "in_a.b",
        ] {
            assert!(!is_stripe_id(bad, "in_"), "{bad}");
        }
    }
}
