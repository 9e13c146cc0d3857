//! Stripe's event log, read for the events a webhook may have missed (the catch-up job).
//!
//! The events are wanted as raw JSON, exactly as a webhook would carry them, so that they are
//! stored and processed by the same code; async-stripe's typed `Event` would lose fields.

use serde::Serialize;
use stripe_client_core::{RequestBuilder, StripeMethod};

use super::{StripeGateway, errors};
use crate::error::AppError;

/// Stripe's largest page.
const PAGE_SIZE: u32 = 100;

/// One page of events, newest first, as raw JSON objects.
pub struct EventPage {
    pub events: Vec<String>,
    pub has_more: bool,
}

#[derive(Serialize)]
struct ListQuery<'a> {
    created: Created,
    types: &'a [&'a str],
    limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<&'a str>,
}

#[derive(Serialize)]
struct Created {
    gte: i64,
}

impl StripeGateway {
    /// Events of `types` created at `since` (unix seconds) or later, newest first; the page
    /// after the event `starting_after` when given.
    pub async fn list_events(
        &self,
        since: i64,
        types: &[&str],
        starting_after: Option<&str>,
    ) -> Result<EventPage, AppError> {
        let query = ListQuery {
            created: Created { gte: since },
            types,
            limit: PAGE_SIZE,
            starting_after,
        };
        let action = "list events";
        let request = RequestBuilder::new(StripeMethod::Get, "/events").query(&query);
        let page: miniserde::json::Value = self
            .call(action, request.customize().send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        read_page(&page).ok_or_else(|| {
            tracing::error!("Stripe's event list is not a list of objects");
            AppError::Unavailable
        })
    }
}

fn read_page(page: &miniserde::json::Value) -> Option<EventPage> {
    use miniserde::json::Value;
    let Value::Object(page) = page else {
        return None;
    };
    let Some(Value::Array(data)) = page.get("data") else {
        return None;
    };
    let has_more = matches!(page.get("has_more"), Some(Value::Bool(true)));
    let events = data.iter().map(miniserde::json::to_string).collect();
    Some(EventPage { events, has_more })
}
