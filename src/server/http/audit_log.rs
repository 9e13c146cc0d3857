//! `/api/audit-log`: who did what to the institution's billing, for signed-in admins of that
//! institution only.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::csv_download::csv_download;
use crate::api_types::AuditLog;
use crate::error::AppError;
use crate::server::audit::{self, export};
use crate::server::auth::extractor::SignedIn;
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    limit: Option<i64>,
    starting_after: Option<String>,
    /// A prefix of action names: `purchase.`, `auth.sign_in`.
    action: Option<String>,
}

/// `GET /api/audit-log?limit=&starting_after=&action=`: newest first.
pub async fn list(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditLog>, AppError> {
    let Query(params) = query.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let log = audit::list(
        &state.db,
        &account.institution.id,
        params.limit,
        params.starting_after.as_deref(),
        params.action.as_deref(),
    )
    .await?;
    Ok(Json(log))
}

/// `GET /api/audit-log.csv`: the whole log as a CSV download.
pub async fn export_csv(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Response, AppError> {
    let body = export::audit_log_csv(&state.db, &account.institution.id).await?;
    Ok(csv_download("audit-log", body))
}
