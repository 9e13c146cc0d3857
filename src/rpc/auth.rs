use leptos::prelude::*;

use crate::error::AppError;

/// The sign-in form. On success the browser is sent to the billing page.
#[server(prefix = "/rpc")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::auth::{service, session};
    use crate::server::rpc_context;

    let admin_id = service::authenticate(&rpc_context::state().db, &email, &password).await?;
    session::sign_in(&rpc_context::session().await?, &admin_id).await?;
    leptos_axum::redirect("/billing");
    Ok(())
}

/// Ends the login session on the server and sends the browser to the sign-in page.
#[server(prefix = "/rpc")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::session;
    use crate::server::rpc_context;

    session::sign_out(&rpc_context::session().await?).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
