use leptos::prelude::*;

use crate::api_types::{Account, AppInfo};
use crate::error::AppError;

/// The signed-in admin, or `None` when nobody is signed in.
#[server(prefix = "/rpc", endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Account>, AppError> {
    use crate::server::auth::session;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            session::current_account(&rpc_context::state().db, &rpc_context::session().await?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "load_app_info")]
pub async fn load_app_info() -> Result<AppInfo, AppError> {
    let config = crate::server::rpc_context::state().config;
    Ok(AppInfo {
        offline_test_mode: config.offline_test_mode(),
    })
}
