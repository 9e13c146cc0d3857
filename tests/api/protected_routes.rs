//! Signed out, every REST endpoint and every server function for signed-in admins answers 401,
//! and the few open to anyone answer as they would anyone. Both lists come from the app itself
//! (the router's endpoint list, the server-function registry), so a new one is checked as soon
//! as it exists.

use leptos::server_fn::axum::server_fn_paths;
use octavia_billing::server::http::{API_PREFIX, Access, Endpoint, api_endpoints};
use reqwest::{Response, StatusCode};

use crate::helpers::{TestApp, error_message, spawn_app};

/// Stands in for every `{id}` in a path: the handlers take any text there.
const SAMPLE_ID: &str = "0190a0a0-0000-7000-8000-000000000000";

fn endpoints(access: Access) -> impl Iterator<Item = Endpoint> {
    api_endpoints()
        .into_iter()
        .filter(move |e| e.access == access)
}

/// Calls `endpoint` as a signed-out client, with `{}` for a body.
async fn call(app: &TestApp, endpoint: &Endpoint) -> Response {
    let path = format!("{API_PREFIX}{}", endpoint.path.replace("{id}", SAMPLE_ID));
    app.client
        .request(endpoint.method.clone(), app.url(&path))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_endpoint_for_signed_in_admins_answers_401_json_without_a_session() {
    let app = spawn_app().await;
    for endpoint in endpoints(Access::SignedIn) {
        let (method, path) = (&endpoint.method, format!("{API_PREFIX}{}", endpoint.path));
        let response = call(&app, &endpoint).await;
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
async fn endpoints_open_to_anyone_answer_a_signed_out_client_on_their_own_terms() {
    let app = spawn_app().await;
    for endpoint in endpoints(Access::Anyone) {
        let Endpoint { method, path, .. } = &endpoint;
        // What each says to `{}`, a verdict on the request rather than a demand to sign in.
        let expected = match *path {
            "/auth/login" => StatusCode::BAD_REQUEST, // no email, no password
            "/auth/logout" => StatusCode::NO_CONTENT,
            "/stripe/webhook" => StatusCode::BAD_REQUEST, // no signature
            _ => panic!("{method} {path} is open to anyone: say here what it answers to `{{}}`"),
        };
        let status = call(&app, &endpoint).await.status();
        assert_eq!(status, expected, "{method} {path}");
    }
}

/// A value for each argument any server function takes, so that each one gets past reading its
/// arguments (extra fields are ignored) to its sign-in check.
const RPC_ARGUMENTS: &[(&str, &str)] = &[
    ("email", "not-an-email"),
    ("password", "wrong"),
    ("quantity", "1"),
    ("plan", "annual"),
    ("idempotency_key", "protected-routes-test"),
    ("payment_method_id", "pm_123"),
    ("setup_intent_id", "seti_123"),
    ("set_default", "false"),
    ("purchase_id", SAMPLE_ID),
];

/// The server functions a signed-out browser calls, and what they answer it: the sign-in form
/// (refusing the sample email), sign-out, and what every page's shell loads.
const RPC_FOR_ANYONE: &[(&str, StatusCode)] = &[
    ("/rpc/login", StatusCode::BAD_REQUEST),
    ("/rpc/logout", StatusCode::OK),
    ("/rpc/current_account", StatusCode::OK),
    ("/rpc/load_app_info", StatusCode::OK),
];

#[tokio::test]
async fn every_server_function_but_sign_in_and_the_shells_answers_401_without_a_session() {
    let app = spawn_app().await;
    let mut registered: Vec<_> = server_fn_paths().collect();
    registered.sort_by_key(|(path, _)| *path);
    for (open, _) in RPC_FOR_ANYONE {
        assert!(
            registered.iter().any(|(path, _)| path == open),
            "{open} is not a server function (any more): {registered:?}"
        );
    }
    for (path, method) in registered {
        let expected = RPC_FOR_ANYONE
            .iter()
            .find(|(open, _)| *open == path)
            .map_or(StatusCode::UNAUTHORIZED, |(_, status)| *status);
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .form(RPC_ARGUMENTS)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, expected, "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_json_not_html() {
    let app = spawn_app().await;
    let response = app.get("/api/no-such-thing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    error_message(response).await;
}
