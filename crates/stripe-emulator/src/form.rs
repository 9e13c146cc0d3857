//! Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation
//! (`metadata[institution_id]=7`, `expand[]=customer`, `items[0][price]=p`), decoded into a
//! `serde_json::Value` tree whose leaves are strings, as Stripe receives them.

use serde_json::{Map, Value};

use super::errors::StripeError;

/// Decodes a form body or query string. A key used both as a scalar and as a container
/// (`a=1&a[b]=2`) is refused the way Stripe refuses it: a 400 naming the parameter.
pub fn decode(input: &[u8]) -> Result<Value, StripeError> {
    let mut root = Value::Object(Map::new());
    for (key, value) in form_urlencoded::parse(input) {
        let path = split_key(&key);
        insert(&mut root, &path, value.into_owned()).map_err(|()| {
            StripeError::invalid_request(format!("Invalid value for {}.", path[0]), Some(&key))
        })?;
    }
    Ok(arrays_from_indices(root))
}

/// `a[b][]` → `["a", "b", ""]`; an empty segment means "append".
fn split_key(key: &str) -> Vec<&str> {
    let Some(open) = key.find('[') else {
        return vec![key];
    };
    let mut path = vec![&key[..open]];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    path
}

fn insert(node: &mut Value, path: &[&str], value: String) -> Result<(), ()> {
    let (head, tail) = path.split_first().expect("a key has at least one segment");
    if head.is_empty() {
        // `x[]=v`: append to a list.
        let Value::Array(items) = node else {
            return Err(());
        };
        if tail.is_empty() {
            items.push(Value::String(value));
            return Ok(());
        }
        let mut child = Value::Object(Map::new());
        insert(&mut child, tail, value)?;
        items.push(child);
        return Ok(());
    }
    let Value::Object(map) = node else {
        return Err(());
    };
    if tail.is_empty() {
        if matches!(map.get(*head), Some(Value::Object(_) | Value::Array(_))) {
            return Err(());
        }
        map.insert((*head).to_owned(), Value::String(value));
        return Ok(());
    }
    let child = map.entry((*head).to_owned()).or_insert_with(|| {
        if tail[0].is_empty() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    });
    insert(child, tail, value)
}

/// `items[0]=a&items[1]=b` arrives as an object keyed by indices; Stripe reads it as a list.
fn arrays_from_indices(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let numeric = !map.is_empty() && map.keys().all(|k| k.parse::<usize>().is_ok());
            if numeric {
                let mut entries: Vec<(usize, Value)> = map
                    .into_iter()
                    .map(|(k, v)| (k.parse().expect("checked numeric"), arrays_from_indices(v)))
                    .collect();
                entries.sort_by_key(|(i, _)| *i);
                Value::Array(entries.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| (k, arrays_from_indices(v)))
                        .collect(),
                )
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(arrays_from_indices).collect()),
        other => other,
    }
}

/// Typed reads of decoded parameters, with Stripe's 400s for malformed values.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Value);

impl Params {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// A present but empty string clears a field in Stripe's update calls; reads it as `None`.
    pub fn non_empty_str(&self, key: &str) -> Option<&str> {
        self.str(key).filter(|s| !s.is_empty())
    }

