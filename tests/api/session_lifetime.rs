//! A login's absolute lifetime: it ends that long after sign-in however active it is.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, spawn_app_configured};

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_active_it_is() {
    // Expiry is kept in whole seconds, so it may come up to a second early: 4 s leaves the
    // check at 1 s two seconds of margin even on a loaded machine.
    let app = spawn_app_configured(&[("SESSION_MAX_AGE_SECS", "4")]).await;
    app.add_admin("State University", "dean@state.edu").await;
    assert_eq!(
        app.login("dean@state.edu", PASSWORD).await.status(),
        StatusCode::OK
    );

    // Active a second later (the idle limit is 12 hours away)...
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.get("/api/me").await.status(), StatusCode::OK);
    // ...and signed out once four seconds from sign-in have passed.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(app.get("/api/me").await.status(), StatusCode::UNAUTHORIZED);
}
