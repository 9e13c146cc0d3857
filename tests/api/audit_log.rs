//! The audit log: one entry per billing action, by whom, with what changed; its API pages and
//! filters like the other lists, exports as CSV, and shows an institution only its own entries.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, eventually, get_text_with};
use crate::payment_methods::save_card;
use crate::purchases::{
    ADMIN, buy, confirm, other_institution_admin, paid_purchase, post_empty, refund_in_stripe,
    signed_in_app, sync, wait_for_status,
};

async fn log_of(client: &reqwest::Client, app: &TestApp, query: &str) -> Value {
    let response = client
        .get(app.url(&format!("/api/audit-log{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The signed-in institution's entries of exactly `action`, newest first.
async fn entries(app: &TestApp, action: &str) -> Vec<Value> {
    let log = log_of(&app.client, app, &format!("?limit=100&action={action}")).await;
    let data = log["data"].as_array().unwrap().clone();
    data.into_iter().filter(|e| e["action"] == action).collect()
}

/// Waits for the one entry of `action` (written by a webhook, say) and returns it.
async fn the_entry(app: &TestApp, action: &str) -> Value {
    let found = eventually(&format!("a {action} entry"), async || {
        let found = entries(app, action).await;
        if found.is_empty() {
            Err(found)
        } else {
            Ok(found)
        }
    })
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

fn order(quantity: i64) -> Value {
    json!({"quantity": quantity, "plan": "annual"})
}

#[tokio::test]
async fn a_sign_in_is_logged_with_the_admin_and_the_address() {
    let app = signed_in_app().await;
    let entry = the_entry(&app, "auth.sign_in").await;
    assert_eq!(entry["actor"], ADMIN);
    assert_eq!(entry["object_type"], "admin");
    assert_eq!(entry["details"]["client_ip"], "127.0.0.1");
    for field in ["id", "created_at", "object_id"] {
        assert!(!entry[field].is_null(), "{field} in {entry}");
    }
}

#[tokio::test]
async fn a_failed_sign_in_to_an_admins_address_is_logged_without_the_password() {
    let app = signed_in_app().await;
    assert_eq!(app.login(ADMIN, "not-the-password").await.status(), 401);
    assert_eq!(
        app.login("nobody@state.test", "whatever-it-is")
            .await
            .status(),
        401
    );
    let entry = the_entry(&app, "auth.sign_in_failed").await;
    assert_eq!(entry["actor"], ADMIN);
    let all = log_of(&app.client, &app, "?limit=100").await.to_string();
    assert!(
        !all.contains("not-the-password") && !all.contains(PASSWORD),
        "{all}"
    );
    // An address that is no admin's belongs to no institution's log.
    assert!(!all.contains("nobody@state.test"), "{all}");
}

#[tokio::test]
async fn a_purchase_is_logged_when_created_and_once_when_paid_however_often_it_is_reported() {
    let app = signed_in_app().await;
    let purchase = paid_purchase(&app, &order(4)).await;
    // The browser's own check after paying reports the payment a second time.
    assert_eq!(sync(&app, &purchase).await.status(), 200);

    let created = the_entry(&app, "purchase.created").await;
    assert_eq!(created["actor"], ADMIN);
    assert_eq!(created["object_id"], purchase["purchase_id"]);
    assert_eq!(created["details"]["quantity"], 4);
    let completed = the_entry(&app, "purchase.completed").await;
    assert_eq!(completed["object_type"], "purchase");
    assert_eq!(completed["details"]["status"]["after"], "completed");
    assert_eq!(completed["details"]["sessions_credited"], 4);
    let actor = completed["actor"].as_str().unwrap();
    assert!(actor == "stripe" || actor == ADMIN, "{actor}");
}

#[tokio::test]
async fn a_declined_payment_is_logged_as_failed_with_the_reason() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    let _ = confirm(&app, &purchase, "pm_card_chargeDeclined").await;
    wait_for_status(&app, &purchase, "failed").await;
    let failed = the_entry(&app, "purchase.failed").await;
    assert_eq!(failed["object_id"], purchase["purchase_id"]);
    assert!(
        failed["details"]["failure_message"]
            .as_str()
            .unwrap()
            .contains("declined")
    );
}

#[tokio::test]
async fn a_cancel_is_logged_as_the_admins() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    let id = purchase["purchase_id"].as_str().unwrap();
    let canceled = post_empty(&app, &format!("/api/sessions/purchases/{id}/cancel")).await;
    assert_eq!(canceled.status(), 200);
    let entry = the_entry(&app, "purchase.canceled").await;
    assert_eq!(entry["actor"], ADMIN);
    assert_eq!(entry["details"]["status"]["before"], "pending");
}

#[tokio::test]
async fn a_refund_is_logged_as_stripes_with_the_refunded_total() {
    let app = signed_in_app().await;
    let purchase = paid_purchase(&app, &order(10)).await;
    refund_in_stripe(&app, &purchase, 5_000).await;
    wait_for_status(&app, &purchase, "partially_refunded").await;
    let entry = the_entry(&app, "purchase.refunded").await;
    assert_eq!(entry["actor"], "stripe");
    assert_eq!(
        entry["details"]["amount_refunded"],
        json!({"before": 0, "after": 5000})
    );
}

#[tokio::test]
async fn a_dispute_is_logged_as_stripes() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 3).await;
    assert_eq!(
        confirm(&app, &purchase, "pm_card_createDispute")
            .await
            .status(),
        200
    );
    wait_for_status(&app, &purchase, "disputed").await;
    let entry = the_entry(&app, "purchase.disputed").await;
    assert_eq!(entry["actor"], "stripe");
    assert_eq!(entry["details"]["sessions_held_back"], 3);
}

#[tokio::test]
async fn a_card_added_twice_made_default_and_removed_is_logged_once_each_without_its_number() {
    let app = signed_in_app().await;
    let card = save_card(&app, "pm_card_visa").await;
    for _ in 0..2 {
        let recorded = app
            .client
            .post(app.url("/api/stripe/payment-methods"))
            .json(&json!({"payment_method_id": card}))
            .send()
            .await
            .unwrap();
        assert_eq!(recorded.status(), 200);
    }
    let default = post_empty(&app, &format!("/api/stripe/payment-methods/{card}/default")).await;
    assert_eq!(default.status(), 200);
    let removed = app
        .client
        .delete(app.url(&format!("/api/stripe/payment-methods/{card}")))
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_success(), "{}", removed.status());

    let added = the_entry(&app, "payment_method.added").await;
    assert_eq!(added["details"]["last4"], "4242");
    let made_default = the_entry(&app, "payment_method.default_changed").await;
    assert_eq!(
        made_default["details"]["default"],
        json!({"before": null, "after": card})
    );
    let gone = the_entry(&app, "payment_method.removed").await;
    assert_eq!(gone["object_id"], card.as_str());
    let all = log_of(&app.client, &app, "?limit=100").await.to_string();
    assert!(!all.contains("4242424242424242"), "{all}");
}