    /// The value of `key` when it is one of `allowed` (`None` when absent or empty), else
    /// Stripe's 400 naming the parameter.
    pub fn one_of(
        &self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, StripeError> {
        let Some(raw) = self.non_empty_str(key) else {
            return Ok(None);
        };
        match allowed.iter().find(|value| **value == raw) {
            Some(value) => Ok(Some(value)),
            None => Err(StripeError::invalid_request(
                format!("Invalid {key}: {raw} (one of {})", allowed.join(", ")),
                Some(key),
            )),
        }
    }

    pub fn required_str(&self, key: &str) -> Result<&str, StripeError> {
        self.non_empty_str(key)
            .ok_or_else(|| StripeError::missing_param(key))
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, StripeError> {
        match self.str(key) {
            None => Ok(None),
            Some(raw) => raw.parse().map(Some).map_err(|_| {
                StripeError::invalid_request(format!("Invalid integer: {raw}"), Some(key))
            }),
        }
    }

    pub fn required_int(&self, key: &str) -> Result<i64, StripeError> {
        self.int(key)?
            .ok_or_else(|| StripeError::missing_param(key))
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, StripeError> {
        match self.str(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(raw) => Err(StripeError::invalid_request(
                format!("Invalid boolean: {raw}"),
                Some(key),
            )),
        }
    }

    /// `expand[]=customer` → `["customer"]`.
    pub fn expand(&self) -> Vec<String> {
        match self.0.get("expand") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Applies `metadata[...]` to existing metadata as Stripe does: keys merge, an empty value
    /// deletes its key, and `metadata=` (empty) clears everything.
    pub fn merge_metadata(&self, existing: &Value) -> Result<Value, StripeError> {
        let mut merged = existing.as_object().cloned().unwrap_or_default();
        match self.0.get("metadata") {
            None => {}
            Some(Value::String(s)) if s.is_empty() => merged.clear(),
            Some(Value::Object(given)) => {
                for (key, value) in given {
                    match value {
                        Value::String(v) if v.is_empty() => {
                            merged.remove(key);
                        }
                        Value::String(_) => {
                            merged.insert(key.clone(), value.clone());
                        }
                        _ => {
                            return Err(StripeError::invalid_request(
                                "Metadata values must be strings.",
                                Some(&format!("metadata[{key}]")),
                            ));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(StripeError::invalid_request(
                    "Invalid metadata: must be an object.",
                    Some("metadata"),
                ));
            }
        }
        Ok(Value::Object(merged))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn brackets_build_nested_objects() {
        let v = decode(b"amount=2000&metadata[institution_id]=7&metadata[plan]=annual").unwrap();
        assert_eq!(
            v,
            json!({"amount": "2000", "metadata": {"institution_id": "7", "plan": "annual"}})
        );
    }

    #[test]
    fn empty_brackets_append_and_indices_become_lists() {
        let v = decode(b"expand[]=customer&expand[]=latest_charge&types[1]=b&types[0]=a").unwrap();
        assert_eq!(
            v,
            json!({"expand": ["customer", "latest_charge"], "types": ["a", "b"]})
        );
    }

    #[test]
    fn percent_and_plus_decoding_applies_to_keys_and_values() {
        let v = decode(b"billing_details%5Bname%5D=Ada+Lovelace&email=a%40b.test").unwrap();
        assert_eq!(
            v,
            json!({"billing_details": {"name": "Ada Lovelace"}, "email": "a@b.test"})
        );
    }

    #[test]
    fn deep_nesting_inside_list_items() {
        let v = decode(b"items[0][price]=p1&items[0][quantity]=2").unwrap();
        assert_eq!(v, json!({"items": [{"price": "p1", "quantity": "2"}]}));
    }

    #[test]
    fn scalar_and_container_under_one_name_is_refused() {
        let e = decode(b"metadata=x&metadata[a]=1").unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.param.as_deref(), Some("metadata[a]"));
    }

    #[test]
    fn metadata_merges_and_empty_value_deletes() {
        let p = Params(decode(b"metadata[a]=&metadata[c]=3").unwrap());
        let merged = p.merge_metadata(&json!({"a": "1", "b": "2"})).unwrap();
        assert_eq!(merged, json!({"b": "2", "c": "3"}));
        let cleared = Params(decode(b"metadata=").unwrap())
            .merge_metadata(&json!({"a": "1"}))
            .unwrap();
        assert_eq!(cleared, json!({}));
    }

    #[test]
    fn malformed_integer_names_its_parameter() {
        let p = Params(decode(b"amount=12.5").unwrap());
        let e = p.int("amount").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("amount"));
        assert_eq!(e.message, "Invalid integer: 12.5");
    }
}
