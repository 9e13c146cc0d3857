//! The emulator's objects, in memory only: a restart forgets every customer, intent and event,
//! which is what a test bed wants and why it is never used with live keys.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::errors::StripeError;
use super::form::Params;

#[derive(Debug, Default)]
pub struct Store {
    objects: HashMap<String, Value>,
    /// Each object's place in creation order.
    created: HashMap<String, usize>,
    /// Ids of each object type in creation order; lists walk them backwards, newest first.
    by_type: HashMap<String, Vec<String>>,
    /// The objects that name an id (in a field, or a field of a field: an invoice payment's
    /// `payment.payment_intent`), so a list by customer or a lookup by intent reads those only,
    /// not every object of the type: a benchmark keeps tens of thousands.
    referring: HashMap<String, HashSet<String>>,
}

impl Store {
    /// Stores an object (it must have an `id`) and returns it; an object stored again keeps its
    /// place in lists.
    pub fn insert(&mut self, object: Value) -> Value {
        let id = object["id"]
            .as_str()
            .expect("stored objects have ids")
            .to_owned();
        for named in named_ids(&object) {
            self.referring
                .entry(named.to_owned())
                .or_default()
                .insert(id.clone());
        }
        if self.objects.insert(id.clone(), object.clone()).is_none() {
            self.created.insert(id.clone(), self.created.len());
            let object_type = object["object"].as_str().unwrap_or_default().to_owned();
            self.by_type.entry(object_type).or_default().push(id);
        }
        object
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.objects.get(id)
    }

    /// The object of the given `object` type, or Stripe's 404 naming `resource` (Stripe names
    /// some resources differently in messages, e.g. "PaymentMethod").
    pub fn find(&self, object_type: &str, resource: &str, id: &str) -> Result<Value, StripeError> {
        self.objects
            .get(id)
            .filter(|o| o["object"] == object_type)
            .cloned()
            .ok_or_else(|| StripeError::no_such(resource, id))
    }

    /// Objects of one type matching `keep`, newest first.
    pub fn all(&self, object_type: &str, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.by_type
            .get(object_type)
            .into_iter()
            .flat_map(|ids| ids.iter().rev())
            .filter_map(|id| self.objects.get(id))
            .filter(|o| keep(o))
            .cloned()
            .collect()
    }

    /// As [`Store::all`], among the objects that name `id` (see `referring`).
    pub fn naming(&self, object_type: &str, id: &str, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut found: Vec<(usize, &Value)> = self
            .referring
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|id| Some((self.created[id], self.objects.get(id)?)))
            .filter(|(_, o)| o["object"] == object_type && keep(o))
            .collect();
        found.sort_unstable_by_key(|(created, _)| std::cmp::Reverse(*created));
        found.into_iter().map(|(_, o)| o.clone()).collect()
    }

    /// `expand[]=customer` replaces the id in `customer` by the object; `data.customer` does so
    /// in each item of a list.
    pub fn expand(&self, mut value: Value, paths: &[String]) -> Value {
        for path in paths {
            let segments: Vec<&str> = path.split('.').collect();
            self.expand_path(&mut value, &segments);
        }
        value
    }

    fn expand_path(&self, value: &mut Value, segments: &[&str]) {
        let Some((head, rest)) = segments.split_first() else {
            return;
        };
        if *head == "data"
            && let Some(items) = value.get_mut("data").and_then(Value::as_array_mut)
        {
            for item in items {
                self.expand_path(item, rest);
            }
            return;
        }
        let Some(field) = value.get_mut(*head) else {
            return;
        };
        if rest.is_empty() {
            if let Some(found) = field.as_str().and_then(|id| self.objects.get(id)) {
                *field = found.clone();
            }
        } else {
            self.expand_path(field, rest);
        }
    }
}

/// The ids an object names in its fields and its fields' fields (strings shaped `xx_...`);
/// its own id excepted.
fn named_ids(object: &Value) -> Vec<&str> {
    let own = object["id"].as_str();
    let fields = object.as_object().into_iter().flat_map(|o| o.values());
    let nested = fields
        .clone()
        .filter_map(Value::as_object)
        .flat_map(|o| o.values());
    fields
        .chain(nested)
        .filter_map(Value::as_str)
        .filter(|s| Some(*s) != own && looks_like_id(s))
        .collect()
}

