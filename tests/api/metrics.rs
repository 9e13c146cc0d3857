//! `GET /metrics`: where it is served, who may read it, and what it counts. The recorder is the
//! process's, so each check compares a series before and after what it counts.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, eventually, spawn_app_configured};
use crate::purchases::{deliver, emitted_event, now, paid_purchase, sign, signed_in_app_with};

const TOKEN: &str = "scrape-token-for-tests";

/// The value of the series `name` whose labels include all of `labels`, 0 when absent.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let (series_name, series_labels) = series.split_once('{').unwrap_or((series, ""));
            series_name == name
                && labels
                    .iter()
                    .all(|(k, v)| series_labels.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, value)| value.parse::<f64>().unwrap())
        .sum()
}

async fn scrape(app: &TestApp) -> String {
    let response = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_main_listener_serves_metrics_only_with_the_token() {
    let closed = spawn_app_configured(&[]).await;
    let response = reqwest::get(closed.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let app = spawn_app_configured(&[("METRICS_TOKEN", TOKEN)]).await;
    let client = reqwest::Client::new();
    let anonymous = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-token-for-test")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    let content_type = right.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = right.text().await.unwrap();
    assert!(text.contains("# TYPE db_pool_connections gauge"), "{text}");
    assert!(sample(&text, "db_pool_max_connections", &[]) >= 1.0);
}

#[tokio::test]
async fn metrics_addr_is_a_listener_of_its_own() {
    let app = spawn_app_configured(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    let addr = app.metrics_addr.expect("a metrics listener");
    assert_ne!(addr, app.address);
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("db_pool_connections")
    );
    // Not on the main listener: no token was set.
    let main = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
    // Nothing else is served there.
    let other = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn requests_are_counted_by_route_template_never_by_raw_path() {
    let app = signed_in_app_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let route = [
        ("route", "/api/sessions/purchases/{id}"),
        ("method", "GET"),
        ("status", "404"),
    ];
    let before = sample(&scrape(&app).await, "http_requests_total", &route);
    let missing = "11111111-2222-3333-4444-555555555555";
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url(&format!("/api/sessions/purchases/{missing}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let unmatched = reqwest::get(app.url("/no/such/page/4242")).await.unwrap();
    assert_eq!(unmatched.status(), StatusCode::NOT_FOUND);

    let text = scrape(&app).await;
    assert_eq!(sample(&text, "http_requests_total", &route) - before, 3.0);
    assert!(sample(&text, "http_request_duration_seconds_count", &route) >= 3.0);
    assert!(sample(&text, "http_requests_total", &[("route", "unmatched")]) >= 1.0);
    assert!(!text.contains(missing), "a raw id became a label");
    assert!(!text.contains("4242"), "a raw path became a label");
}

#[tokio::test]
async fn a_paid_purchase_is_counted_from_request_to_webhook_to_pool() {
    let app = signed_in_app_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let before = scrape(&app).await;
    let purchase = paid_purchase(&app, &json!({"quantity": 3, "plan": "annual"})).await;
    let intent = purchase["payment_intent_id"].as_str().unwrap();

    // A redelivery, and a post nobody signed.
    let event = emitted_event(&app, "payment_intent.succeeded", intent).await;
    let body = event.to_string();
    assert_eq!(deliver(&app, &body, Some(&sign(&body))).await.status(), 200);
    assert_eq!(deliver(&app, &body, None).await.status(), 400);
    let forged = stripe_emulator::webhooks::signature_header("whsec_forged", now(), &body);
    assert_eq!(deliver(&app, &body, Some(&forged)).await.status(), 400);

    let after = scrape(&app).await;
    let delta = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    let succeeded = [("type", "payment_intent.succeeded")];
    assert_eq!(
        delta(
            "stripe_webhook_events_total",
            &[succeeded[0], ("outcome", "processed")]
        ),
        1.0
    );
    assert_eq!(
        delta(
            "stripe_webhook_events_total",
            &[succeeded[0], ("outcome", "duplicate")]
        ),
        1.0
    );
    assert_eq!(
        delta(
            "stripe_webhook_events_total",
            &[("type", "unknown"), ("outcome", "refused")]
        ),
        2.0
    );
    assert_eq!(delta("purchases_created_total", &[]), 1.0);
    // pending → processing → completed, as the card payment went.
    assert_eq!(
        delta("purchase_status_transitions_total", &[("to", "completed")]),
        1.0
    );
    assert_eq!(
        delta("pool_sessions_credited_total", &[("reason", "purchase")]),
        3.0
    );
    assert_eq!(
        delta(
            "stripe_api_calls_total",
            &[("operation", "create payment intent"), ("outcome", "ok")]
        ),
        1.0
    );
    assert!(
        delta(
            "stripe_api_call_duration_seconds_count",
            &[("operation", "create payment intent")]
        ) >= 1.0
    );
}

#[tokio::test]
async fn background_job_runs_are_counted_with_what_they_changed() {
    let app = signed_in_app_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let before = scrape(&app).await;
    octavia_billing::server::jobs::reconcile_once(app.state.clone()).await;
    let after = scrape(&app).await;
    for job in ["catch_up", "sweep", "cancel_abandoned", "issue_invoices"] {
        let labels = [("job", job), ("outcome", "ok")];
        assert_eq!(
            sample(&after, "background_job_runs_total", &labels)
                - sample(&before, "background_job_runs_total", &labels),
            1.0,
            "{job}"
        );
    }
    assert!(after.contains("background_job_changes_total"));
}

#[tokio::test]
async fn queries_waiting_for_a_database_connection_are_counted() {
    let app = signed_in_app_with(&[("METRICS_TOKEN", TOKEN)]).await;
    let pool = app.db.pool();
    // Every connection taken: the next query has to wait.
    let mut held = Vec::new();
    while held.len() < pool.options().get_max_connections() as usize {
        held.push(pool.acquire().await.unwrap());
    }
    let waiting = tokio::spawn(app.client.get(app.url("/api/sessions/pool")).send());
    let text = eventually("a waiter in the metrics", async || {
        let text = scrape(&app).await;
        if sample(&text, "db_pool_waiters", &[]) >= 1.0 {
            Ok(text)
        } else {
            Err(text)
        }
    })
    .await;
    assert_eq!(
        sample(&text, "db_pool_connections", &[("state", "in_use")]),
        sample(&text, "db_pool_max_connections", &[])
    );

    drop(held);
    let answered = waiting.await.unwrap().unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    assert_eq!(sample(&scrape(&app).await, "db_pool_waiters", &[]), 0.0);
}
