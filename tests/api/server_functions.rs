//! The server functions behind the UI answer with the same statuses as the REST API.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, spawn_app};

async fn rpc_login(
    app: &crate::helpers::TestApp,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/rpc/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_form_rejects_a_wrong_password_with_401_not_500() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = rpc_login(&app, "dean@state.edu", "wrong").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_in_form_signs_in_and_points_the_client_at_billing() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = rpc_login(&app, "dean@state.edu", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["location"], "/billing");
    assert_eq!(app.get("/api/me").await.status(), StatusCode::OK);
}
