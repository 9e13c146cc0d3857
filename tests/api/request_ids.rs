//! Every response carries the request's id: the caller's `X-Request-Id`, else a new one.

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_callers_request_id_comes_back_and_a_missing_one_is_made() {
    let app = spawn_app().await;
    let given = app.get_with("/healthz", ("x-request-id", "lb-7f3a")).await;
    assert_eq!(given.headers()["x-request-id"], "lb-7f3a");

    let made = app.get("/api/me").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "not a UUID: {id}");
    let other = app.get("/api/me").await;
    assert_ne!(
        other.headers()["x-request-id"],
        id.as_str(),
        "one id per request"
    );
}
