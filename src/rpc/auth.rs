use leptos::prelude::*;

use crate::domain::password::Password;
use crate::error::AppError;

/// The sign-in form. On success the browser is sent to the billing page. `Password` keeps the
/// password out of this function's generated `Debug`.
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: Password) -> Result<(), AppError> {
    use crate::server::auth::{service, session};
    use crate::server::rpc_context;

    rpc_context::with_status(
        async {
            let state = rpc_context::state();
            let client = rpc_context::client_addr()?;
            let admin_id = service::authenticate(&state, client, &email, &password).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_arguments_do_not_print_the_password() {
        let args = Login {
            email: "dean@state.edu".into(),
            password: Password::from("correct horse battery"),
        };
        let debug = format!("{args:?}");
        assert!(debug.contains("dean@state.edu"), "{debug}");
        assert!(!debug.contains("horse"), "{debug}");
    }
}