fn looks_like_id(s: &str) -> bool {
    s.len() < 100
        && s.split_once('_').is_some_and(|(prefix, rest)| {
            !prefix.is_empty()
                && !rest.is_empty()
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// A page of a list, as Stripe pages: newest first, `limit` (1 to 100, default 10),
/// `starting_after` / `ending_before` cursors, `has_more`.
pub fn page(items: Vec<Value>, params: &Params, url: &str) -> Result<Value, StripeError> {
    let limit = params.int("limit")?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(StripeError::invalid_request(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            Some("limit"),
        ));
    }
    let limit = limit as usize;
    let position = |cursor: &str, param: &str| {
        items.iter().position(|o| o["id"] == cursor).ok_or_else(|| {
            StripeError::invalid_request(format!("No such object: '{cursor}'"), Some(param))
        })
    };
    let (data, has_more) = if let Some(after) = params.non_empty_str("starting_after") {
        let start = position(after, "starting_after")? + 1;
        let rest = &items[start..];
        (
            rest.iter().take(limit).cloned().collect::<Vec<_>>(),
            rest.len() > limit,
        )
    } else if let Some(before) = params.non_empty_str("ending_before") {
        let end = position(before, "ending_before")?;
        let begin = end.saturating_sub(limit);
        (items[begin..end].to_vec(), begin > 0)
    } else {
        (
            items.iter().take(limit).cloned().collect(),
            items.len() > limit,
        )
    };
    Ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": url }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::decode;

    fn store_of(n: usize) -> Store {
        let mut store = Store::default();
        for i in 0..n {
            store.insert(json!({"id": format!("cus_{i}"), "object": "customer"}));
        }
        store.insert(json!({"id": "pi_x", "object": "payment_intent", "customer": "cus_0"}));
        store
    }

    fn ids(list: &Value) -> Vec<&str> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn lists_are_newest_first_and_paged_by_cursor() {
        let store = store_of(5);
        let all = store.all("customer", |_| true);
        let first = page(
            all.clone(),
            &Params(decode(b"limit=2").unwrap()),
            "/v1/customers",
        )
        .unwrap();
        assert_eq!(ids(&first), ["cus_4", "cus_3"]);
        assert_eq!(first["has_more"], true);
        let next = page(
            all.clone(),
            &Params(decode(b"limit=2&starting_after=cus_3").unwrap()),
            "",
        )
        .unwrap();
        assert_eq!(ids(&next), ["cus_2", "cus_1"]);
        let last = page(
            all.clone(),
            &Params(decode(b"limit=2&starting_after=cus_1").unwrap()),
            "",
        )
        .unwrap();
        assert_eq!(ids(&last), ["cus_0"]);
        assert_eq!(last["has_more"], false);
        let before = page(
            all,
            &Params(decode(b"limit=2&ending_before=cus_1").unwrap()),
            "",
        )
        .unwrap();
        assert_eq!(ids(&before), ["cus_3", "cus_2"]);
        assert_eq!(before["has_more"], true);
    }

    #[test]
    fn objects_naming_an_id_are_found_newest_first_of_their_type() {
        let mut store = store_of(2);
        store.insert(json!({"id": "in_1", "object": "invoice", "customer": "cus_1"}));
        store.insert(json!({"id": "in_2", "object": "invoice", "customer": "cus_0"}));
        store.insert(json!({"id": "in_3", "object": "invoice", "customer": "cus_1"}));
        store.insert(json!({"id": "inpay_1", "object": "invoice_payment",
            "payment": {"payment_intent": "pi_x"}}));
        let ids = |list: Vec<Value>| -> Vec<String> {
            list.iter()
                .map(|o| o["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            ids(store.naming("invoice", "cus_1", |_| true)),
            ["in_3", "in_1"]
        );
        assert_eq!(
            ids(store.naming("invoice_payment", "pi_x", |_| true)),
            ["inpay_1"]
        );
        // Stored again with another customer: found by the new one; the old one's lookup
        // still offers it, and the caller's condition leaves it out.
        store.insert(json!({"id": "in_1", "object": "invoice", "customer": "cus_0"}));
        assert_eq!(
            ids(store.naming("invoice", "cus_0", |_| true)),
            ["in_2", "in_1"]
        );
        assert_eq!(
            ids(store.naming("invoice", "cus_1", |i| i["customer"] == "cus_1")),
            ["in_3"]
        );
    }

    #[test]
    fn limit_outside_1_to_100_is_refused() {
        let e = page(Vec::new(), &Params(decode(b"limit=101").unwrap()), "").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("limit"));
    }

    #[test]
    fn expand_replaces_ids_with_objects() {
        let store = store_of(1);
        let pi = store.get("pi_x").unwrap().clone();
        let expanded = store.expand(pi, &["customer".into()]);
        assert_eq!(expanded["customer"]["object"], "customer");
        let list = json!({"data": [{"customer": "cus_0"}]});
        let expanded = store.expand(list, &["data.customer".into()]);
        assert_eq!(expanded["data"][0]["customer"]["id"], "cus_0");
    }

    #[test]
    fn find_checks_the_object_type() {
        let store = store_of(1);
        let e = store
            .find("payment_intent", "payment_intent", "cus_0")
            .unwrap_err();
        assert_eq!(e.message, "No such payment_intent: 'cus_0'");
    }
}
