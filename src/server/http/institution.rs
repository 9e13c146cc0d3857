//! `/api/institution/...`: the signed-in admin's institution.

use axum::Json;
use axum::extract::State;

use crate::api_types::AdminList;
use crate::error::AppError;
use crate::server::auth::extractor::SignedIn;
use crate::server::state::AppState;
use crate::server::storage::admins;

/// `GET /api/institution/admins`: `{data: [{email, last_sign_in_at}]}`, by email. Admins are
/// added with the `add-admin` command.
pub async fn admins(
    SignedIn(account): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<AdminList>, AppError> {
    let data = admins::list_for_institution(state.db.pool(), &account.institution.id).await?;
    Ok(Json(AdminList { data }))
}
