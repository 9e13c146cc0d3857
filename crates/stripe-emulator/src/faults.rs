//! Fault injection for tests, driven over HTTP (form-encoded POSTs with the secret key) so Rust and
//! Playwright tests alike can use it:
//!
//! - `POST _faults/api` `mode=error|timeout&count=N[&hang_ms=M][&path=P]`: the next N API
//!   calls (only those whose path contains P, when given, e.g. `attach_payment`) answer 500
//!   `api_error`, or hang M ms (default 60 000) before being served, as a timed-out call that
//!   still went through. `GET _faults/api` says how many are still armed (`count`).
//! - `POST _faults/webhooks` `mode=delay&delay_ms=M` | `mode=duplicate` | `mode=out_of_order&count=N`
//!   | `mode=withhold`: later events are delivered late, twice, N at a time newest first, or
//!   not at all until `POST _faults/webhooks/release`. `GET _faults/webhooks` says how many
//!   events are held back (`held`).
//! - `POST _faults/reset`: no faults; withheld events are dropped.

use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::StripeEmulator;
use super::errors::StripeError;
use super::form::Params;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFault {
    Error,
    Hang(Duration),
}

/// Armed API faults: which, how many more, and for which paths.
#[derive(Debug, Clone)]
struct ApiFaults {
    fault: ApiFault,
    remaining: u32,
    path: Option<String>,
}

#[derive(Debug, Default)]
pub struct Faults {
    api: Mutex<Option<ApiFaults>>,
    webhooks: Mutex<WebhookFaults>,
}

#[derive(Debug, Default)]
struct WebhookFaults {
    delay: Option<Duration>,
    duplicate: bool,
    /// Events are gathered until this many are held, then sent newest first.
    out_of_order: Option<usize>,
    withhold: bool,
    held: Vec<Value>,
}

/// Events to send now, in this order, each after `delay`.
#[derive(Debug, Default)]
pub struct Plan {
    pub events: Vec<Value>,
    pub delay: Duration,
}

impl Faults {
    /// Arms `count` faults for calls whose path contains `path` (any call when `None`).
    pub fn set_api(&self, fault: ApiFault, count: u32, path: Option<String>) {
        *lock(&self.api) = (count > 0).then_some(ApiFaults {
            fault,
            remaining: count,
            path,
        });
    }

    /// The fault for this API call to `path`, if one is armed for it; counts it down.
    pub fn take_api_fault(&self, path: &str) -> Option<ApiFault> {
        let mut api = lock(&self.api);
        let armed = api.as_mut()?;
        if armed.path.as_deref().is_some_and(|p| !path.contains(p)) {
            return None;
        }
        let fault = armed.fault;
        armed.remaining -= 1;
        if armed.remaining == 0 {
            *api = None;
        }
        Some(fault)
    }

    /// How many armed API faults are still to come.
    fn api_remaining(&self) -> u32 {
        lock(&self.api).as_ref().map_or(0, |a| a.remaining)
    }

    /// How many events are held back, withheld or waiting to be sent out of order.
    fn held(&self) -> usize {
        lock(&self.webhooks).held.len()
    }

    /// Applies the webhook faults to freshly emitted events.
    pub fn plan(&self, events: Vec<Value>) -> Plan {
        let mut faults = lock(&self.webhooks);
        let mut events = if faults.withhold || faults.out_of_order.is_some() {
            faults.held.extend(events);
            match faults.out_of_order {
                Some(n) if !faults.withhold && faults.held.len() >= n => {
                    let mut batch = std::mem::take(&mut faults.held);
                    batch.reverse();
                    batch
                }
                _ => Vec::new(),
            }
        } else {
            events
        };
        if faults.duplicate {
            events = events.into_iter().flat_map(|e| [e.clone(), e]).collect();
        }
        Plan {
            events,
            delay: faults.delay.unwrap_or_default(),
        }
    }

    /// Ends withholding and reordering; returns what was held, in emission order.
    pub fn release(&self) -> Vec<Value> {
        let mut faults = lock(&self.webhooks);
        faults.withhold = false;
        faults.out_of_order = None;
        std::mem::take(&mut faults.held)
    }

