use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, backend, fresh_database, spawn_app_with};

#[tokio::test]
async fn pricing_comes_from_configuration() {
    let app = spawn_app_with(
        fresh_database(backend()).await,
        &[
            ("PRICE_PER_SESSION_ANNUAL", "1800"),
            ("PRICE_PER_SESSION_QUARTERLY", "2400"),
            ("CURRENCY", "EUR"),
            ("MAX_SESSIONS_PER_PURCHASE", "500"),
        ],
    )
    .await;
    app.add_admin("State University", "dean@state.edu").await;
    app.login("dean@state.edu", PASSWORD).await;

    let response = app.get("/api/pricing").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "currency": "eur",
            "plans": [
                { "id": "annual", "unit_amount": 1800 },
                { "id": "quarterly", "unit_amount": 2400 }
            ],
            "min_quantity": 1,
            "max_quantity": 500
        })
    );
}
