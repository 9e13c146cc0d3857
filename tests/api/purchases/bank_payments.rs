//! Paying by bank: an ACH debit reads `processing` until the bank settles it (or fails it with
//! the bank's reason); a bank transfer reads `awaiting_transfer`, with where to send the money,
//! until all of it arrived. Nothing is credited before Stripe says `succeeded`.

use serde_json::{Value, json};

use super::{
    buy, deliver, get_purchase, pool, post_empty, rows, sign, signed_in_app, wait_for_status,
};
use crate::helpers::TestApp;
use crate::live_events::{
    live_shaped_event, live_shaped_intent, live_shaped_transfer_instructions, stripe_fixture,
};
use stripe_emulator::test_client::stripe_ok;

/// What Stripe.js sends for an admin who accepted the debit mandate on the page.
const MANDATE_ACCEPTED: [(&str, &str); 3] = [
    ("mandate_data[customer_acceptance][type]", "online"),
    (
        "mandate_data[customer_acceptance][online][ip_address]",
        "203.0.113.7",
    ),
    (
        "mandate_data[customer_acceptance][online][user_agent]",
        "Mozilla/5.0",
    ),
];

/// Confirms the purchase's intent with a new bank account (Stripe's test routing number and
/// `account`), as the Payment Element's US bank account tab does.
pub async fn confirm_with_bank_account(app: &TestApp, purchase: &Value, account: &str) -> Value {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let path = format!("v1/payment_intents/{intent}/confirm");
    stripe_ok(app.stripe().post(&path, &new_bank_account(account)).await).await
}

/// A new bank account (Stripe's test routing number and `account`) with its accepted mandate,
/// as the Payment Element's bank tab sends them to confirm an intent.
fn new_bank_account(account: &str) -> Vec<(&'static str, &str)> {
    let mut form = vec![
        ("payment_method_data[type]", "us_bank_account"),
        (
            "payment_method_data[us_bank_account][routing_number]",
            "110000000",
        ),
        (
            "payment_method_data[us_bank_account][account_number]",
            account,
        ),
        (
            "payment_method_data[us_bank_account][account_holder_type]",
            "company",
        ),
        (
            "payment_method_data[billing_details][name]",
            "State University",
        ),
    ];
    form.extend(MANDATE_ACCEPTED);
    form
}

/// Confirms the purchase's intent as a bank transfer, as the Payment Element's transfer tab does.
pub async fn confirm_as_transfer(app: &TestApp, purchase: &Value) -> Value {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let path = format!("v1/payment_intents/{intent}/confirm");
    let form = [("payment_method_data[type]", "customer_balance")];
    stripe_ok(app.stripe().post(&path, &form).await).await
}

/// The bank answers the purchase's debit now (the emulator's test helper).
pub async fn settle_debit(app: &TestApp, purchase: &Value) {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let path = format!("v1/test_helpers/payment_intents/{intent}/settle_bank_debit");
    stripe_ok(app.stripe().post(&path, &[]).await).await;
}

/// `amount` cents arrive by transfer for the purchase's customer, quoting `reference`.
pub async fn transfer_arrives(app: &TestApp, customer: &str, amount: i64, reference: &str) {
    let path = format!("v1/test_helpers/customers/{customer}/fund_cash_balance");
    let amount = amount.to_string();
    let form = [
        ("amount", amount.as_str()),
        ("currency", "usd"),
        ("reference", reference),
    ];
    stripe_ok(app.stripe().post(&path, &form).await).await;
}

async fn customer_of(app: &TestApp, purchase: &Value) -> String {
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let intent = stripe_ok(
        app.stripe()
            .get(&format!("v1/payment_intents/{intent}"))
            .await,
    )
    .await;
    intent["customer"].as_str().unwrap().to_owned()
}

async fn cash_balance(app: &TestApp, customer: &str) -> i64 {
    let path = format!("v1/customers/{customer}/cash_balance");
    let balance = stripe_ok(app.stripe().get(&path).await).await;
    balance["available"]["usd"].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn an_ach_debit_is_processing_until_the_bank_settles_it_then_credits_once() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 5).await;
    let intent = confirm_with_bank_account(&app, &purchase, "000123456789").await;
    assert_eq!(intent["status"], "processing");

    let processing = wait_for_status(&app, &purchase, "processing").await;
    assert_eq!(processing["payment_method_type"], "us_bank_account");
    assert_eq!(processing["bank_transfer"], Value::Null);
    assert_eq!(
        pool(&app).await,
        0,
        "nothing is credited while the bank decides"
    );

    settle_debit(&app, &purchase).await;
    let completed = wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(completed["payment_method_type"], "us_bank_account");
    assert_eq!(pool(&app).await, 5);
    assert_eq!(rows(&app, "session_ledger").await, 1);
    assert_invoiced_and_paid(&app, &completed).await;
}

