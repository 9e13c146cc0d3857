//! ACH Direct Debit: bank accounts from Stripe's test numbers, the mandate each debit is made
//! under, and debits that are `processing` until the bank answers as Stripe's test accounts do.

use std::time::Duration;

use serde_json::Value;

use crate::support::{TestEmulator, customer, get, intent_form, spawn_emulator};
use stripe_emulator::test_client::stripe_error;

/// What Stripe.js sends for a customer who accepted the mandate on the page.
const ACCEPTED: [(&str, &str); 3] = [
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

pub async fn bank_account(app: &TestEmulator, account: &str) -> Value {
    app.stripe()
        .create(
            "v1/payment_methods",
            &[
                ("type", "us_bank_account"),
                ("us_bank_account[routing_number]", "110000000"),
                ("us_bank_account[account_number]", account),
                ("us_bank_account[account_holder_type]", "company"),
                ("billing_details[name]", "State University"),
            ],
        )
        .await
}

/// A $50 debit from a new bank account with `account`, confirmed at once: the intent.
pub async fn debit(app: &TestEmulator, account: &str) -> Value {
    let pm = bank_account(app, account).await;
    let customer = customer(app).await;
    let mut form = intent_form(
        "5000",
        &[
            ("customer", &customer),
            ("payment_method_types[]", "us_bank_account"),
            ("payment_method", pm["id"].as_str().unwrap()),
            ("confirm", "true"),
        ],
    );
    form.extend(ACCEPTED);
    app.stripe().create("v1/payment_intents", &form).await
}

/// The bank answers the intent's debit now (the emulator's test helper): the intent after.
pub async fn settle_now(app: &TestEmulator, intent_id: &str) -> Value {
    let path = format!("v1/test_helpers/payment_intents/{intent_id}/settle_bank_debit");
    app.stripe().create(&path, &[]).await
}

async fn refused(response: reqwest::Response) -> Value {
    let (status, error) = stripe_error(response).await;
    assert_eq!(status, 400, "{error}");
    error
}

async fn intent(app: &TestEmulator, id: &str) -> Value {
    get(app, &format!("v1/payment_intents/{id}")).await
}

#[tokio::test]
async fn a_debit_from_the_success_account_is_processing_until_the_bank_answers_then_succeeds() {
    let app = spawn_emulator().await;
    app.emulator()
        .set_bank_debit_delay(Duration::from_millis(300));
    let processing = debit(&app, "000123456789").await;
    assert_eq!(processing["status"], "processing");
    let id = processing["id"].as_str().unwrap();
    let charge_id = processing["latest_charge"].as_str().unwrap();
    let charge = get(&app, &format!("v1/charges/{charge_id}")).await;
    assert_eq!(charge["status"], "pending");
    assert_eq!(charge["paid"], false);
    let details = &charge["payment_method_details"]["us_bank_account"];
    assert_eq!(details["last4"], "6789");
    assert_eq!(details["bank_name"], "STRIPE TEST BANK");
    let mandate = get(
        &app,
        &format!("v1/mandates/{}", details["mandate"].as_str().unwrap()),
    )
    .await;
    assert_eq!(mandate["type"], "single_use");
    assert_eq!(
        mandate["customer_acceptance"]["online"]["ip_address"],
        "203.0.113.7"
    );

    let mut settled = intent(&app, id).await;
    for _ in 0..50 {
        if settled["status"] != "processing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        settled = intent(&app, id).await;
    }
    assert_eq!(settled["status"], "succeeded");
    assert_eq!(settled["amount_received"], 5000);
    let charge = get(&app, &format!("v1/charges/{charge_id}")).await;
    assert_eq!(
        (charge["status"].as_str(), charge["paid"].as_bool()),
        (Some("succeeded"), Some(true))
    );
    let events = get(&app, "v1/events?limit=100").await;
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["object"]["id"] == id || e["data"]["object"]["id"] == charge_id)
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for expected in [
        "payment_intent.processing",
        "charge.pending",
        "charge.succeeded",
        "payment_intent.succeeded",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
}

#[tokio::test]
async fn debits_from_stripes_failing_test_accounts_fail_with_the_banks_reason() {
    let app = spawn_emulator().await;
    for (account, code) in [
        ("000111111116", "no_account"),
        ("000111111113", "account_closed"),
        ("000222222227", "insufficient_funds"),
        ("000333333335", "debit_not_authorized"),
    ] {
        let processing = debit(&app, account).await;
        assert_eq!(processing["status"], "processing", "{account}");
        let id = processing["id"].as_str().unwrap();
        // The bank answers now rather than after the delay.
        let failed = settle_now(&app, id).await;
        assert_eq!(failed["status"], "requires_payment_method", "{account}");
        assert_eq!(failed["last_payment_error"]["code"], code);
        let charge = get(
            &app,
            &format!(
                "v1/charges/{}",
                processing["latest_charge"].as_str().unwrap()
            ),
        )
        .await;
        assert_eq!(
            (charge["status"].as_str(), charge["failure_code"].as_str()),
            (Some("failed"), Some(code))
        );
        // Answered once: a late timer finds nothing to do.
        let again = settle_now(&app, id).await;
        assert_eq!(again["status"], "requires_payment_method");
    }
}

#[tokio::test]
async fn a_debit_needs_the_mandate_a_valid_account_and_an_intent_that_accepts_bank_accounts() {
    let app = spawn_emulator().await;
    let pm = bank_account(&app, "000123456789").await;
    let pm_id = pm["id"].as_str().unwrap();
    let customer = customer(&app).await;
    let no_mandate = app
        .stripe()
        .post(
            "v1/payment_intents",
            &intent_form(
                "5000",
                &[
                    ("customer", &customer),
                    ("payment_method_types[]", "us_bank_account"),
                    ("payment_method", pm_id),
                    ("confirm", "true"),
                ],
            ),
        )
        .await;
    assert_eq!(refused(no_mandate).await["param"], "mandate_data");
    let card_only = app
        .stripe()
        .post(
            "v1/payment_intents",
            &intent_form("5000", &[("payment_method", pm_id), ("confirm", "true")]),
        )
        .await;
    assert_eq!(refused(card_only).await["param"], "payment_method");
    let euros = app
        .stripe()
        .post(
            "v1/payment_intents",
            &[
                ("amount", "5000"),
                ("currency", "eur"),
                ("payment_method_types[]", "us_bank_account"),
            ],
        )
        .await;
    assert_eq!(refused(euros).await["param"], "payment_method_types");

    let bad_routing = app
        .stripe()
        .post(
            "v1/payment_methods",
            &[
                ("type", "us_bank_account"),
                ("us_bank_account[routing_number]", "110000001"),
                ("us_bank_account[account_number]", "000123456789"),
                ("billing_details[name]", "X"),
            ],
        )
        .await;
    assert_eq!(
        refused(bad_routing).await["param"],
        "us_bank_account[routing_number]"
    );
    let nameless = app
        .stripe()
        .post(
            "v1/payment_methods",
            &[
                ("type", "us_bank_account"),
                ("us_bank_account[routing_number]", "110000000"),
                ("us_bank_account[account_number]", "000123456789"),
            ],
        )
        .await;
    assert_eq!(refused(nameless).await["param"], "billing_details[name]");
}

#[tokio::test]
async fn a_bank_account_saved_by_a_setup_intent_is_debited_later_under_its_standing_mandate() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let pm = bank_account(&app, "000123456789").await;
    let pm_id = pm["id"].as_str().unwrap();
    let mut form = vec![
        ("customer", customer.as_str()),
        ("payment_method_types[]", "us_bank_account"),
        ("payment_method", pm_id),
        ("confirm", "true"),
    ];
    form.extend(ACCEPTED);
    let setup = app.stripe().create("v1/setup_intents", &form).await;
    assert_eq!(setup["status"], "succeeded");
    let mandate_id = setup["mandate"].as_str().unwrap();
    let mandate = get(&app, &format!("v1/mandates/{mandate_id}")).await;
    assert_eq!(mandate["type"], "multi_use");
    let saved = get(
        &app,
        &format!("v1/customers/{customer}/payment_methods?type=us_bank_account"),
    )
    .await;
    assert_eq!(saved["data"][0]["id"], pm_id);

    // Later, off session: no new acceptance needed.
    let later = app
        .stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                "2500",
                &[
                    ("customer", &customer),
                    ("payment_method_types[]", "us_bank_account"),
                    ("payment_method", pm_id),
                    ("confirm", "true"),
                    ("off_session", "true"),
                ],
            ),
        )
        .await;
    assert_eq!(later["status"], "processing");
    let charge = get(
        &app,
        &format!("v1/charges/{}", later["latest_charge"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        charge["payment_method_details"]["us_bank_account"]["mandate"],
        mandate_id
    );
}

#[tokio::test]
async fn an_account_verified_by_microdeposits_is_debited_once_stripes_test_values_are_given() {
    let app = spawn_emulator().await;
    let pm = bank_account(&app, "000123456789").await;
    let customer = customer(&app).await;
    let mut form = intent_form(
        "5000",
        &[
            ("customer", &customer),
            ("payment_method_types[]", "us_bank_account"),
            ("payment_method", pm["id"].as_str().unwrap()),
            (
                "payment_method_options[us_bank_account][verification_method]",
                "microdeposits",
            ),
            ("confirm", "true"),
        ],
    );
    form.extend(ACCEPTED);
    let waiting = app.stripe().create("v1/payment_intents", &form).await;
    assert_eq!(waiting["status"], "requires_action");
    let action = &waiting["next_action"]["verify_with_microdeposits"];
    assert_eq!(action["microdeposit_type"], "descriptor_code");
    assert!(
        action["hosted_verification_url"]
            .as_str()
            .is_some_and(|url| url.contains("/microdeposits/")),
        "{waiting}"
    );
    let id = waiting["id"].as_str().unwrap();
    let path = format!("v1/payment_intents/{id}/verify_microdeposits");

    let wrong = app
        .stripe()
        .post(&path, &[("amounts[]", "32"), ("amounts[]", "46")])
        .await;
    let error = refused(wrong).await;
    assert_eq!(
        error["code"],
        "payment_method_microdeposit_verification_amounts_mismatch"
    );
    let wrong_code = app
        .stripe()
        .post(&path, &[("descriptor_code", "SM22BB")])
        .await;
    assert_eq!(
        refused(wrong_code).await["code"],
        "payment_method_microdeposit_verification_descriptor_code_mismatch"
    );
    assert_eq!(intent(&app, id).await["status"], "requires_action");

    let verified = app
        .stripe()
        .create(&path, &[("amounts[]", "32"), ("amounts[]", "45")])
        .await;
    assert_eq!(verified["status"], "processing");
    assert_eq!(settle_now(&app, id).await["status"], "succeeded");
}
