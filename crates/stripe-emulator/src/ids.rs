//! Object ids in Stripe's shape: a type prefix and random alphanumerics (`pi_3Mtw…`, `cus_Na6d…`).

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `length` random alphanumeric characters; uuid v4 is the crate already at hand for randomness.
pub fn random_alphanumeric(length: usize) -> String {
    let mut out = String::with_capacity(length);
    while out.len() < length {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
            if byte < 248 && out.len() < length {
                out.push(ALPHABET[(byte % 62) as usize] as char);
            }
        }
    }
    out
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_alphanumeric(24))
}

/// An intent's client secret: `{id}_secret_{random}`, which Stripe.js sends back with the
/// publishable key to prove it may read and confirm that one intent.
pub fn client_secret(intent_id: &str) -> String {
    format!("{intent_id}_secret_{}", random_alphanumeric(25))
}

/// The intent id at the front of a client secret.
pub fn intent_id_of_secret(secret: &str) -> Option<&str> {
    secret.split_once("_secret_").map(|(id, _)| id)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_prefix_and_24_alphanumerics() {
        let id = new_id("pi");
        let (prefix, rest) = id.split_once('_').unwrap();
        assert_eq!(prefix, "pi");
        assert_eq!(rest.len(), 24);
        assert!(rest.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(new_id("pi"), new_id("pi"));
    }

    #[test]
    fn client_secret_names_its_intent() {
        let secret = client_secret("pi_abc");
        assert_eq!(intent_id_of_secret(&secret), Some("pi_abc"));
    }
}
