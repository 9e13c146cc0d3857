use reqwest::{Method, StatusCode};

use crate::helpers::{error_message, spawn_app};

/// Every /api route that needs a signed-in admin. A new protected route belongs here.
const PROTECTED: &[(Method, &str)] = &[
    (Method::GET, "/api/me"),
    (Method::GET, "/api/pricing"),
    (Method::POST, "/api/sessions/purchases"),
    (Method::GET, "/api/sessions/purchases"),
    (
        Method::GET,
        "/api/sessions/purchases/0190a0a0-0000-7000-8000-000000000000",
    ),
    (
        Method::POST,
        "/api/sessions/purchases/0190a0a0-0000-7000-8000-000000000000/sync",
    ),
    (
        Method::POST,
        "/api/sessions/purchases/0190a0a0-0000-7000-8000-000000000000/cancel",
    ),
    (Method::GET, "/api/sessions/pool"),
    (Method::GET, "/api/sessions/summary"),
    (Method::GET, "/api/sessions/purchases.csv"),
    (Method::POST, "/api/stripe/setup-intents"),
    (Method::GET, "/api/stripe/payment-methods"),
    (Method::POST, "/api/stripe/payment-methods"),
    (Method::DELETE, "/api/stripe/payment-methods/pm_123"),
    (Method::POST, "/api/stripe/payment-methods/pm_123/default"),
    (Method::GET, "/api/stripe/invoices"),
];

#[tokio::test]
async fn every_protected_api_route_answers_401_json_without_a_session() {
    let app = spawn_app().await;
    for (method, path) in PROTECTED {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert!(
            response.headers().get("location").is_none(),
            "{method} {path} redirected"
        );
        error_message(response).await;
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_json_not_html() {
    let app = spawn_app().await;
    let response = app.get("/api/no-such-thing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    error_message(response).await;
}
