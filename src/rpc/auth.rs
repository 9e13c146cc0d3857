use leptos::prelude::*;

use crate::error::AppError;

/// The sign-in form. On success the browser is sent to the billing page.
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::auth::{service, session};
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let admin_id =
                service::authenticate(&rpc_context::state().db, &email, &password).await?;
            session::sign_in(&rpc_context::session().await?, &admin_id).await?;
            leptos_axum::redirect("/billing");
            Ok(())
        }
        .await,
    )
}

/// Ends the login session on the server and sends the browser to the sign-in page.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::session;
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            session::sign_out(&rpc_context::session().await?).await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}
