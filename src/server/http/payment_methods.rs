//! `/api/stripe/setup-intents` and `/api/stripe/payment-methods`: the institution's saved
//! payment methods, for signed-in admins. Thin wrappers over `server::payment_methods`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::json::ApiJson;
use crate::api_types::{PaymentMethodList, PaymentMethodView, SetupIntentCreated};
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::payment_methods as service;
use crate::server::state::AppState;

/// `POST /api/stripe/setup-intents`.
pub async fn create_setup_intent(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<SetupIntentCreated>), AppError> {
    let created = service::create_setup_intent(&state, &account).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/stripe/payment-methods`.
pub async fn list(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<PaymentMethodList>, AppError> {
    Ok(Json(service::list(&state, &account.institution.id).await?))
}

#[derive(Deserialize)]
pub struct RecordPaymentMethod {
    payment_method_id: String,
    #[serde(default)]
    set_default: bool,
}

/// `POST /api/stripe/payment-methods` `{"payment_method_id", "set_default"}`.
pub async fn record(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RecordPaymentMethod>,
) -> Result<Json<PaymentMethodView>, AppError> {
    Ok(Json(
        service::record(&state, &account, &body.payment_method_id, body.set_default).await?,
    ))
}

/// `DELETE /api/stripe/payment-methods/{id}`: detaches the card.
pub async fn remove(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    service::remove(&state, &account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/stripe/payment-methods/{id}/default`.
pub async fn make_default(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PaymentMethodView>, AppError> {
    Ok(Json(service::make_default(&state, &account, &id).await?))
}
