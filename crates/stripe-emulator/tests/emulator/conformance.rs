//! Objects the emulator returns are shaped like Stripe's: every top-level field of Stripe's own
//! example object (tests/fixtures/stripe) is present with the same JSON type, and the object
//! deserializes into async-stripe's typed struct the way the app's client parses it (miniserde).
//!
//! A null stands in for any type where Stripe's field is nullable (fixtures show one example
//! value; a fresh intent has no `canceled_at`): nullability itself is checked by the typed
//! deserialization, which refuses null in a non-optional field. Each resource is checked in the
//! states that fill its nullable fields (failed, canceled, paid...).

use serde_json::Value;

use crate::support::payment_intent;
use crate::support::{
    card, confirmed_intent, customer, draft_invoice, get, intent_form, latest_charge, pay_now,
};
use crate::support::{spawn_emulator, stripe_fixture as fixture};
use stripe_emulator::test_client::stripe_error;

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every fixture field present, with the fixture's JSON type (or null on either side).
fn assert_fields_match_fixture(resource: &str, object: &Value) {
    let fixture = fixture(resource);
    let mut problems = Vec::new();
    for (key, expected) in fixture.as_object().expect("fixture is an object") {
        match object.get(key) {
            None => problems.push(format!("{key}: missing")),
            Some(actual) if actual.is_null() || expected.is_null() => {}
            Some(actual) if json_type(actual) != json_type(expected) => problems.push(format!(
                "{key}: {} where Stripe has {}",
                json_type(actual),
                json_type(expected)
            )),
            Some(_) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{resource} {} differs from Stripe's: {problems:#?}",
        object["id"]
    );
    assert_eq!(object["object"], fixture["object"], "object type");
}

/// Parses as async-stripe's client does; panics naming the object on failure.
fn typed<T: miniserde::Deserialize>(object: &Value) -> T {
    miniserde::json::from_str(&object.to_string()).unwrap_or_else(|_| {
        panic!(
            "async-stripe cannot parse {} {}:\n{object:#}",
            object["object"], object["id"]
        )
    })
}

fn conforms<T: miniserde::Deserialize>(resource: &str, object: &Value) -> T {
    assert_fields_match_fixture(resource, object);
    typed(object)
}

#[tokio::test]
async fn customer_matches_stripe() {
    let app = spawn_emulator().await;
    let created = app
        .stripe()
        .create(
            "v1/customers",
            &[
                ("email", "a@b.test"),
                ("name", "Ada"),
                ("metadata[institution_id]", "7"),
            ],
        )
        .await;
    let parsed: stripe_core::Customer = conforms("customer", &created);
    assert_eq!(parsed.email.as_deref(), Some("a@b.test"));
    assert_eq!(parsed.metadata.unwrap()["institution_id"], "7");
}

#[tokio::test]
async fn payment_method_matches_stripe() {
    let app = spawn_emulator().await;
    let id = card(&app, "4242424242424242").await;
    let pm: stripe_payment::PaymentMethod = conforms(
        "payment_method",
        &get(&app, &format!("v1/payment_methods/{id}")).await,
    );
    let card = pm.card.expect("card details");
    assert_eq!(
        (card.last4.as_str(), card.exp_month, card.exp_year),
        ("4242", 12, 2034)
    );
}

#[tokio::test]
async fn payment_intent_matches_stripe_in_every_state() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let fresh = app
        .stripe()
        .create(
            "v1/payment_intents",
            &intent_form("2000", &[("customer", &customer)]),
        )
        .await;
    let parsed: stripe_core::PaymentIntent = conforms("payment_intent", &fresh);
    assert_eq!(parsed.amount, 2000);

    let succeeded = confirmed_intent(&app, "2000", "pm_card_visa").await;
    assert_eq!(succeeded["status"], "succeeded");
    conforms::<stripe_core::PaymentIntent>("payment_intent", &succeeded);

    let declined = payment_intent(&app, "2000").await;
    let path = format!(
        "v1/payment_intents/{}/confirm",
        declined["id"].as_str().unwrap()
    );
    let (status, error) = stripe_error(
        app.stripe()
            .post(&path, &[("payment_method", "pm_card_chargeDeclined")])
            .await,
    )
    .await;
    assert_eq!(status, 402);
    let failed: stripe_core::PaymentIntent = conforms("payment_intent", &error["payment_intent"]);
    assert!(failed.last_payment_error.is_some());

    let challenged = confirmed_intent(&app, "2000", "pm_card_authenticationRequired").await;
    assert_eq!(challenged["status"], "requires_action");
    let parsed: stripe_core::PaymentIntent = conforms("payment_intent", &challenged);
    assert!(parsed.next_action.is_some());

    let canceled = payment_intent(&app, "2000").await;
    let canceled = app
        .stripe()
        .create(
            &format!(
                "v1/payment_intents/{}/cancel",
                canceled["id"].as_str().unwrap()
            ),
            &[("cancellation_reason", "abandoned")],
        )
        .await;
    let parsed: stripe_core::PaymentIntent = conforms("payment_intent", &canceled);
    assert!(parsed.canceled_at.is_some());
}

