//! Stripe's error envelope, `{"error":{"type","code","decline_code","message","param"}}`, with
//! the HTTP statuses Stripe uses for each kind.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Stripe's error `type`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    Api,
    Card,
    Idempotency,
    InvalidRequest,
}

impl ErrorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Api => "api_error",
            ErrorType::Card => "card_error",
            ErrorType::Idempotency => "idempotency_error",
            ErrorType::InvalidRequest => "invalid_request_error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StripeError {
    pub status: StatusCode,
    pub kind: ErrorType,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: String,
    pub param: Option<String>,
    /// Card errors on a confirmation carry the intent (and charge) as Stripe attaches them.
    /// Boxed: rarely used, and it keeps `Result<_, StripeError>` small.
    pub extra: Box<Map<String, Value>>,
}

impl StripeError {
    fn new(status: StatusCode, kind: ErrorType, message: impl Into<String>) -> Self {
        StripeError {
            status,
            kind,
            code: None,
            decline_code: None,
            message: message.into(),
            param: None,
            extra: Box::default(),
        }
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    pub fn with_extra(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    pub fn invalid_request(message: impl Into<String>, param: Option<&str>) -> Self {
        let error = Self::new(StatusCode::BAD_REQUEST, ErrorType::InvalidRequest, message);
        match param {
            Some(p) => error.with_param(p),
            None => error,
        }
    }

    pub fn missing_param(param: &str) -> Self {
        Self::invalid_request(format!("Missing required param: {param}."), Some(param))
            .with_code("parameter_missing")
    }

    /// 404 for an unknown id, worded as Stripe words it: `No such payment_intent: 'pi_123'`.
    pub fn no_such(resource: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            format!("No such {resource}: '{id}'"),
        )
        .with_code("resource_missing")
        .with_param("id")
    }

    pub fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequest,
            format!("Unrecognized request URL ({method}: {path})."),
        )
    }

    /// The key is shown masked, as Stripe does, so the answer never echoes a secret.
    pub fn invalid_api_key(key: &str) -> Self {
        let visible: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let prefix: String = key.chars().take(8).collect();
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequest,
            format!(
                "Invalid API Key provided: {prefix}{}{visible}",
                "*".repeat(12)
            ),
        )
        .with_code("api_key_invalid")
    }

    pub fn no_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequest,
            "You did not provide an API key. You need to provide your API key in the Authorization \
             header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
    }

    pub fn publishable_key_not_allowed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::InvalidRequest,
            "This API call cannot be made with a publishable API key. Please use a secret API key.",
        )
        .with_code("secret_key_required")
    }

    pub fn card_error(code: &str, decline_code: Option<&str>, message: &str) -> Self {
        let mut error =
            Self::new(StatusCode::PAYMENT_REQUIRED, ErrorType::Card, message).with_code(code);
        error.decline_code = decline_code.map(str::to_owned);
        error
    }

    pub fn unexpected_state(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorType::InvalidRequest, message).with_code(code)
    }

    pub fn idempotency(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorType::Idempotency, message)
    }

    pub fn idempotency_in_flight(key: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorType::Idempotency,
            format!(
                "There is currently another in-progress request using this Idempotent Key (that \
                 probably means you submitted twice, and the other request is still going \
                 through): {key}. Please try again later."
            ),
        )
    }

    pub fn api_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::Api,
            "An unknown error occurred (injected by the emulator's fault injection).",
        )
    }

    pub fn body(&self) -> Value {
        let mut error = Map::new();
        error.insert("type".into(), json!(self.kind.as_str()));
        error.insert("message".into(), json!(self.message));
        for (key, value) in [
            ("code", &self.code),
            ("decline_code", &self.decline_code),
            ("param", &self.param),
        ] {
            if let Some(v) = value {
                error.insert(key.into(), json!(v));
            }
        }
        if let Some(code) = &self.code {
            error.insert(
                "doc_url".into(),
                json!(format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.replace('_', "-")
                )),
            );
        }
        error.extend(self.extra.as_ref().clone());
        json!({ "error": error })
    }
}

impl IntoResponse for StripeError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_is_masked_in_the_message() {
        // Dashes keep this obviously fake key from looking like a leaked one to secret scanners.
        let e = StripeError::invalid_api_key("sk_live_fake-key-never-real-1234");
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert!(e.message.starts_with("Invalid API Key provided: sk_live_"));
        assert!(e.message.ends_with("1234"));
        assert!(!e.message.contains("fake-key-never-real"));
    }

    #[test]
    fn absent_fields_are_left_out_of_the_envelope() {
        let body = StripeError::no_such("customer", "cus_x").body();
        assert_eq!(body["error"]["message"], "No such customer: 'cus_x'");
        assert_eq!(body["error"]["code"], "resource_missing");
        assert!(body["error"].get("decline_code").is_none());
    }
}
