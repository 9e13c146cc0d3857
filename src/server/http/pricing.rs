use axum::Json;
use axum::extract::State;

use crate::api_types::PricingInfo;
use crate::server::auth::extractor::SignedIn;
use crate::server::state::AppState;

/// `GET /api/pricing`: the plans and their per-session prices, for signed-in admins.
pub async fn pricing(_: SignedIn, State(state): State<AppState>) -> Json<PricingInfo> {
    Json(state.config.pricing().info())
}
