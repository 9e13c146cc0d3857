//! `Idempotency-Key` as Stripe honours it on POST: the first answer for a key is kept for 24
//! hours; the same key with the same parameters gets that answer again (with
//! `Idempotent-Replayed: true`), with other parameters a 400 `idempotency_error`, and while the
//! first request is still running a 409.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::errors::StripeError;

const KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// What makes two requests "the same" for Stripe: endpoint and decoded parameters (so the
/// order of form fields does not matter).
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    pub method: String,
    pub path: String,
    pub params: Value,
}

#[derive(Debug, Clone)]
struct Stored {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

#[derive(Debug)]
struct Entry {
    fingerprint: Fingerprint,
    at: Instant,
    /// `None` while the first request runs.
    answer: Option<Stored>,
}

#[derive(Debug, Default, Clone)]
pub struct Idempotency {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

pub enum Begin {
    /// First use of the key: run the request and hand its answer to the guard.
    Fresh(Guard),
    Replay(Response),
    Refused(StripeError),
}

impl Idempotency {
    pub fn begin(&self, key: &str, fingerprint: Fingerprint) -> Begin {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, e| e.at.elapsed() < KEPT_FOR);
        match entries.get(key) {
            Some(entry) if entry.fingerprint != fingerprint => {
                Begin::Refused(StripeError::idempotency(format!(
                    "Keys for idempotent requests can only be used with the same parameters they were \
                 first used with. Try using a key other than '{key}' if you meant to execute a \
                 different request."
                )))
            }
            Some(Entry {
                answer: Some(stored),
                ..
            }) => Begin::Replay(replay(key, stored)),
            Some(Entry { answer: None, .. }) => {
                Begin::Refused(StripeError::idempotency_in_flight(key))
            }
            None => {
                entries.insert(
                    key.to_owned(),
                    Entry {
                        fingerprint,
                        at: Instant::now(),
                        answer: None,
                    },
                );
                Begin::Fresh(Guard {
                    entries: self.entries.clone(),
                    key: key.to_owned(),
                    done: false,
                })
            }
        }
    }
}

fn replay(key: &str, stored: &Stored) -> Response {
    let mut response = (stored.status, stored.body.clone()).into_response();
    let headers = response.headers_mut();
    if let Some(content_type) = &stored.content_type {
        headers.insert("content-type", content_type.clone());
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Ok(value) = HeaderValue::from_str(key) {
        headers.insert("idempotency-key", value);
    }
    response
}

/// Holds a key while its first request runs; dropped unfinished (the client went away, the
/// handler panicked), it frees the key so a retry can run.
pub struct Guard {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    key: String,
    done: bool,
}

impl Guard {
    /// Keeps the answer for replays and returns it to the caller.
    pub async fn complete(mut self, response: Response) -> Response {
        let (mut parts, body) = response.into_parts();
        let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let stored = Stored {
            status: parts.status,
            content_type: parts.headers.get("content-type").cloned(),
            body: body.clone(),
        };
        if let Some(entry) = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&self.key)
        {
            entry.answer = Some(stored);
        }
        self.done = true;
        if let Ok(value) = HeaderValue::from_str(&self.key) {
            parts.headers.insert("idempotency-key", value);
        }
        Response::from_parts(parts, Body::from(body))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.done {
            self.entries
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn print(params: Value) -> Fingerprint {
        Fingerprint {
            method: "POST".into(),
            path: "/v1/customers".into(),
            params,
        }
    }

    #[tokio::test]
    async fn same_key_same_params_replays_and_other_params_are_refused() {
        let idem = Idempotency::default();
        let Begin::Fresh(guard) = idem.begin("k1", print(json!({"email": "a@b.test"}))) else {
            panic!("first use runs")
        };
        let first = guard
            .complete((StatusCode::OK, "stored body").into_response())
            .await;
        assert_eq!(first.status(), StatusCode::OK);

        let Begin::Replay(replayed) = idem.begin("k1", print(json!({"email": "a@b.test"}))) else {
            panic!("same params replay")
        };
        assert_eq!(replayed.headers()["idempotent-replayed"], "true");
        let body = to_bytes(replayed.into_body(), usize::MAX).await.unwrap();
        assert_eq!(&body[..], b"stored body");

        let Begin::Refused(e) = idem.begin("k1", print(json!({"email": "other@b.test"}))) else {
            panic!("other params refused")
        };
        assert_eq!(
            (e.status, e.kind.as_str()),
            (StatusCode::BAD_REQUEST, "idempotency_error")
        );
    }

    #[test]
    fn a_key_in_flight_gets_409_and_an_abandoned_one_is_freed() {
        let idem = Idempotency::default();
        let Begin::Fresh(guard) = idem.begin("k2", print(json!({}))) else {
            panic!()
        };
        let Begin::Refused(e) = idem.begin("k2", print(json!({}))) else {
            panic!("in flight")
        };
        assert_eq!(e.status, StatusCode::CONFLICT);
        drop(guard);
        assert!(matches!(
            idem.begin("k2", print(json!({}))),
            Begin::Fresh(_)
        ));
    }
}
