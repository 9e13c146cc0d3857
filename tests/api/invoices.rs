//! Invoices: each paid purchase gets exactly one Stripe invoice, paid by the purchase's own
//! payment, even when issuing it fails part-way and is retried; `GET /api/stripe/invoices`
//! lists the institution's invoices from Stripe, made by the app or not.

use octavia_billing::server::invoices::issue::sweep;
use reqwest::StatusCode;
use serde_json::{Value, json};

use stripe_emulator::test_client::stripe_ok;

use crate::helpers::{TestApp, error_message, eventually, get_json_with};
use crate::purchases::{
    buy, confirm, get_purchase, other_institution_admin, paid_purchase, signed_in_app, sync,
};

/// A purchase of `quantity` sessions (annual plan, $20 each), paid with a good card; as
/// `GET /api/sessions/purchases/{id}` shows it.
async fn paid(app: &TestApp, quantity: i64) -> Value {
    let purchase = paid_purchase(app, &json!({"quantity": quantity, "plan": "annual"})).await;
    get_purchase(app, &purchase).await
}

async fn invoices(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/stripe/invoices{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Waits until the purchase's invoice is issued and paid; the purchase then.
pub async fn wait_for_invoice(app: &TestApp, purchase: &Value) -> Value {
    eventually("the purchase to be invoiced", async || {
        if invoiced(app, purchase).await {
            Ok(view(app, purchase).await)
        } else {
            Err(purchase)
        }
    })
    .await
}

/// The purchase as `GET /api/sessions/purchases/{id}` shows it now.
async fn view(app: &TestApp, purchase: &Value) -> Value {
    get_purchase(app, &json!({"purchase_id": purchase["id"]})).await
}

async fn invoiced(app: &TestApp, purchase: &Value) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM purchases WHERE id = $1 AND invoiced_at IS NOT NULL",
    )
    .bind(purchase["id"].as_str().unwrap())
    .fetch_one(app.db.pool())
    .await
    .unwrap()
        == 1
}

