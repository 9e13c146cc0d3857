//! A login's absolute lifetime: it ends that long after sign-in however active it is.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, spawn_app_configured};

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active_it_is() {
    let app = spawn_app_configured(&[("SESSION_MAX_AGE_SECS", "2")]).await;
    app.add_admin("State University", "dean@state.edu").await;
    assert_eq!(
        app.login("dean@state.edu", PASSWORD).await.status(),
        StatusCode::OK
    );

    // Active a second later (the idle limit is 12 hours away)...
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.get("/api/me").await.status(), StatusCode::OK);
    // ...and still signed out once two seconds from sign-in have passed.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
}