/// The purchase's invoice was issued once it was paid, and shows as paid by its payment.
async fn assert_invoiced_and_paid(app: &TestApp, completed: &Value) {
    let invoiced = crate::invoices::wait_for_invoice(app, completed).await;
    let id = invoiced["invoice_id"].as_str().unwrap();
    let invoice: Value = app
        .get(&format!("/api/stripe/invoices/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invoice["status"], "paid", "{invoice}");
    assert_eq!(invoice["amount_paid"], completed["amount"]);
}

#[tokio::test]
async fn a_debit_the_bank_returns_fails_the_purchase_with_the_banks_reason() {
    for (account, reason) in [
        ("000222222227", "insufficient funds"),
        ("000111111113", "has been closed"),
        ("000333333335", "unauthorized"),
    ] {
        let app = signed_in_app().await;
        let purchase = buy(&app, 3).await;
        confirm_with_bank_account(&app, &purchase, account).await;
        wait_for_status(&app, &purchase, "processing").await;
        settle_debit(&app, &purchase).await;
        let failed = wait_for_status(&app, &purchase, "failed").await;
        let message = failed["failure_message"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{account}: {failed}");
        assert_eq!(pool(&app).await, 0, "{account}");
    }
}

#[tokio::test]
async fn a_bank_transfer_shows_where_to_pay_and_credits_only_once_all_of_it_arrived() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 4).await;
    let amount = purchase["amount"].as_i64().unwrap();
    confirm_as_transfer(&app, &purchase).await;

    let waiting = wait_for_status(&app, &purchase, "awaiting_transfer").await;
    assert_eq!(waiting["payment_method_type"], "customer_balance");
    let transfer = &waiting["bank_transfer"];
    assert_eq!(transfer["amount_remaining"], amount, "{waiting}");
    assert_eq!(transfer["currency"], "usd");
    assert_eq!(transfer["routing_number"], "110000000");
    for field in ["reference", "account_number", "hosted_instructions_url"] {
        assert!(
            transfer[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}: {transfer}"
        );
    }
    let reference = transfer["reference"].as_str().unwrap().to_owned();
    let customer = customer_of(&app, &purchase).await;

    transfer_arrives(&app, &customer, amount / 2, &reference).await;
    let expected = amount - amount / 2;
    let partly = eventually_remaining(&app, &purchase, expected).await;
    assert_eq!(partly["status"], "awaiting_transfer");
    assert_eq!(pool(&app).await, 0, "a partial transfer credits nothing");

    // The rest, and $10 too much: the surplus stays on the cash balance.
    transfer_arrives(&app, &customer, expected + 1000, &reference).await;
    let completed = wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(completed["bank_transfer"], Value::Null);
    assert_eq!(pool(&app).await, 4);
    assert_eq!(rows(&app, "session_ledger").await, 1);
    assert_eq!(cash_balance(&app, &customer).await, 1000);
    assert_invoiced_and_paid(&app, &completed).await;
}

async fn eventually_remaining(app: &TestApp, purchase: &Value, remaining: i64) -> Value {
    crate::helpers::eventually("the transfer's remaining amount", async || {
        let now = get_purchase(app, purchase).await;
        if now["bank_transfer"]["amount_remaining"] == remaining {
            Ok(now)
        } else {
            Err(now)
        }
    })
    .await
}

#[tokio::test]
async fn canceling_an_awaited_transfer_keeps_the_money_received_on_the_cash_balance() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 4).await;
    let amount = purchase["amount"].as_i64().unwrap();
    confirm_as_transfer(&app, &purchase).await;
    let waiting = wait_for_status(&app, &purchase, "awaiting_transfer").await;
    let reference = waiting["bank_transfer"]["reference"].as_str().unwrap();
    let customer = customer_of(&app, &purchase).await;
    transfer_arrives(&app, &customer, 1500, reference).await;
    eventually_remaining(&app, &purchase, amount - 1500).await;

    let id = purchase["purchase_id"].as_str().unwrap();
    let canceled = post_empty(&app, &format!("/api/sessions/purchases/{id}/cancel")).await;
    assert_eq!(canceled.status(), 200);
    let canceled: Value = canceled.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["kept_on_cash_balance"], 1500, "{canceled}");
    assert_eq!(canceled["bank_transfer"], Value::Null);
    assert_eq!(cash_balance(&app, &customer).await, 1500);
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn an_awaited_transfer_cannot_be_resumed_as_a_card_payment() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    confirm_as_transfer(&app, &purchase).await;
    wait_for_status(&app, &purchase, "awaiting_transfer").await;
    let id = purchase["purchase_id"].as_str().unwrap();
    let (status, refused) =
        super::rpc::rpc_as(&app.client, &app, "resume_purchase", &[("purchase_id", id)]).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("waiting for your bank transfer"),
        "{refused}"
    );
}