async fn customer_id(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT stripe_customer_id FROM institutions WHERE name = 'State University'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// Every invoice the emulator holds for the institution's customer, newest first.
async fn stripe_invoices(app: &TestApp) -> Vec<Value> {
    let customer = customer_id(app).await;
    let list = stripe_ok(
        app.stripe()
            .get(&format!("v1/invoices?customer={customer}&limit=100"))
            .await,
    )
    .await;
    list["data"].as_array().unwrap().clone()
}

/// The one invoice of `purchase` in Stripe is paid by its payment, for its amount.
fn assert_paid_by(invoice: &Value, purchase: &Value) {
    assert_eq!(invoice["status"], "paid", "{invoice}");
    assert_eq!(invoice["amount_due"], purchase["amount"]);
    assert_eq!(invoice["amount_paid"], purchase["amount"]);
    assert_eq!(invoice["metadata"]["purchase_id"], purchase["id"]);
    let lines = invoice["lines"]["data"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{invoice}");
    assert_eq!(lines[0]["quantity"], purchase["quantity"]);
    assert_eq!(lines[0]["amount"], purchase["amount"]);
    assert_eq!(
        lines[0]["description"],
        format!("{} interview sessions", purchase["quantity"])
    );
    let payments = invoice["payments"]["data"].as_array().unwrap();
    assert_eq!(payments.len(), 1, "{invoice}");
    assert_eq!(
        payments[0]["payment"]["payment_intent"],
        purchase["payment_intent_id"]
    );
}

#[tokio::test]
async fn each_paid_purchase_gets_one_invoice_paid_by_its_payment() {
    let app = signed_in_app().await;
    let first = paid(&app, 10).await;
    let first = wait_for_invoice(&app, &first).await;
    let second = paid(&app, 3).await;
    let second = wait_for_invoice(&app, &second).await;
    let unpaid = buy(&app, 2).await;

    let in_stripe = stripe_invoices(&app).await;
    assert_eq!(in_stripe.len(), 2, "{in_stripe:?}");
    assert_paid_by(&in_stripe[0], &second);
    assert_paid_by(&in_stripe[1], &first);

    let listed = invoices(&app, "").await;
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(listed["has_more"], false);
    let newest = &data[0];
    assert_eq!(newest["id"], second["invoice_id"]);
    assert_eq!(newest["purchase_id"], second["id"]);
    assert_eq!(newest["status"], "paid");
    assert_eq!(
        (
            newest["amount_due"].as_i64(),
            newest["amount_paid"].as_i64()
        ),
        (Some(6_000), Some(6_000))
    );
    assert_eq!(newest["currency"], "usd");
    assert!(newest["number"].as_str().is_some_and(|n| !n.is_empty()));
    for link in ["hosted_invoice_url", "invoice_pdf"] {
        let url = newest[link].as_str().unwrap();
        let page = reqwest::get(url).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{link}");
    }
    assert_eq!(data[1]["purchase_id"], first["id"]);
    assert_eq!(data[1]["amount_paid"], 20_000);
    assert!(get_purchase(&app, &unpaid).await["invoice_id"].is_null());
}

/// Issuing fails once at the call whose path contains `failing`, then the sweep retries.
async fn failing_once_then_retried(failing: &str) {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault(
            "api",
            &[("mode", "error"), ("count", "1"), ("path", failing)],
        )
        .await;
    let purchase = paid(&app, 4).await;
    // The attempt the completing webhook started is over, and it hit the fault.
    app.settle().await;
    let armed: Value = app.stripe().get("_faults/api").await.json().await.unwrap();
    assert_eq!(armed["count"], 0, "{failing}: the fault was not hit");
    assert!(
        !invoiced(&app, &purchase).await,
        "{failing}: the fault did not stop issuing"
    );

    // The sweep leaves just-paid purchases to that first attempt: make this one older.
    sqlx::query("UPDATE purchases SET updated_at = updated_at - 3600 WHERE id = $1")
        .bind(purchase["id"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(sweep(&app.state).await.unwrap(), 1);
    assert!(invoiced(&app, &purchase).await, "{failing}");
    let purchase = view(&app, &purchase).await;
    let in_stripe = stripe_invoices(&app).await;
    assert_eq!(in_stripe.len(), 1, "{failing}: {in_stripe:?}");
    assert_paid_by(&in_stripe[0], &purchase);
    assert_eq!(in_stripe[0]["id"], purchase["invoice_id"]);

    // Nothing is left for the sweep, and running it again makes nothing new.
    assert_eq!(sweep(&app.state).await.unwrap(), 0);
    assert_eq!(stripe_invoices(&app).await.len(), 1);
}

#[tokio::test]
async fn an_invoice_whose_line_failed_is_completed_by_the_retry_not_duplicated() {
    failing_once_then_retried("/invoiceitems").await;
}

#[tokio::test]
async fn an_invoice_whose_payment_could_not_be_attached_is_paid_by_the_retry() {
    failing_once_then_retried("attach_payment").await;
}

#[tokio::test]
async fn an_invoice_that_could_not_be_created_is_created_once_by_the_retry() {
    failing_once_then_retried("/invoices").await;
}

#[tokio::test]
async fn invoices_made_outside_the_app_are_listed_too_newest_first_by_page() {
    let app = signed_in_app().await;
    let purchase = paid(&app, 1).await;
    wait_for_invoice(&app, &purchase).await;
    // An invoice made "in the Stripe dashboard".
    let customer = customer_id(&app).await;
    let outside = app
        .stripe()
        .create(
            "v1/invoices",
            &[("customer", &customer), ("currency", "usd")],
        )
        .await;
    let outside_id = outside["id"].as_str().unwrap();
    app.stripe()
        .create(
            "v1/invoiceitems",
            &[
                ("customer", &customer),
                ("invoice", outside_id),
                ("amount", "12345"),
                ("description", "Consulting"),
            ],
        )
        .await;
    app.stripe()
        .create(&format!("v1/invoices/{outside_id}/finalize"), &[])
        .await;

    let first = invoices(&app, "?limit=1").await;
    assert_eq!(first["has_more"], true);
    let newest = &first["data"][0];
    assert_eq!(newest["id"], outside_id);
    assert!(newest["purchase_id"].is_null());
    assert_eq!(newest["status"], "open");
    assert_eq!(newest["amount_due"], 12_345);
    assert_eq!(newest["amount_paid"], 0);

    let rest = invoices(&app, &format!("?limit=1&starting_after={outside_id}")).await;
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["data"][0]["purchase_id"], purchase["id"]);

    for bad in ["?limit=0", "?limit=ten", "?starting_after=in_not_ours"] {
        let response = app.get(&format!("/api/stripe/invoices{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_message(response).await;
    }

    // Another institution sees none of them.
    let other = other_institution_admin(&app).await;
    let theirs = get_json_with(&other, app.url("/api/stripe/invoices")).await;
    assert_eq!(theirs["data"], json!([]));
}

#[tokio::test]
async fn one_invoice_is_shown_to_its_institution_only() {
    let app = signed_in_app().await;
    let purchase = paid(&app, 2).await;
    let invoice_id = wait_for_invoice(&app, &purchase).await["invoice_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let one = get_json_with(
        &app.client,
        app.url(&format!("/api/stripe/invoices/{invoice_id}")),
    )
    .await;
    assert_eq!(one["id"], invoice_id);
    assert_eq!(one["purchase_id"], purchase["id"]);
    assert_eq!(one["amount_paid"], 4_000);

    // Another institution's invoice, an unknown one and a malformed id look alike: not found.
    let other = other_institution_admin(&app).await;
    for (client, id) in [
        (&other, invoice_id.as_str()),
        (&app.client, "in_unknown123"),
        (&app.client, "in_..%2Fcustomers"),
    ] {
        let response = client
            .get(app.url(&format!("/api/stripe/invoices/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
        error_message(response).await;
    }
}

#[tokio::test]
async fn the_history_link_opens_the_invoice_page_at_stripe_for_its_institution_only() {
    let app = signed_in_app().await;
    let purchase = paid(&app, 1).await;
    let invoice_id = wait_for_invoice(&app, &purchase).await["invoice_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hosted = get_json_with(
        &app.client,
        app.url(&format!("/api/stripe/invoices/{invoice_id}")),
    )
    .await["hosted_invoice_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = format!("/billing/invoices/{invoice_id}");

    let response = app.get(&link).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], hosted.as_str());

    let other = other_institution_admin(&app).await;
    let theirs = other.get(app.url(&link)).send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

    // A signed-out visitor is sent to sign in, not shown an error.
    let signed_out = crate::helpers::cookie_client()
        .get(app.url(&link))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_out.headers()["location"], "/login");
}

/// The invoice list is a copy the server keeps; the app's own invoicing marks it stale, so an
/// invoice issued after the list was read shows at the next read, even with Stripe's invoice
/// events held back.
#[tokio::test]
async fn an_invoice_the_app_issues_shows_in_a_list_read_before_it() {
    let app = signed_in_app().await;
    let first = paid(&app, 1).await;
    wait_for_invoice(&app, &first).await;
    app.settle().await;
    assert_eq!(
        invoices(&app, "").await["data"].as_array().unwrap().len(),
        1
    );

    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    let second = buy(&app, 2).await;
    assert_eq!(confirm(&app, &second, "pm_card_visa").await.status(), 200);
    // As the browser does after paying: the app asks Stripe, no webhook needed.
    assert_eq!(sync(&app, &second).await.status(), StatusCode::OK);
    let id = second["purchase_id"].as_str().unwrap();
    let second = json!({"id": id});
    wait_for_invoice(&app, &second).await;
    let listed = invoices(&app, "").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
}

#[tokio::test]
async fn a_purchase_order_number_is_kept_and_printed_on_the_invoice() {
    let app = signed_in_app().await;
    let order = json!({"quantity": 2, "plan": "annual", "po_number": "  PO-2026-0042 "});
    let created = paid_purchase(&app, &order).await;
    assert_eq!(created["po_number"], "PO-2026-0042");
    let purchase = get_purchase(&app, &created).await;
    assert_eq!(purchase["po_number"], "PO-2026-0042");

    let invoice_id = wait_for_invoice(&app, &purchase).await["invoice_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let invoice = stripe_ok(app.stripe().get(&format!("v1/invoices/{invoice_id}")).await).await;
    assert_eq!(
        invoice["custom_fields"],
        json!([{"name": "PO number", "value": "PO-2026-0042"}])
    );
    let hosted = invoice["hosted_invoice_url"].as_str().unwrap();
    let page = reqwest::get(hosted).await.unwrap().text().await.unwrap();
    assert!(page.contains("PO number: PO-2026-0042"), "{page}");

    // Without one, the invoice has no custom fields at all.
    let plain = paid(&app, 1).await;
    let plain_invoice = wait_for_invoice(&app, &plain).await["invoice_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain_invoice = stripe_ok(
        app.stripe()
            .get(&format!("v1/invoices/{plain_invoice}"))
            .await,
    )
    .await;
    assert!(plain_invoice["custom_fields"].is_null(), "{plain_invoice}");
}
