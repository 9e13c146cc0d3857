//! What the billing dashboard shows: the pool with totals and the last purchase, sessions and
//! spending per month, and the purchase history as CSV.

use octavia_billing::domain::calendar::{DateTime, Month};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, get_text_with};
use crate::purchases::{
    buy, confirm, other_institution_admin, paid_purchase, refund_in_stripe, signed_in_app,
    wait_for_status,
};

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// The paid purchase as the API shows it, once its invoice is recorded.
async fn invoiced_view(app: &TestApp, purchase: &Value) -> Value {
    let path = format!(
        "/api/sessions/purchases/{}",
        purchase["purchase_id"].as_str().unwrap()
    );
    eventually("an invoice to be recorded", async || {
        let view = get_json(app, &path).await;
        if view["invoice_id"].is_string() {
            Ok(view)
        } else {
            Err(view)
        }
    })
    .await
}

#[tokio::test]
async fn the_pool_shows_available_bought_and_the_last_paid_purchase() {
    let app = signed_in_app().await;
    assert_eq!(
        get_json(&app, "/api/sessions/pool").await,
        json!({"available": 0, "total_purchased": 0, "last_purchase": null})
    );
    let first = paid_purchase(&app, &json!({"quantity": 10, "plan": "annual"})).await;
    let second = paid_purchase(&app, &json!({"quantity": 3, "plan": "quarterly"})).await;
    buy(&app, 2).await; // not paid: neither counted nor the last purchase

    let pool = get_json(&app, "/api/sessions/pool").await;
    assert_eq!(
        (pool["available"].as_i64(), pool["total_purchased"].as_i64()),
        (Some(13), Some(13))
    );
    assert_eq!(pool["last_purchase"]["id"], second["purchase_id"]);
    assert_eq!(pool["last_purchase"]["amount"], 7_500);

    refund_in_stripe(&app, &first, 20_000).await;
    wait_for_status(&app, &first, "refunded").await;
    let pool = get_json(&app, "/api/sessions/pool").await;
    assert_eq!(
        (pool["available"].as_i64(), pool["total_purchased"].as_i64()),
        (Some(3), Some(13))
    );
}

#[tokio::test]
async fn the_summary_counts_sessions_and_money_in_the_month_they_moved() {
    let app = signed_in_app().await;
    let earlier = paid_purchase(&app, &json!({"quantity": 10, "plan": "annual"})).await;
    paid_purchase(&app, &json!({"quantity": 5, "plan": "quarterly"})).await;
    // The first purchase was paid three months ago.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let three_months_ago = Month::of_unix(now).minus(3);
    sqlx::query("UPDATE session_ledger SET created_at = $1 WHERE purchase_id = $2")
        .bind(three_months_ago.start_unix() + 3600)
        .bind(earlier["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    // This month, $50 of it is refunded: 2 of its sessions.
    refund_in_stripe(&app, &earlier, 5_000).await;
    wait_for_status(&app, &earlier, "partially_refunded").await;

    let summary = get_json(&app, "/api/sessions/summary").await;
    assert_eq!(summary["currency"], "usd");
    let months = summary["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], Month::of_unix(now).minus(11).label());
    assert_eq!(
        months[8],
        json!({"month": three_months_ago.label(), "sessions": 10, "amount": 20_000})
    );
    assert_eq!(
        months[11],
        json!({"month": Month::of_unix(now).label(), "sessions": 3, "amount": 7_500})
    );
    let total: i64 = months.iter().map(|m| m["sessions"].as_i64().unwrap()).sum();
    assert_eq!(total, 13, "nothing else counted anywhere");
}

#[tokio::test]
async fn the_history_downloads_as_csv_with_decimal_amounts_and_quoting() {
    let app = signed_in_app().await;
    let order = json!({"quantity": 10, "plan": "annual", "po_number": "PO-2026-0042"});
    let completed = paid_purchase(&app, &order).await;
    let declined = buy(&app, 1).await;
    confirm(&app, &declined, "pm_card_chargeDeclined").await;
    wait_for_status(&app, &declined, "failed").await;
    // A message with a comma and quotes must survive the round trip.
    sqlx::query("UPDATE purchases SET failure_message = $1 WHERE id = $2")
        .bind("Declined, said \"the bank\"")
        .bind(declined["purchase_id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    let completed = invoiced_view(&app, &completed).await;
    let declined = get_json(
        &app,
        &format!(
            "/api/sessions/purchases/{}",
            declined["purchase_id"].as_str().unwrap()
        ),
    )
    .await;

    let response = app.get("/api/sessions/purchases.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"purchases-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{body}"); // header, two rows, and the empty end
    assert_eq!(
        lines[0],
        "purchase_id,created_at,sessions,plan,unit_price,amount,amount_refunded,currency,status,\
         payment_intent_id,invoice_id,failure_message,PO number"
    );
    let text = |v: &Value, key: &str| v[key].as_str().unwrap().to_owned();
    let created = |v: &Value| DateTime::from_unix(v["created_at"].as_i64().unwrap()).iso8601();
    assert_eq!(
        lines[1],
        format!(
            "{},{},1,annual,20.00,20.00,0.00,USD,failed,{},,\"Declined, said \"\"the bank\"\"\",",
            text(&declined, "id"),
            created(&declined),
            text(&declined, "payment_intent_id"),
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "{},{},10,annual,20.00,200.00,0.00,USD,completed,{},{},,PO-2026-0042",
            text(&completed, "id"),
            created(&completed),
            text(&completed, "payment_intent_id"),
            text(&completed, "invoice_id"),
        )
    );
    assert_eq!(lines[3], "");

    // Another institution's export has the header only.
    let other = other_institution_admin(&app).await;
    let theirs = get_text_with(&other, app.url("/api/sessions/purchases.csv")).await;
    assert_eq!(theirs, format!("{}\r\n", lines[0]));
}
