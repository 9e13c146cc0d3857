//! `/api/sessions/...`: buying sessions, the pool, the monthly summary and the CSV history,
//! for signed-in admins. Thin wrappers over `purchases::service` and `purchases::export`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::csv_download::csv_download;
use super::json::ApiJson;
use super::page::ListParams;
use crate::api_types::{MonthlySummary, PurchaseList, PurchaseView, SessionPool};
use crate::domain::idempotency_key::IdempotencyKey;
use crate::domain::purchase_order::PurchaseOrder;
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::purchases::{export, service};
use crate::server::state::AppState;

/// `POST /api/sessions/purchases` `{"quantity": N, "plan": "annual"|"quarterly"}`, with an
/// optional `Idempotency-Key` header: 201 when this request made the purchase, 200 with
/// `Idempotent-Replayed: true` when an earlier request with the key had made it.
pub async fn create(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let key = headers
        .get("idempotency-key")
        .map(|value| IdempotencyKey::parse(&String::from_utf8_lossy(value.as_bytes())))
        .transpose()
        .map_err(AppError::BadRequest)?;
    let order =
        PurchaseOrder::from_json(&state.config.pricing(), &body).map_err(AppError::BadRequest)?;
    let created = service::create(&state, &account, &order, key.as_ref()).await?;
    Ok(if created.replayed {
        (
            StatusCode::OK,
            [("idempotent-replayed", "true")],
            Json(created.purchase),
        )
            .into_response()
    } else {
        (StatusCode::CREATED, Json(created.purchase)).into_response()
    })
}

/// `GET /api/sessions/purchases?limit=&starting_after=`.
pub async fn list(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<PurchaseList>, AppError> {
    let params = ListParams::from_query(query)?;
    let list = service::list(
        &state.db,
        &account.institution.id,
        params.limit,
        params.starting_after.as_deref(),
    )
    .await?;
    Ok(Json(list))
}

/// `GET /api/sessions/purchases/{id}`.
pub async fn get(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PurchaseView>, AppError> {
    Ok(Json(
        service::get(&state.db, &account.institution.id, &id).await?,
    ))
}

/// `POST /api/sessions/purchases/{id}/sync`: reconcile with Stripe now.
pub async fn sync(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PurchaseView>, AppError> {
    Ok(Json(service::sync(&state, &account, &id).await?))
}

/// `POST /api/sessions/purchases/{id}/cancel`: give up on a purchase not yet paid.
pub async fn cancel(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PurchaseView>, AppError> {
    Ok(Json(service::cancel(&state, &account, &id).await?))
}

/// `GET /api/sessions/pool`.
pub async fn pool(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<SessionPool>, AppError> {
    Ok(Json(
        service::pool(&state.db, &account.institution.id).await?,
    ))
}

/// `GET /api/sessions/summary`: sessions and spending per month, last twelve months.
pub async fn summary(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<MonthlySummary>, AppError> {
    Ok(Json(
        service::summary(&state, &account.institution.id).await?,
    ))
}

/// `GET /api/sessions/purchases.csv`: the whole history as a CSV download.
pub async fn export_csv(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    let body = export::purchases_csv(&state.db, &account.institution.id).await?;
    Ok(csv_download("purchases", body))
}