    pub fn reset(&self) {
        *lock(&self.api) = None;
        *lock(&self.webhooks) = WebhookFaults::default();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The fault endpoints, for the emulator's secret key only.
pub fn routes(emulator: &StripeEmulator) -> Router<StripeEmulator> {
    Router::new()
        .route("/_faults/api", post(arm_api).get(api_status))
        .route("/_faults/webhooks", post(arm_webhooks).get(webhooks_status))
        .route("/_faults/webhooks/release", post(release))
        .route("/_faults/reset", post(reset))
        .route_layer(axum::middleware::from_fn_with_state(
            emulator.clone(),
            crate::keys::require_secret_key,
        ))
}

fn count(params: &Params, default: i64) -> Result<u32, StripeError> {
    let n = params.int("count")?.unwrap_or(default);
    u32::try_from(n)
        .map_err(|_| StripeError::invalid_request("count must be 0 or more", Some("count")))
}

fn millis(params: &Params, key: &str, default: i64) -> Result<Duration, StripeError> {
    let ms = params.int(key)?.unwrap_or(default);
    u64::try_from(ms)
        .map(Duration::from_millis)
        .map_err(|_| StripeError::invalid_request(format!("{key} must be 0 or more"), Some(key)))
}

async fn arm_api(
    State(emulator): State<StripeEmulator>,
    params: Params,
) -> Result<Json<Value>, StripeError> {
    let fault = match params.required_str("mode")? {
        "error" => ApiFault::Error,
        "timeout" => ApiFault::Hang(millis(&params, "hang_ms", 60_000)?),
        other => return Err(unknown_mode(other, "error, timeout")),
    };
    let count = count(&params, 1)?;
    let path = params.non_empty_str("path").map(str::to_owned);
    emulator.inner.faults.set_api(fault, count, path);
    Ok(Json(json!({ "api": format!("{fault:?}"), "count": count })))
}

async fn api_status(State(emulator): State<StripeEmulator>) -> Json<Value> {
    Json(json!({ "count": emulator.inner.faults.api_remaining() }))
}

async fn arm_webhooks(
    State(emulator): State<StripeEmulator>,
    params: Params,
) -> Result<Json<Value>, StripeError> {
    let mode = params.required_str("mode")?;
    let mut faults = lock(&emulator.inner.faults.webhooks);
    match mode {
        "delay" => faults.delay = Some(millis(&params, "delay_ms", 5_000)?),
        "duplicate" => faults.duplicate = true,
        "out_of_order" => faults.out_of_order = Some(count(&params, 2)?.max(2) as usize),
        "withhold" => faults.withhold = true,
        other => {
            return Err(unknown_mode(
                other,
                "delay, duplicate, out_of_order, withhold",
            ));
        }
    }
    Ok(Json(json!({ "webhooks": mode })))
}

async fn webhooks_status(State(emulator): State<StripeEmulator>) -> Json<Value> {
    Json(json!({ "held": emulator.inner.faults.held() }))
}

fn unknown_mode(mode: &str, known: &str) -> StripeError {
    StripeError::invalid_request(
        format!("Unknown mode {mode:?}; use one of {known}."),
        Some("mode"),
    )
}

async fn release(State(emulator): State<StripeEmulator>) -> Json<Value> {
    let held = emulator.inner.faults.release();
    let released = held.len();
    emulator.inner.webhooks.send(held, Duration::ZERO);
    Json(json!({ "released": released }))
}

async fn reset(State(emulator): State<StripeEmulator>) -> StatusCode {
    emulator.inner.faults.reset();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(plan: &Plan) -> Vec<&str> {
        plan.events
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect()
    }

    fn evts(names: &[&str]) -> Vec<Value> {
        names.iter().map(|n| json!({ "id": n })).collect()
    }

    #[test]
    fn api_faults_count_down_to_none() {
        let faults = Faults::default();
        faults.set_api(ApiFault::Error, 2, None);
        assert_eq!(
            faults.take_api_fault("/v1/customers"),
            Some(ApiFault::Error)
        );
        assert_eq!(faults.api_remaining(), 1);
        assert_eq!(
            faults.take_api_fault("/v1/customers"),
            Some(ApiFault::Error)
        );
        assert_eq!(faults.take_api_fault("/v1/customers"), None);
        assert_eq!(faults.api_remaining(), 0);
    }

    #[test]
    fn api_faults_for_a_path_spare_other_calls() {
        let faults = Faults::default();
        faults.set_api(ApiFault::Error, 1, Some("attach_payment".into()));
        assert_eq!(faults.take_api_fault("/v1/invoices/in_1/finalize"), None);
        assert_eq!(
            faults.take_api_fault("/v1/invoices/in_1/attach_payment"),
            Some(ApiFault::Error)
        );
        assert_eq!(
            faults.take_api_fault("/v1/invoices/in_1/attach_payment"),
            None
        );
    }

    #[test]
    fn duplicate_sends_each_event_twice() {
        let faults = Faults::default();
        lock(&faults.webhooks).duplicate = true;
        assert_eq!(ids(&faults.plan(evts(&["a", "b"]))), ["a", "a", "b", "b"]);
    }

    #[test]
    fn out_of_order_holds_until_n_then_sends_newest_first() {
        let faults = Faults::default();
        lock(&faults.webhooks).out_of_order = Some(3);
        assert!(faults.plan(evts(&["a", "b"])).events.is_empty());
        assert_eq!(ids(&faults.plan(evts(&["c"]))), ["c", "b", "a"]);
    }

    #[test]
    fn withheld_events_come_out_on_release_in_order() {
        let faults = Faults::default();
        lock(&faults.webhooks).withhold = true;
        assert!(faults.plan(evts(&["a"])).events.is_empty());
        assert!(faults.plan(evts(&["b"])).events.is_empty());
        assert_eq!(faults.held(), 2);
        let released: Vec<_> = faults
            .release()
            .into_iter()
            .map(|e| e["id"].clone())
            .collect();
        assert_eq!(released, [json!("a"), json!("b")]);
        assert_eq!(ids(&faults.plan(evts(&["c"]))), ["c"]);
    }
}