/// The emulator's own webhooks are held back; the test delivers live-shaped events instead.
async fn app_with_withheld_webhooks() -> TestApp {
    let app = signed_in_app().await;
    app.stripe()
        .arm_fault("webhooks", &[("mode", "withhold")])
        .await;
    app
}

/// Signs and delivers each event; every one must be accepted.
async fn deliver_all(app: &TestApp, events: &[&Value]) {
    for event in events {
        let body = event.to_string();
        let response = deliver(app, &body, Some(&sign(&body))).await;
        assert_eq!(response.status(), 200, "{}", event["type"]);
    }
}

/// A live-shaped event about the purchase's intent, in `status`, changed by `shape`.
fn intent_event(
    purchase: &Value,
    event_type: &str,
    status: &str,
    shape: impl FnOnce(&mut Value),
) -> Value {
    let mut intent = live_shaped_intent(
        purchase["payment_intent_id"].as_str().unwrap(),
        purchase["purchase_id"].as_str().unwrap(),
        purchase["amount"].as_i64().unwrap(),
    );
    intent["status"] = json!(status);
    intent["payment_method_types"] = json!(["card", "us_bank_account", "customer_balance"]);
    shape(&mut intent);
    let id = format!("evt_{}", uuid::Uuid::new_v4().simple());
    live_shaped_event(&id, event_type, intent)
}

#[tokio::test]
async fn live_shaped_debit_events_in_any_order_and_twice_credit_once() {
    let app = app_with_withheld_webhooks().await;
    let purchase = buy(&app, 6).await;
    let amount = purchase["amount"].as_i64().unwrap();
    // A real bank account at the emulator: the events name it by id only, as live ones do.
    let account = stripe_ok(
        app.stripe()
            .post(
                "v1/payment_methods",
                &[
                    ("type", "us_bank_account"),
                    ("us_bank_account[routing_number]", "110000000"),
                    ("us_bank_account[account_number]", "000123456789"),
                    ("us_bank_account[account_holder_type]", "company"),
                    ("billing_details[name]", "State University"),
                ],
            )
            .await,
    )
    .await;
    let method = account["id"].clone();
    let processing = intent_event(&purchase, "payment_intent.processing", "processing", |i| {
        i["payment_method"] = method.clone();
    });
    deliver_all(&app, &[&processing]).await;
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "processing");
    assert_eq!(now["payment_method_type"], "us_bank_account", "{now}");
    assert_eq!(pool(&app).await, 0);

    let succeeded = intent_event(&purchase, "payment_intent.succeeded", "succeeded", |i| {
        i["payment_method"] = method.clone();
        i["amount_received"] = json!(amount);
    });
    // Late and repeated news, shuffled: the succeeded one counts once, the rest change nothing.
    deliver_all(&app, &[&succeeded, &processing, &succeeded, &processing]).await;
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "completed");
    assert_eq!(pool(&app).await, 6);
    assert_eq!(rows(&app, "session_ledger").await, 1);
}

