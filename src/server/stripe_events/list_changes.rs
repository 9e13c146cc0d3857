//! Events that change the lists the billing page keeps copies of (saved cards, invoices, the
//! cash balance; see
//! `stripe::list_cache`), and the customer whose lists they change. Read from the raw JSON, so
//! any API version's event works.

use serde::Deserialize;

/// The customer whose lists the event changes, if it changes any.
pub fn customer_of(event_type: &str, body: &str) -> Option<String> {
    let changes_lists = event_type.starts_with("invoice.")
        || event_type.starts_with("payment_method.")
        || event_type.starts_with("credit_note.")
        || event_type.starts_with("customer_cash_balance_transaction.")
        || event_type.starts_with("cash_balance.")
        || event_type == "customer.updated";
    if !changes_lists {
        return None;
    }
    let event: Event = serde_json::from_str(body).ok()?;
    let Data {
        object,
        previous_attributes,
    } = event.data;
    if event_type.starts_with("customer.") {
        return object.id;
    }
    // A detached payment method no longer names its customer; the event's previous
    // attributes do.
    object
        .customer
        .or(previous_attributes.and_then(|p| p.customer))
        .map(CustomerRef::into_id)
}

#[derive(Deserialize)]
struct Event {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: Object,
    previous_attributes: Option<Object>,
}

#[derive(Deserialize)]
struct Object {
    id: Option<String>,
    customer: Option<CustomerRef>,
}

/// Stripe sends the customer's id, or the customer itself when expanded.
#[derive(Deserialize)]
#[serde(untagged)]
enum CustomerRef {
    Id(String),
    Expanded { id: String },
}

impl CustomerRef {
    fn into_id(self) -> String {
        match self {
            CustomerRef::Id(id) | CustomerRef::Expanded { id } => id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_event_changes_its_customer_lists() {
        let body = r#"{"data":{"object":{"id":"in_1","object":"invoice","customer":"cus_9"}}}"#;
        assert_eq!(customer_of("invoice.paid", body).as_deref(), Some("cus_9"));
    }

    #[test]
    fn a_credit_note_changes_its_customer_invoice_list() {
        let body = r#"{"data":{"object":{"id":"cn_1","object":"credit_note","customer":"cus_9"}}}"#;
        assert_eq!(
            customer_of("credit_note.created", body).as_deref(),
            Some("cus_9")
        );
    }

    #[test]
    fn a_detached_card_names_its_customer_in_the_previous_attributes() {
        let body = r#"{"data":{"object":{"id":"pm_1","customer":null},
            "previous_attributes":{"customer":"cus_9"}}}"#;
        assert_eq!(
            customer_of("payment_method.detached", body).as_deref(),
            Some("cus_9")
        );
    }

    #[test]
    fn a_customer_update_is_about_that_customer() {
        let body = r#"{"data":{"object":{"id":"cus_9","object":"customer"}}}"#;
        assert_eq!(
            customer_of("customer.updated", body).as_deref(),
            Some("cus_9")
        );
    }

    #[test]
    fn an_expanded_customer_is_read_by_its_id() {
        let body = r#"{"data":{"object":{"id":"in_1","customer":{"id":"cus_9"}}}}"#;
        assert_eq!(
            customer_of("invoice.created", body).as_deref(),
            Some("cus_9")
        );
    }

    #[test]
    fn money_arriving_on_the_cash_balance_changes_its_customer_balance() {
        let body = r#"{"data":{"object":{"id":"ccsbtxn_1",
            "object":"customer_cash_balance_transaction","customer":"cus_9"}}}"#;
        assert_eq!(
            customer_of("customer_cash_balance_transaction.created", body).as_deref(),
            Some("cus_9")
        );
    }

    #[test]
    fn other_events_change_no_list() {
        let body = r#"{"data":{"object":{"id":"pi_1","customer":"cus_9"}}}"#;
        assert_eq!(customer_of("payment_intent.succeeded", body), None);
    }
}
