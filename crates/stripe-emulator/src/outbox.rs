//! What Stripe would have emailed (invoices and receipts, `POST /v1/invoices/{id}/send`),
//! kept instead of sent: `GET /outbox` shows it to clients on this machine, so tests can check
//! recipients and contents.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::StripeEmulator;
use super::ids::{new_id, now};
use super::keys::from_this_machine;
use super::store::Store;

/// The store's type for a kept email: not a Stripe object, so no API lists it.
const EMAIL: &str = "emulator.email";

/// Keeps an email about `invoice` to `to`.
pub fn keep(store: &mut Store, to: &str, subject: String, invoice: &str) {
    store.insert(json!({
        "id": new_id("email"),
        "object": EMAIL,
        "to": [to],
        "subject": subject,
        "invoice": invoice,
        "sent_at": now(),
    }));
}

/// `GET /outbox`: `{"data": [{"to", "subject", "invoice", "sent_at"}]}`, newest first.
pub async fn show(State(emulator): State<StripeEmulator>, request: Request) -> Response {
    if !from_this_machine(&request) {
        let body = json!({"error": {
            "type": "invalid_request_error",
            "message": "The emulator's outbox is shown only to clients on the machine it runs on.",
        }});
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    let data: Vec<Value> = emulator
        .lock_store()
        .all(EMAIL, |_| true)
        .into_iter()
        .map(|email| {
            json!({
                "to": email["to"],
                "subject": email["subject"],
                "invoice": email["invoice"],
                "sent_at": email["sent_at"],
            })
        })
        .collect();
    Json(json!({ "data": data })).into_response()
}
