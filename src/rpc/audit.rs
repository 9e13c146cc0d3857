//! The billing page's Activity panel: the institution's audit log.

use leptos::prelude::*;

use crate::api_types::AuditLog;
use crate::error::AppError;

/// Entries shown per page.
pub const ACTIVITY_PAGE: i64 = 10;

/// Entries older than `starting_after` (the last id shown), newest first, whose action starts
/// with `action` when given.
#[server(prefix = "/rpc", endpoint = "load_audit_log")]
pub async fn load_audit_log(
    starting_after: Option<String>,
    action: Option<String>,
) -> Result<AuditLog, AppError> {
    use crate::server::{audit, rpc_context};

    rpc_context::with_status(
        async {
            let account = rpc_context::require_account().await?;
            let state = rpc_context::state();
            audit::list(
                &state.db,
                &account.institution.id,
                Some(ACTIVITY_PAGE),
                starting_after.as_deref(),
                action.as_deref(),
            )
            .await
        }
        .await,
    )
}
