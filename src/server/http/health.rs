//! `GET /healthz` and `GET /readyz` for load balancers and orchestrators: no sign-in, no
//! configuration revealed, and cheap (liveness touches nothing; readiness asks the database one
//! question, with a short timeout so a hung database reads as not ready instead of hanging
//! the probe).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::server::state::AppState;

/// Longer than a healthy database ever takes, shorter than a probe's usual timeout.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process serves requests.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers and its schema is this build's latest.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (database, migrations) =
        match tokio::time::timeout(READINESS_TIMEOUT, state.db.schema_is_current()).await {
            Ok(Ok(true)) => ("ok", "ok"),
            Ok(Ok(false)) => ("ok", "behind"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: the database did not answer");
                ("unreachable", "unknown")
            }
            Err(_) => {
                tracing::warn!("readiness: the database did not answer in time");
                ("unreachable", "unknown")
            }
        };
    let ready = database == "ok" && migrations == "ok";
    let body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "checks": { "database": database, "migrations": migrations },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
