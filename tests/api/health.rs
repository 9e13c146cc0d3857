//! `GET /healthz` and `GET /readyz`: open to anyone, cheap, and honest about the database.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn probe(app: &TestApp, path: &str) -> (StatusCode, Value, bool) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    let status = response.status();
    let sets_cookie = response.headers().contains_key("set-cookie");
    (status, response.json().await.unwrap(), sets_cookie)
}

#[tokio::test]
async fn healthz_says_ok_without_sign_in_or_a_session() {
    let app = spawn_app().await;
    let (status, body, sets_cookie) = probe(&app, "/healthz").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    assert!(!sets_cookie, "a probe gets no session");
}

#[tokio::test]
async fn readyz_is_ok_when_the_database_answers_with_the_latest_schema() {
    let app = spawn_app().await;
    let (status, body, _) = probe(&app, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})
    );
}

#[tokio::test]
async fn readyz_is_503_naming_the_migrations_when_the_schema_is_behind() {
    let app = spawn_app().await;
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let (status, body, _) = probe(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({"status": "unavailable", "checks": {"database": "ok", "migrations": "behind"}})
    );
}

#[tokio::test]
async fn readyz_is_503_naming_the_database_when_it_does_not_answer_and_healthz_stays_ok() {
    let app = spawn_app().await;
    // The pool the server uses, closed: every query fails as with a database that is down.
    app.db.pool().close().await;
    let (status, body, _) = probe(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["checks"]["database"], "unreachable");
    assert_eq!(body["status"], "unavailable");
    let (status, _, _) = probe(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}
