use reqwest::StatusCode;

use crate::helpers::{PASSWORD, error_message, spawn_app};

#[tokio::test]
async fn cross_origin_post_is_refused_with_403_json_and_signs_nobody_in() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("origin", "https://evil.example")
        .json(&serde_json::json!({ "email": "dean@state.edu", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("set-cookie").is_none());
    assert!(error_message(response).await.contains("another site"));
}

#[tokio::test]
async fn cross_site_referer_is_refused_when_origin_is_absent() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("referer", "https://evil.example/page")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cross_origin_server_function_call_is_refused() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    app.login("dean@state.edu", PASSWORD).await;
    let response = app
        .client
        .post(app.url("/rpc/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Still signed in: the forged sign-out did not run.
    assert_eq!(app.get("/api/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn same_origin_post_is_allowed() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("origin", format!("http://{}", app.address))
        .json(&serde_json::json!({ "email": "dean@state.edu", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_stripe_webhook_is_exempt_from_the_origin_check() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/stripe/webhook"))
        .header("origin", "https://evil.example")
        .body("{}")
        .send()
        .await
        .unwrap();
    // Past the origin check (403), the webhook's own check refuses the unsigned body.
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(response).await,
        "Webhook refused: no Stripe-Signature header."
    );
}