#[tokio::test]
async fn a_live_shaped_returned_debit_fails_the_purchase_with_the_banks_reason() {
    let app = app_with_withheld_webhooks().await;
    let purchase = buy(&app, 2).await;
    let processing = intent_event(&purchase, "payment_intent.processing", "processing", |_| {});
    let failed = intent_event(
        &purchase,
        "payment_intent.payment_failed",
        "requires_payment_method",
        |i| {
            let mut error = stripe_fixture("payment_intent")["last_payment_error"].clone();
            error["type"] = json!("invalid_request_error");
            error["code"] = json!("payment_method_provider_decline");
            error["message"] =
                json!("The customer's account has insufficient funds to cover this payment.");
            i["last_payment_error"] = error;
        },
    );
    deliver_all(&app, &[&processing, &failed, &processing]).await;
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "failed", "{now}");
    assert_eq!(
        now["failure_message"],
        "The customer's account has insufficient funds to cover this payment."
    );
    assert_eq!(pool(&app).await, 0);
}

#[tokio::test]
async fn live_shaped_transfer_events_in_any_order_and_twice_credit_once_all_arrived() {
    let app = app_with_withheld_webhooks().await;
    let purchase = buy(&app, 8).await;
    let amount = purchase["amount"].as_i64().unwrap();
    let waiting = |event_type: &str, remaining: i64| {
        intent_event(&purchase, event_type, "requires_action", |i| {
            i["payment_method"] = json!("pm_1TransferLive");
            i["next_action"] = live_shaped_transfer_instructions(remaining, "REF7Q2");
        })
    };
    let instructions = waiting("payment_intent.requires_action", amount);
    let half = waiting("payment_intent.partially_funded", amount / 2);
    let succeeded = intent_event(&purchase, "payment_intent.succeeded", "succeeded", |i| {
        i["payment_method"] = json!("pm_1TransferLive");
        i["amount_received"] = json!(amount);
    });

    // The partial funding first, then the older instructions: what remains never goes back up.
    deliver_all(&app, &[&half, &instructions, &half]).await;
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "awaiting_transfer", "{now}");
    assert_eq!(now["payment_method_type"], "customer_balance");
    let transfer = &now["bank_transfer"];
    assert_eq!(transfer["amount_remaining"], amount / 2, "{now}");
    assert_eq!(transfer["reference"], "REF7Q2");
    assert_eq!(transfer["account_number"], "111222333444");
    assert_eq!(transfer["routing_number"], "110000000");
    assert_eq!(
        transfer["hosted_instructions_url"],
        "https://payments.stripe.com/bank_transfers/instructions/test_123"
    );
    assert_eq!(
        pool(&app).await,
        0,
        "nothing is credited before all of it arrived"
    );

    deliver_all(&app, &[&succeeded, &half, &succeeded, &instructions]).await;
    let now = get_purchase(&app, &purchase).await;
    assert_eq!(now["status"], "completed");
    assert_eq!(now["bank_transfer"], Value::Null);
    assert_eq!(pool(&app).await, 8);
    assert_eq!(rows(&app, "session_ledger").await, 1);
}

#[tokio::test]
async fn the_billing_page_and_a_printable_page_show_where_to_send_an_awaited_transfer() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 4).await;
    confirm_as_transfer(&app, &purchase).await;
    let waiting = wait_for_status(&app, &purchase, "awaiting_transfer").await;
    let transfer = &waiting["bank_transfer"];
    let expected = [
        transfer["reference"].as_str().unwrap(),
        transfer["account_number"].as_str().unwrap(),
        "110000000",
        "$80.00",
    ];
    let billing = app.page_markup("/billing").await;
    for text in expected
        .iter()
        .chain(&["Bank transfers", "Awaiting bank transfer"])
    {
        assert!(billing.contains(text), "no {text:?} on the billing page");
    }
    let id = purchase["purchase_id"].as_str().unwrap();
    let printable = app
        .page_markup(&format!("/billing/purchases/{id}/transfer"))
        .await;
    for text in expected
        .iter()
        .chain(&["Pay by bank transfer", "4 interview sessions"])
    {
        assert!(
            printable.contains(text),
            "no {text:?} on the printable page"
        );
    }

    // Once paid, the printable page says there is nothing to send.
    let customer = customer_of(&app, &purchase).await;
    transfer_arrives(&app, &customer, 8000, expected[0]).await;
    wait_for_status(&app, &purchase, "completed").await;
    let printable = app
        .page_markup(&format!("/billing/purchases/{id}/transfer"))
        .await;
    assert!(printable.contains("not waiting for a bank transfer"));
}