#[tokio::test]
async fn the_log_pages_newest_first_and_filters_by_action_prefix() {
    let app = signed_in_app().await;
    for quantity in 1..=3 {
        buy(&app, quantity).await;
    }
    let first = log_of(&app.client, &app, "?limit=2&action=purchase.").await;
    assert_eq!(first["has_more"], true);
    let quantities: Vec<&Value> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["details"]["quantity"])
        .collect();
    assert_eq!(quantities, [&json!(3), &json!(2)]);
    let last = first["data"][1]["id"].as_str().unwrap();
    let rest = log_of(
        &app.client,
        &app,
        &format!("?limit=2&action=purchase.&starting_after={last}"),
    )
    .await;
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["data"][0]["details"]["quantity"], 1);
    let sign_ins = log_of(&app.client, &app, "?action=auth.").await;
    assert_eq!(sign_ins["data"].as_array().unwrap().len(), 1);

    for bad in ["?action=PURCHASE", "?action=purchase%25", "?limit=0"] {
        let response = app.get(&format!("/api/audit-log{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn an_institution_sees_only_its_own_entries_in_the_api_and_the_csv() {
    let app = signed_in_app().await;
    let ours = buy(&app, 2).await;
    let other = other_institution_admin(&app).await;
    let theirs = log_of(&other, &app, "?limit=100").await;
    let text = theirs.to_string();
    assert!(
        !text.contains(ours["purchase_id"].as_str().unwrap()) && !text.contains(ADMIN),
        "{text}"
    );
    assert_eq!(
        theirs["data"].as_array().unwrap().len(),
        1,
        "only their own sign-in: {text}"
    );

    let csv = app.get("/api/audit-log.csv").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-log-")
    );
    let body = csv.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("id,created_at,actor,action,object_type,object_id,details")
    );
    assert_eq!(body.lines().count(), 3, "{body}");
    assert!(body.contains(ours["purchase_id"].as_str().unwrap()));
    let other_csv = get_text_with(&other, app.url("/api/audit-log.csv")).await;
    assert!(!other_csv.contains(ADMIN), "{other_csv}");
}
