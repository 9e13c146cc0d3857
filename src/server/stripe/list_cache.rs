//! Stripe's lists as the billing page shows them (the saved cards, the first page of
//! invoices, the cash balance), kept per customer, so a page view does not cost three Stripe calls (live mode
//! allows 100 requests a second for the whole account).
//!
//! A copy is used only under the version of the institution's lists it was read with
//! (`institutions.stripe_lists_version`): the webhooks that report a change to them and the
//! app's own changes bump that version in the database, so every instance of a fleet drops its
//! copy at its next read. The version is read before Stripe is asked, so a change that lands
//! while the copy is being fetched makes that copy stale at once. A copy is also dropped after
//! [`MAX_AGE`], for a change Stripe reports to no subscribed webhook.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::api_types::{InvoiceList, PaymentMethodList};

pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Customers kept per list; beyond it the list starts over (institutions are few).
const MAX_ENTRIES: usize = 10_000;

/// The two lists' copies.
#[derive(Debug, Default)]
pub struct StripeListCache {
    pub payment_methods: Copies<String, PaymentMethodList>,
    /// By customer and page size.
    pub invoices: Copies<(String, i64), InvoiceList>,
    /// What bank transfers left on each customer's cash balance.
    pub cash_balances: Copies<String, i64>,
}

#[derive(Debug)]
pub struct Copies<K, V> {
    entries: Mutex<HashMap<K, Copy<V>>>,
}

#[derive(Debug)]
struct Copy<V> {
    version: i64,
    fetched: Instant,
    value: V,
}

impl<K, V> Default for Copies<K, V> {
    fn default() -> Self {
        Copies {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Copies<K, V> {
    /// The copy read under `version`, unless older than [`MAX_AGE`].
    pub fn get(&self, key: &K, version: i64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|copy| copy.version == version && copy.fetched.elapsed() < MAX_AGE)
            .map(|copy| copy.value.clone())
    }

    /// Keeps `value`, read from Stripe under `version` (read before Stripe was asked).
    pub fn put(&self, key: K, version: i64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Copy {
                version,
                fetched: Instant::now(),
                value,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_serves_only_its_own_version() {
        let copies: Copies<&str, i64> = Copies::default();
        copies.put("cus_1", 3, 42);
        assert_eq!(copies.get(&"cus_1", 3), Some(42));
        assert_eq!(copies.get(&"cus_1", 4), None, "bumped since");
        assert_eq!(copies.get(&"cus_2", 3), None, "another customer");
    }

    #[test]
    fn a_newer_copy_replaces_the_older_one() {
        let copies: Copies<&str, i64> = Copies::default();
        copies.put("cus_1", 3, 42);
        copies.put("cus_1", 4, 43);
        assert_eq!(copies.get(&"cus_1", 4), Some(43));
        assert_eq!(copies.get(&"cus_1", 3), None);
    }
}