#[tokio::test]
async fn the_billing_page_says_what_an_overpayment_left_on_the_cash_balance() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    confirm_as_transfer(&app, &purchase).await;
    let waiting = wait_for_status(&app, &purchase, "awaiting_transfer").await;
    let reference = waiting["bank_transfer"]["reference"].as_str().unwrap();
    let customer = customer_of(&app, &purchase).await;
    transfer_arrives(&app, &customer, 4000 + 2500, reference).await;
    wait_for_status(&app, &purchase, "completed").await;
    crate::helpers::eventually("the cash balance on the billing page", async || {
        let page = app.page_markup("/billing").await;
        if page.contains("$25.00 from your bank transfers is on your Stripe cash balance") {
            Ok(())
        } else {
            Err("not yet")
        }
    })
    .await;
}

/// Saves a US bank account through a SetupIntent the app made, as the Payment Element's
/// `confirmSetup` does; the new payment method's id.
async fn save_bank_account(app: &TestApp, account: &str) -> String {
    let created = app
        .client
        .post(app.url("/api/stripe/setup-intents"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let secret = body["client_secret"].as_str().unwrap();
    let intent = secret.split("_secret_").next().unwrap();
    let path = format!("v1/setup_intents/{intent}/confirm");
    let confirmed = stripe_ok(app.stripe().post(&path, &new_bank_account(account)).await).await;
    assert_eq!(confirmed["status"], "succeeded", "{confirmed}");
    confirmed["payment_method"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_saved_bank_account_is_listed_and_pays_a_purchase_by_debit() {
    let app = signed_in_app().await;
    let account = save_bank_account(&app, "000123456789").await;
    let recorded = app
        .client
        .post(app.url("/api/stripe/payment-methods"))
        .json(&json!({ "payment_method_id": account, "set_default": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(recorded.status(), 200);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["type"], "us_bank_account", "{recorded}");
    assert_eq!(recorded["last4"], "6789");
    assert_eq!(recorded["exp_month"], Value::Null);
    assert_eq!(recorded["is_default"], true);
    let listed: Value = app
        .get("/api/stripe/payment-methods")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["data"][0]["id"], account.as_str());

    // Paying with it: a debit under the mandate saved with it.
    let response = super::post_purchase(
        &app,
        &json!({"quantity": 3, "plan": "annual", "payment_method_id": account}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let purchase: Value = response.json().await.unwrap();
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let path = format!("v1/payment_intents/{intent}/confirm");
    let confirmed = stripe_ok(app.stripe().post(&path, &[]).await).await;
    assert_eq!(confirmed["status"], "processing", "{confirmed}");
    let processing = wait_for_status(&app, &purchase, "processing").await;
    assert_eq!(processing["payment_method_type"], "us_bank_account");
    settle_debit(&app, &purchase).await;
    wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(pool(&app).await, 3);
}

#[tokio::test]
async fn an_account_verified_by_microdeposits_waits_with_stripes_page_then_is_debited() {
    let app = signed_in_app().await;
    let purchase = buy(&app, 2).await;
    let intent = purchase["payment_intent_id"].as_str().unwrap();
    let mut form = new_bank_account("000123456789");
    form.push((
        "payment_method_options[us_bank_account][verification_method]",
        "microdeposits",
    ));
    let path = format!("v1/payment_intents/{intent}/confirm");
    stripe_ok(app.stripe().post(&path, &form).await).await;

    let waiting = wait_for_status(&app, &purchase, "requires_action").await;
    let url = waiting["verify_microdeposits_url"]
        .as_str()
        .unwrap_or_default();
    assert!(url.contains("/microdeposits/"), "{waiting}");
    assert_eq!(waiting["payment_method_type"], "us_bank_account");
    let billing = app.page_markup("/billing").await;
    assert!(billing.contains("Verify deposits") && billing.contains(url));

    let verify = format!("v1/payment_intents/{intent}/verify_microdeposits");
    stripe_ok(
        app.stripe()
            .post(&verify, &[("descriptor_code", "SM11AA")])
            .await,
    )
    .await;
    let processing = wait_for_status(&app, &purchase, "processing").await;
    assert_eq!(processing["verify_microdeposits_url"], Value::Null);
    settle_debit(&app, &purchase).await;
    wait_for_status(&app, &purchase, "completed").await;
    assert_eq!(pool(&app).await, 2);
}
