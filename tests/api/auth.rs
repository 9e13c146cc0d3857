use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    HTTPS_PUBLIC_URL, PASSWORD, TestDatabase, cookie_client, error_message, spawn_app,
    spawn_app_configured, spawn_app_on,
};

#[tokio::test]
async fn login_sets_a_session_cookie_and_me_returns_the_account() {
    let app = spawn_app().await;
    app.add_admin("State University", "Dean@State.edu").await;

    let response = app.login("dean@state.edu", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("octavia_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not get a Secure cookie: {cookie}"
    );

    let me: Value = app.get("/api/me").await.json().await.unwrap();
    assert_eq!(me["email"], "dean@state.edu");
    assert_eq!(me["institution"]["name"], "State University");
    assert!(
        me["institution"]["id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
}

#[tokio::test]
async fn email_case_and_spaces_do_not_matter_at_sign_in() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = app.login("  DEAN@State.EDU ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;

    let wrong_password = app.login("dean@state.edu", "not the password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong_password.headers().get("set-cookie").is_none());
    let wrong_password = error_message(wrong_password).await;

    let unknown_email = app.login("nobody@state.edu", "not the password").await;
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_message(unknown_email).await, wrong_password);

    assert_eq!(app.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn me_without_a_session_is_401_json() {
    let app = spawn_app().await;
    let response = app.get("/api/me").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(error_message(response).await.contains("sign in"));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    let login = app.login("dean@state.edu", PASSWORD).await;
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let session_cookie = cookie.split(';').next().unwrap().to_owned();

    let logout = app
        .client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    // Replaying the old cookie from another client must not work: the session is gone from
    // the store, not merely removed from this browser.
    let replay = cookie_client()
        .get(app.url("/api/me"))
        .header("cookie", session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sessions_are_shared_through_the_database_by_two_app_instances() {
    let first = spawn_app().await;
    first.add_admin("State University", "dean@state.edu").await;
    let login = first.login("dean@state.edu", PASSWORD).await;
    let session_cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // A second server on the same database, as behind a load balancer.
    let second = spawn_app_on(TestDatabase::shared(&first.database)).await;
    let me = cookie_client()
        .get(second.url("/api/me"))
        .header("cookie", session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_lock_the_address_even_for_the_right_password() {
    let app = spawn_app().await;
    app.add_admin("State University", "dean@state.edu").await;
    for attempt in 1..=5 {
        let response = app.login("dean@state.edu", "guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let locked = app.login("dean@state.edu", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    assert!(
        error_message(locked)
            .await
            .contains("Too many failed sign-in attempts")
    );
}

#[tokio::test]
async fn unknown_addresses_lock_the_same_way_so_locks_reveal_nothing() {
    let app = spawn_app().await;
    for _ in 1..=5 {
        app.login("nobody@state.edu", "guess").await;
    }
    assert_eq!(
        app.login("nobody@state.edu", "guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn malformed_login_bodies_are_400_json() {
    let app = spawn_app().await;
    let not_json = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    error_message(not_json).await;

    let missing_field = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({ "email": "dean@state.edu" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_field.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(missing_field).await.contains("password"));

    let bad_email = app.login("not-an-email", PASSWORD).await;
    assert_eq!(bad_email.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(bad_email).await.contains("valid email"));
}

#[tokio::test]
async fn oversized_bodies_are_413_json() {
    let app = spawn_app().await;
    let huge = "x".repeat(100 * 1024);
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({ "email": "dean@state.edu", "password": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    error_message(response).await;
}

#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure() {
    let app = spawn_app_configured(HTTPS_PUBLIC_URL).await;
    app.add_admin("State University", "dean@state.edu").await;
    let response = app.login("dean@state.edu", PASSWORD).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}