#[tokio::test]
async fn setup_intent_matches_stripe() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let fresh = app
        .stripe()
        .create("v1/setup_intents", &[("customer", &customer)])
        .await;
    conforms::<stripe_core::SetupIntent>("setup_intent", &fresh);
    let path = format!("v1/setup_intents/{}/confirm", fresh["id"].as_str().unwrap());
    let succeeded = app
        .stripe()
        .create(&path, &[("payment_method", "pm_card_visa")])
        .await;
    assert_eq!(succeeded["status"], "succeeded");
    conforms::<stripe_core::SetupIntent>("setup_intent", &succeeded);
    let challenged = app
        .stripe()
        .create(
            "v1/setup_intents",
            &[
                ("payment_method", "pm_card_authenticationRequired"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(challenged["status"], "requires_action");
    conforms::<stripe_core::SetupIntent>("setup_intent", &challenged);
}

#[tokio::test]
async fn invoice_and_invoice_item_match_stripe() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let item = app
        .stripe()
        .create(
            "v1/invoiceitems",
            &[
                ("customer", &customer),
                ("amount", "4000"),
                ("description", "20 sessions"),
            ],
        )
        .await;
    conforms::<stripe_billing::InvoiceItem>("invoiceitem", &item);
    let draft = draft_invoice(&app, &customer).await;
    let parsed: stripe_billing::Invoice = conforms("invoice", &draft);
    assert_eq!(parsed.amount_due, 4000);
    let id = draft["id"].as_str().unwrap();
    let open = app
        .stripe()
        .create(&format!("v1/invoices/{id}/finalize"), &[])
        .await;
    conforms::<stripe_billing::Invoice>("invoice", &open);
    let paid = app
        .stripe()
        .create(
            &format!("v1/invoices/{id}/pay"),
            &[("paid_out_of_band", "true")],
        )
        .await;
    assert_eq!(paid["status"], "paid");
    conforms::<stripe_billing::Invoice>("invoice", &paid);
    let item = get(
        &app,
        &format!("v1/invoiceitems/{}", item["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(item["invoice"], id);
    conforms::<stripe_billing::InvoiceItem>("invoiceitem", &item);
}

#[tokio::test]
async fn dispute_matches_stripe_in_every_state() {
    let app = spawn_emulator().await;
    confirmed_intent(&app, "3000", "pm_card_createDispute").await;
    let events = get(&app, "v1/events?type=charge.dispute.created").await;
    let opened = &events["data"][0]["data"]["object"];
    conforms::<stripe_core::Dispute>("dispute", opened);
    let id = opened["id"].as_str().unwrap();
    let closed = app
        .stripe()
        .create(
            &format!("v1/disputes/{id}"),
            &[("evidence[uncategorized_text]", "winning_evidence")],
        )
        .await;
    conforms::<stripe_core::Dispute>("dispute", &closed);
    conforms::<stripe_core::Dispute>("dispute", &get(&app, &format!("v1/disputes/{id}")).await);
}

#[tokio::test]
async fn refund_and_charge_match_stripe() {
    let app = spawn_emulator().await;
    let paid = confirmed_intent(&app, "5000", "pm_card_visa").await;
    let refund = app
        .stripe()
        .create(
            "v1/refunds",
            &[
                ("payment_intent", paid["id"].as_str().unwrap()),
                ("amount", "1500"),
            ],
        )
        .await;
    let parsed: stripe_core::Refund = conforms("refund", &refund);
    assert_eq!(parsed.amount, 1500);
    let charge = latest_charge(&app, &paid).await;
    let parsed: stripe_core::Charge = conforms("charge", &charge);
    assert_eq!(parsed.amount_refunded, 1500);
}

#[tokio::test]
async fn credit_note_and_tax_id_match_stripe() {
    let app = spawn_emulator().await;
    let (invoice, intent) = crate::documents::paid_invoice(&app, "4000").await;
    let refund = crate::documents::refund(&app, &intent, "1000").await;
    let note = app
        .stripe()
        .create(
            "v1/credit_notes",
            &[
                ("invoice", invoice["id"].as_str().unwrap()),
                ("amount", "1000"),
                ("refunds[0][refund]", refund["id"].as_str().unwrap()),
                ("reason", "order_change"),
            ],
        )
        .await;
    let parsed: stripe_billing::CreditNote = conforms("credit_note", &note);
    assert_eq!(parsed.amount, 1000);
    let customer = invoice["customer"].as_str().unwrap();
    let tax_id = app
        .stripe()
        .create(
            &format!("v1/customers/{customer}/tax_ids"),
            &[("type", "eu_vat"), ("value", "FR12345678901")],
        )
        .await;
    let parsed: stripe_billing::TaxId = conforms("tax_id", &tax_id);
    assert_eq!(parsed.value, "FR12345678901");
    let invoice = get(
        &app,
        &format!("v1/invoices/{}", invoice["id"].as_str().unwrap()),
    )
    .await;
    conforms::<stripe_billing::Invoice>("invoice", &invoice);
}

#[tokio::test]
async fn bank_account_payment_method_mandate_and_debit_match_stripe() {
    let app = spawn_emulator().await;
    let pm = crate::bank_debits::bank_account(&app, "000123456789").await;
    conforms::<stripe_payment::PaymentMethod>("payment_method", &pm);
    let processing = crate::bank_debits::debit(&app, "000123456789").await;
    conforms::<stripe_core::PaymentIntent>("payment_intent", &processing);
    let charge = latest_charge(&app, &processing).await;
    conforms::<stripe_core::Charge>("charge", &charge);
    let mandate_id = charge["payment_method_details"]["us_bank_account"]["mandate"]
        .as_str()
        .unwrap();
    let mandate = get(&app, &format!("v1/mandates/{mandate_id}")).await;
    conforms::<stripe_core::Mandate>("mandate", &mandate);
    let id = processing["id"].as_str().unwrap();
    let settled = crate::bank_debits::settle_now(&app, id).await;
    conforms::<stripe_core::PaymentIntent>("payment_intent", &settled);
    conforms::<stripe_core::Charge>("charge", &latest_charge(&app, &settled).await);
}

#[tokio::test]
async fn bank_transfer_intent_and_cash_balance_match_stripe() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let waiting = crate::bank_transfers::transfer_intent(&app, &customer).await;
    conforms::<stripe_core::PaymentIntent>("payment_intent", &waiting);
    let funded = crate::bank_transfers::fund(&app, &customer, "6000", None).await;
    conforms::<stripe_core::CustomerCashBalanceTransaction>(
        "customer_cash_balance_transaction",
        &funded,
    );
    let balance = get(&app, &format!("v1/customers/{customer}/cash_balance")).await;
    conforms::<stripe_core::CashBalance>("cash_balance", &balance);
    let paid = get(
        &app,
        &format!("v1/payment_intents/{}", waiting["id"].as_str().unwrap()),
    )
    .await;
    conforms::<stripe_core::PaymentIntent>("payment_intent", &paid);
    conforms::<stripe_core::Charge>("charge", &latest_charge(&app, &paid).await);
}

/// Every event the emulator made above parses with async-stripe's webhook parser, which reads
/// `data.object` into the typed struct of the event's type.
#[tokio::test]
async fn events_match_stripe_and_parse_as_typed_webhook_events() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    app.stripe()
        .post(&format!("v1/customers/{customer}"), &[("name", "Renamed")])
        .await;
    let pm = card(&app, "4242424242424242").await;
    app.stripe()
        .post(
            &format!("v1/payment_methods/{pm}/attach"),
            &[("customer", &customer)],
        )
        .await;
    app.stripe()
        .post(&format!("v1/payment_methods/{pm}/detach"), &[])
        .await;
    for card in [
        "pm_card_visa",
        "pm_card_chargeDeclined",
        "pm_card_authenticationRequired",
    ] {
        pay_now(&app, "2000", card).await;
    }
    let to_cancel = payment_intent(&app, "900").await;
    app.stripe()
        .post(
            &format!(
                "v1/payment_intents/{}/cancel",
                to_cancel["id"].as_str().unwrap()
            ),
            &[],
        )
        .await;
    app.stripe()
        .post(
            "v1/setup_intents",
            &[("payment_method", "pm_card_visa"), ("confirm", "true")],
        )
        .await;
    app.stripe()
        .post(
            "v1/invoiceitems",
            &[("customer", &customer), ("amount", "700")],
        )
        .await;
    let invoice = draft_invoice(&app, &customer).await;
    app.stripe()
        .post(
            &format!("v1/invoices/{}/pay", invoice["id"].as_str().unwrap()),
            &[("paid_out_of_band", "true")],
        )
        .await;
    let paid = confirmed_intent(&app, "3000", "pm_card_visa").await;
    app.stripe()
        .post(
            "v1/refunds",
            &[("payment_intent", paid["id"].as_str().unwrap())],
        )
        .await;

    let events = get(&app, "v1/events?limit=100").await;
    let events = events["data"].as_array().unwrap();
    let mut types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    types.sort_unstable();
    types.dedup();
    for expected in [
        "customer.created",
        "customer.updated",
        "payment_method.attached",
        "payment_method.detached",
        "payment_intent.created",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.succeeded",
        "charge.failed",
        "charge.refunded",
        "setup_intent.succeeded",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
    ] {
        assert!(
            types.contains(&expected),
            "no {expected} event among {types:?}"
        );
    }
    for event in events {
        assert_fields_match_fixture("event", event);
        let body = event.to_string();
        let header = stripe_webhook::Webhook::generate_test_header(&body, "whsec_test", None);
        let parsed = stripe_webhook::Webhook::construct_event(&body, &header, "whsec_test")
            .unwrap_or_else(|e| {
                panic!(
                    "async-stripe cannot parse event {}: {e}\n{event:#}",
                    event["type"]
                )
            });
        assert_eq!(parsed.id.as_str(), event["id"].as_str().unwrap());
        assert!(
            !matches!(parsed.data.object, stripe_webhook::EventObject::Unknown(_)),
            "{} parsed as an unknown object",
            event["type"]
        );
    }
}
