//! Sign-in that cannot be hammered: the per-address lock holds under concurrency, password
//! checks are bounded (for the server and per client address), and throttle rows of quiet
//! addresses are forgotten.

use std::net::IpAddr;

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, error_message, spawn_app_configured};

async fn app_with(vars: &[(&str, &str)]) -> TestApp {
    let app = spawn_app_configured(vars).await;
    app.add_admin("State University", "dean@state.edu").await;
    app
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A sign-in for dean@state.edu that says it was forwarded for `client`.
async fn login_forwarded_for(app: &TestApp, client: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({ "email": "dean@state.edu", "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

async fn assert_busy(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1")
    );
    assert!(error_message(response).await.contains("Try again"));
}

#[tokio::test]
async fn fifty_concurrent_wrong_passwords_for_one_address_check_only_five_before_the_lock() {
    // Enough hashing slots for all fifty, so only the lock can refuse them.
    let app = app_with(&[
        ("LOGIN_HASH_CONCURRENCY", "64"),
        ("LOGIN_HASH_CONCURRENCY_PER_CLIENT", "64"),
    ])
    .await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (client, url) = (app.client.clone(), app.url("/api/auth/login"));
        attempts.spawn(async move {
            crate::helpers::login_with(&client, url, "dean@state.edu", "a wrong guess")
                .await
                .status()
        });
    }
    let statuses = attempts.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let locked = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Four free failures, then the fifth locks: five checked, the rest refused unchecked.
    assert_eq!((checked, locked), (5, 45), "{statuses:?}");
}

#[tokio::test]
async fn beyond_k_password_checks_at_once_sign_in_answers_503_with_retry_after() {
    let app = app_with(&[("LOGIN_HASH_CONCURRENCY", "2")]).await;
    // Two checks in progress, from other clients.
    let held = [
        app.state.hash_gate.enter(ip("192.0.2.1")).unwrap(),
        app.state.hash_gate.enter(ip("192.0.2.2")).unwrap(),
    ];
    assert_busy(app.login("dean@state.edu", PASSWORD).await).await;
    assert_busy(app.login("dean@state.edu", "a wrong guess").await).await;
    let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        counted, 0,
        "a refused sign-in checks nothing and counts nothing"
    );

    drop(held);
    assert_eq!(
        app.login("dean@state.edu", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn one_client_address_behind_a_trusted_proxy_gets_only_its_share_of_checks() {
    let app = app_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("LOGIN_HASH_CONCURRENCY", "8"),
        ("LOGIN_HASH_CONCURRENCY_PER_CLIENT", "1"),
    ])
    .await;
    let _busy_client = app.state.hash_gate.enter(ip("203.0.113.7")).unwrap();
    assert_busy(login_forwarded_for(&app, "203.0.113.7").await).await;
    assert_eq!(
        login_forwarded_for(&app, "198.51.100.9").await.status(),
        StatusCode::OK,
        "another client behind the same proxy still signs in"
    );
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    for trusted in [None, Some("10.0.0.0/8")] {
        let mut vars = vec![("LOGIN_HASH_CONCURRENCY_PER_CLIENT", "1")];
        vars.extend(trusted.map(|t| ("TRUSTED_PROXIES", t)));
        let app = app_with(&vars).await;
        // The socket's own address is the client: its one slot is taken.
        let _socket_client = app.state.hash_gate.enter(ip("127.0.0.1")).unwrap();
        assert_busy(login_forwarded_for(&app, "198.51.100.9").await).await;
    }
}

#[tokio::test]
async fn throttle_rows_of_addresses_with_no_recent_failure_are_removed() {
    let app = app_with(&[]).await;
    for email in ["quiet@state.edu", "recent@state.edu", "dean@state.edu"] {
        let response = app.login(email, "a wrong guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // A day and an hour pass for one of them.
    sqlx::query(
        "UPDATE login_throttle SET last_failure_at = last_failure_at - 90000
         WHERE email = 'quiet@state.edu'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();

    octavia_billing::server::jobs::housekeeping(app.state.clone()).await;

    let mut left: Vec<String> = sqlx::query_scalar("SELECT email FROM login_throttle")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    left.sort();
    assert_eq!(left, ["dean@state.edu", "recent@state.edu"]);
}
