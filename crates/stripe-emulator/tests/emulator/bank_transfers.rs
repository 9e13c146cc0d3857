//! Bank transfers (`customer_balance`): instructions to pay into, money that arrives in parts,
//! what is left on the customer's cash balance, and a canceled intent's money kept there.

use serde_json::Value;

use crate::support::{TestEmulator, customer, get, intent_form, page_text, spawn_emulator};
use stripe_emulator::test_client::stripe_error;

/// A $50 payment by bank transfer for `customer`, confirmed: waiting for the money.
pub async fn transfer_intent(app: &TestEmulator, customer: &str) -> Value {
    app.stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                "5000",
                &[
                    ("customer", customer),
                    ("payment_method_types[]", "customer_balance"),
                    ("payment_method_data[type]", "customer_balance"),
                    (
                        "payment_method_options[customer_balance][funding_type]",
                        "bank_transfer",
                    ),
                    (
                        "payment_method_options[customer_balance][bank_transfer][type]",
                        "us_bank_transfer",
                    ),
                    ("confirm", "true"),
                ],
            ),
        )
        .await
}

pub async fn fund(
    app: &TestEmulator,
    customer: &str,
    amount: &str,
    reference: Option<&str>,
) -> Value {
    let mut form = vec![("amount", amount), ("currency", "usd")];
    form.extend(reference.map(|r| ("reference", r)));
    let path = format!("v1/test_helpers/customers/{customer}/fund_cash_balance");
    app.stripe().create(&path, &form).await
}

async fn cash_balance(app: &TestEmulator, customer: &str) -> i64 {
    let balance = get(app, &format!("v1/customers/{customer}/cash_balance")).await;
    balance["available"]["usd"].as_i64().unwrap()
}

fn remaining(intent: &Value) -> &Value {
    &intent["next_action"]["display_bank_transfer_instructions"]["amount_remaining"]
}

#[tokio::test]
async fn a_transfer_shows_where_to_pay_and_is_paid_in_parts_with_the_rest_kept_on_the_balance() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let intent = transfer_intent(&app, &customer).await;
    assert_eq!(intent["status"], "requires_action");
    let shown = &intent["next_action"]["display_bank_transfer_instructions"];
    assert_eq!(shown["type"], "us_bank_transfer");
    assert_eq!(shown["amount_remaining"], 5000);
    let reference = shown["reference"].as_str().unwrap();
    let aba = &shown["financial_addresses"][0]["aba"];
    assert_eq!(aba["routing_number"], "110000000");
    let account = aba["account_number"].as_str().unwrap();
    let page = page_text(&shown["hosted_instructions_url"]).await;
    assert!(
        page.contains(reference) && page.contains(account) && page.contains("50.00 USD"),
        "{page}"
    );

    // A second payment of the same customer waits behind; the quoted reference picks the first.
    let other = transfer_intent(&app, &customer).await;
    fund(&app, &customer, "2000", Some(reference)).await;
    let id = intent["id"].as_str().unwrap();
    let partly = get(&app, &format!("v1/payment_intents/{id}")).await;
    assert_eq!(partly["status"], "requires_action");
    assert_eq!(*remaining(&partly), 3000);
    assert_eq!(
        *remaining(
            &get(
                &app,
                &format!("v1/payment_intents/{}", other["id"].as_str().unwrap())
            )
            .await
        ),
        5000
    );

    // The rest and more: the first is paid, the surplus goes on to the oldest waiting one.
    fund(&app, &customer, "4000", Some(reference)).await;
    let paid = get(&app, &format!("v1/payment_intents/{id}")).await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["amount_received"], 5000);
    let charge = get(
        &app,
        &format!("v1/charges/{}", paid["latest_charge"].as_str().unwrap()),
    )
    .await;
    assert_eq!(charge["payment_method_details"]["type"], "customer_balance");
    let second = get(
        &app,
        &format!("v1/payment_intents/{}", other["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(*remaining(&second), 4000);
    assert_eq!(cash_balance(&app, &customer).await, 0);

    let events = get(&app, "v1/events?limit=100").await;
    let about_first: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["object"]["id"] == id)
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "payment_intent.requires_action",
        "payment_intent.partially_funded",
        "payment_intent.succeeded",
    ] {
        assert!(
            about_first.contains(&expected),
            "{expected} missing from {about_first:?}"
        );
    }
}

#[tokio::test]
async fn an_overpayment_stays_on_the_balance_and_pays_the_next_transfer_at_once() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let intent = transfer_intent(&app, &customer).await;
    fund(&app, &customer, "7000", None).await;
    let paid = get(
        &app,
        &format!("v1/payment_intents/{}", intent["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(cash_balance(&app, &customer).await, 2000);
    // Not enough for the next one: it takes what is there.
    let next = transfer_intent(&app, &customer).await;
    assert_eq!(*remaining(&next), 3000);
    assert_eq!(cash_balance(&app, &customer).await, 0);
}

#[tokio::test]
async fn a_canceled_transfer_leaves_what_arrived_on_the_cash_balance() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let intent = transfer_intent(&app, &customer).await;
    fund(&app, &customer, "1500", None).await;
    let id = intent["id"].as_str().unwrap();
    let canceled = app
        .stripe()
        .create(&format!("v1/payment_intents/{id}/cancel"), &[])
        .await;
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(cash_balance(&app, &customer).await, 1500);
}

#[tokio::test]
async fn a_transfer_needs_its_funding_type_as_on_stripe() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let form = intent_form(
        "5000",
        &[
            ("customer", customer.as_str()),
            ("payment_method_types[]", "customer_balance"),
            ("payment_method_data[type]", "customer_balance"),
            ("confirm", "true"),
        ],
    );
    let (status, error) = stripe_error(app.stripe().post("v1/payment_intents", &form).await).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(
        error["param"],
        "payment_method_options[customer_balance][funding_type]"
    );
}
