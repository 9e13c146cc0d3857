//! Resource behaviour beyond single calls: invoices from draft to paid or void with their hosted
//! pages, refunds, saved cards, lists and paging.

use crate::support::{TestEmulator, latest_charge, spawn_emulator};
use crate::support::{card, confirmed_intent, customer, get, intent_form, payment_intent};
use stripe_emulator::test_client::{stripe_error, stripe_ok};

async fn open_invoice(app: &TestEmulator, customer: &str, amount: &str) -> serde_json::Value {
    let draft = app
        .stripe()
        .create("v1/invoices", &[("customer", customer)])
        .await;
    let id = draft["id"].as_str().unwrap();
    app.stripe()
        .create(
            "v1/invoiceitems",
            &[
                ("customer", customer),
                ("amount", amount),
                ("invoice", id),
                ("description", "Interview sessions"),
            ],
        )
        .await;
    app.stripe()
        .create(&format!("v1/invoices/{id}/finalize"), &[])
        .await
}

#[tokio::test]
async fn invoice_is_finalized_with_hosted_page_and_pdf_then_paid_by_card() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let open = open_invoice(&app, &customer, "4000").await;
    assert_eq!(open["status"], "open");
    assert_eq!(open["amount_due"], 4000);
    assert!(open["number"].as_str().unwrap().ends_with("-0001"));

    let page = reqwest::get(open["hosted_invoice_url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("40.00 USD") && html.contains(open["number"].as_str().unwrap()),
        "{html}"
    );
    let pdf = reqwest::get(open["invoice_pdf"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));

    let pm = card(&app, "4242424242424242").await;
    app.stripe()
        .create(
            &format!("v1/payment_methods/{pm}/attach"),
            &[("customer", &customer)],
        )
        .await;
    app.stripe()
        .create(
            &format!("v1/customers/{customer}"),
            &[("invoice_settings[default_payment_method]", &pm)],
        )
        .await;
    let paid = app
        .stripe()
        .create(
            &format!("v1/invoices/{}/pay", open["id"].as_str().unwrap()),
            &[],
        )
        .await;
    assert_eq!(
        (
            paid["status"].as_str(),
            paid["amount_paid"].as_i64(),
            paid["amount_remaining"].as_i64()
        ),
        (Some("paid"), Some(4000), Some(0))
    );
}

#[tokio::test]
async fn invoice_paid_by_a_declining_card_stays_open_and_void_closes_it() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let open = open_invoice(&app, &customer, "2500").await;
    let id = open["id"].as_str().unwrap();
    let (status, error) = stripe_error(
        app.stripe()
            .post(
                &format!("v1/invoices/{id}/pay"),
                &[("payment_method", "pm_card_chargeDeclinedInsufficientFunds")],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, error["decline_code"].as_str()),
        (402, Some("insufficient_funds"))
    );
    let still_open = get(&app, &format!("v1/invoices/{id}")).await;
    assert_eq!(
        (
            still_open["status"].as_str(),
            still_open["attempt_count"].as_i64()
        ),
        (Some("open"), Some(1))
    );
    let void = app
        .stripe()
        .create(&format!("v1/invoices/{id}/void"), &[])
        .await;
    assert_eq!(void["status"], "void");
    let (status, _) = stripe_error(
        app.stripe()
            .post(
                &format!("v1/invoices/{id}/pay"),
                &[("paid_out_of_band", "true")],
            )
            .await,
    )
    .await;
    assert_eq!(status, 400, "a void invoice cannot be paid");
    let listed = get(&app, &format!("v1/invoices?customer={customer}")).await;
    assert_eq!(listed["data"][0]["id"], id);
    let others = get(&app, "v1/invoices?customer=cus_other").await;
    assert!(others["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn refunds_are_partial_then_full_and_never_more_than_paid() {
    let app = spawn_emulator().await;
    let paid = confirmed_intent(&app, "5000", "pm_card_visa").await;
    let pi = paid["id"].as_str().unwrap();
    app.stripe()
        .create("v1/refunds", &[("payment_intent", pi), ("amount", "2000")])
        .await;
    let (status, error) = stripe_error(
        app.stripe()
            .post("v1/refunds", &[("payment_intent", pi), ("amount", "3001")])
            .await,
    )
    .await;
    assert_eq!((status, error["param"].as_str()), (400, Some("amount")));
    let rest = app
        .stripe()
        .create("v1/refunds", &[("payment_intent", pi)])
        .await;
    assert_eq!(rest["amount"], 3000);
    let charge = latest_charge(&app, &paid).await;
    assert_eq!(refund_state(&charge), (5000, true));
    let refunds = get(&app, &format!("v1/refunds?payment_intent={pi}")).await;
    assert_eq!(refunds["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn setup_intent_saves_the_card_to_the_customer_and_lists_find_it() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let setup = app
        .stripe()
        .create(
            "v1/setup_intents",
            &[
                ("customer", &customer),
                ("payment_method", "pm_card_mastercard"),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(setup["status"], "succeeded");
    let saved = get(
        &app,
        &format!("v1/customers/{customer}/payment_methods?type=card"),
    )
    .await;
    let saved = saved["data"].as_array().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["card"]["brand"], "mastercard");
    let pm = saved[0]["id"].as_str().unwrap();
    let listed = get(
        &app,
        &format!("v1/payment_methods?customer={customer}&type=card"),
    )
    .await;
    assert_eq!(listed["data"][0]["id"], pm);
    app.stripe()
        .create(&format!("v1/payment_methods/{pm}/detach"), &[])
        .await;
    let after = get(&app, &format!("v1/customers/{customer}/payment_methods")).await;
    assert!(after["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn lists_page_newest_first_with_has_more_and_starting_after() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let mut ids = Vec::new();
    for amount in ["1000", "2000", "3000"] {
        let pi = app
            .stripe()
            .create(
                "v1/payment_intents",
                &intent_form(amount, &[("customer", &customer)]),
            )
            .await;
        ids.push(pi["id"].as_str().unwrap().to_owned());
    }
    payment_intent(&app, "999").await; // another customer's (none): filtered out
    let first = get(
        &app,
        &format!("v1/payment_intents?customer={customer}&limit=2"),
    )
    .await;
    assert_eq!(first["object"], "list");
    assert_eq!(first["has_more"], true);
    assert_eq!(first["data"][0]["id"], ids[2]);
    assert_eq!(first["data"][1]["id"], ids[1]);
    let rest = get(
        &app,
        &format!(
            "v1/payment_intents?customer={customer}&limit=2&starting_after={}",
            ids[1]
        ),
    )
    .await;
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert_eq!(rest["data"][0]["id"], ids[0]);
}

#[tokio::test]
async fn customer_update_merges_metadata_and_emits_customer_updated() {
    let app = spawn_emulator().await;
    let customer = app
        .stripe()
        .create(
            "v1/customers",
            &[("metadata[a]", "1"), ("metadata[b]", "2")],
        )
        .await;
    let id = customer["id"].as_str().unwrap();
    let updated = app
        .stripe()
        .create(
            &format!("v1/customers/{id}"),
            &[
                ("metadata[a]", ""),
                ("metadata[c]", "3"),
                ("email", "new@b.test"),
            ],
        )
        .await;
    assert_eq!(updated["metadata"], serde_json::json!({"b": "2", "c": "3"}));
    assert_eq!(updated["email"], "new@b.test");
    let events = get(&app, "v1/events?type=customer.updated").await;
    let event = &events["data"][0];
    assert_eq!(event["data"]["object"]["id"], id);
    assert_eq!(
        event["data"]["previous_attributes"]["email"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn publishable_key_may_confirm_only_with_the_client_secret() {
    let app = spawn_emulator().await;
    let intent = payment_intent(&app, "2000").await;
    let id = intent["id"].as_str().unwrap();
    let secret = intent["client_secret"].as_str().unwrap();
    let confirm = |form: Vec<(&'static str, String)>| {
        reqwest::Client::new()
            .post(format!(
                "{}v1/payment_intents/{id}/confirm",
                app.stripe().base()
            ))
            .bearer_auth(app.emulator().publishable_key())
            .form(&form)
            .send()
    };
    let (status, _) = stripe_error(
        confirm(vec![("payment_method", "pm_card_visa".into())])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "no client secret");
    let (status, _) = stripe_error(
        confirm(vec![
            ("payment_method", "pm_card_visa".into()),
            ("client_secret", format!("{id}_secret_wrong")),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "someone else's secret");
    let paid = stripe_ok(
        confirm(vec![
            ("payment_method", "pm_card_visa".into()),
            ("client_secret", secret.into()),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(paid["status"], "succeeded");
}

#[tokio::test]
async fn server_side_confirmation_with_return_url_redirects_through_the_challenge_page() {
    let app = spawn_emulator().await;
    let intent = app
        .stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                "2000",
                &[
                    ("payment_method", "pm_card_authenticationRequired"),
                    ("confirm", "true"),
                    ("return_url", "http://127.0.0.1:9/billing/return"),
                ],
            ),
        )
        .await;
    assert_eq!(intent["next_action"]["type"], "redirect_to_url");
    let challenge = intent["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    let page = reqwest::get(challenge).await.unwrap().text().await.unwrap();
    assert!(page.contains("Complete authentication") && page.contains("Fail authentication"));

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = no_redirects
        .post(challenge.split('?').next().unwrap())
        .form(&[
            ("answer", "complete"),
            ("return_url", "http://127.0.0.1:9/billing/return"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let location = answer.headers()["location"].to_str().unwrap();
    let id = intent["id"].as_str().unwrap();
    assert!(
        location.starts_with(&format!(
            "http://127.0.0.1:9/billing/return?payment_intent={id}&"
        )),
        "{location}"
    );
    assert!(
        location.ends_with("&redirect_status=succeeded"),
        "{location}"
    );
    assert_eq!(
        get(&app, &format!("v1/payment_intents/{id}")).await["status"],
        "succeeded"
    );
}

#[tokio::test]
async fn expand_replaces_ids_with_the_objects() {
    let app = spawn_emulator().await;
    let customer = customer(&app).await;
    let paid = app
        .stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                "2000",
                &[
                    ("customer", &customer),
                    ("payment_method", "pm_card_visa"),
                    ("confirm", "true"),
                ],
            ),
        )
        .await;
    let id = paid["id"].as_str().unwrap();
    let expanded = get(
        &app,
        &format!("v1/payment_intents/{id}?expand[]=latest_charge&expand[]=customer"),
    )
    .await;
    assert_eq!(expanded["latest_charge"]["object"], "charge");
    assert_eq!(expanded["customer"]["id"], customer.as_str());
    let list = get(
        &app,
        &format!("v1/payment_intents?customer={customer}&expand[]=data.payment_method"),
    )
    .await;
    assert_eq!(
        list["data"][0]["payment_method"]["object"],
        "payment_method"
    );
}

#[tokio::test]
async fn events_list_filters_by_types_and_created_range() {
    let app = spawn_emulator().await;
    customer(&app).await;
    payment_intent(&app, "2000").await;
    let all = get(&app, "v1/events").await;
    let created = |i: usize| all["data"][i]["created"].as_i64().unwrap();
    // Newest first; the two may fall in different seconds.
    let (newest, oldest) = (created(0), created(1));
    let types_of = |list: &serde_json::Value| -> Vec<String> {
        let mut types: Vec<String> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        types.sort();
        types
    };
    // async-stripe sends lists indexed (`types[0]=`), Stripe's docs show `types[]=`.
    for query in [
        "types[0]=customer.created&types[1]=payment_intent.created",
        "types[]=customer.created&types[]=payment_intent.created",
    ] {
        let range = format!("created[gte]={oldest}&created[lte]={newest}");
        let both = get(&app, &format!("v1/events?{query}&{range}")).await;
        assert_eq!(
            types_of(&both),
            ["customer.created", "payment_intent.created"],
            "{query}"
        );
    }
    let one = get(&app, "v1/events?types[0]=customer.created").await;
    assert_eq!(types_of(&one), ["customer.created"]);
    for range in [
        format!("created[gt]={newest}"),
        format!("created[lt]={oldest}"),
    ] {
        let none = get(&app, &format!("v1/events?{range}")).await;
        assert_eq!(none["data"], serde_json::json!([]), "{range}");
    }
    let exact = get(&app, &format!("v1/events?created={newest}")).await;
    assert!(types_of(&exact).contains(&"payment_intent.created".to_owned()));
}

/// A charge's `amount_refunded` and `refunded`.
fn refund_state(charge: &serde_json::Value) -> (i64, bool) {
    (
        charge["amount_refunded"].as_i64().unwrap(),
        charge["refunded"].as_bool().unwrap(),
    )
}

/// The newest event of `event_type`.
async fn latest_event(app: &TestEmulator, event_type: &str) -> serde_json::Value {
    let events = get(app, &format!("v1/events?type={event_type}")).await;
    events["data"][0].clone()
}

#[tokio::test]
async fn card_0259_is_disputed_after_it_succeeds_and_evidence_decides_the_dispute() {
    let app = spawn_emulator().await;
    for (evidence, outcome) in [("winning_evidence", "won"), ("losing_evidence", "lost")] {
        let paid = confirmed_intent(&app, "3000", "pm_card_createDispute").await;
        assert_eq!(paid["status"], "succeeded");
        let created = latest_event(&app, "charge.dispute.created").await;
        let dispute = &created["data"]["object"];
        assert_eq!(dispute["payment_intent"], paid["id"]);
        assert_eq!(
            (dispute["status"].as_str(), dispute["amount"].as_i64()),
            (Some("needs_response"), Some(3000))
        );
        let charge = get(
            &app,
            &format!("v1/charges/{}", dispute["charge"].as_str().unwrap()),
        )
        .await;
        assert_eq!(charge["disputed"], true);

        let path = format!("v1/disputes/{}", dispute["id"].as_str().unwrap());
        let closed = app
            .stripe()
            .create(&path, &[("evidence[uncategorized_text]", evidence)])
            .await;
        assert_eq!(closed["status"], outcome);
        assert_eq!(closed["evidence"]["uncategorized_text"], evidence);
        let event = latest_event(&app, "charge.dispute.closed").await;
        assert_eq!(event["data"]["object"]["status"], outcome);
        let (status, error) = stripe_error(
            app.stripe()
                .post(&path, &[("evidence[uncategorized_text]", "more")])
                .await,
        )
        .await;
        assert_eq!(status, 400, "{error}");
    }
}

#[tokio::test]
async fn refunds_of_card_5126_fail_after_they_were_made() {
    let app = spawn_emulator().await;
    let paid = confirmed_intent(&app, "4000", "pm_card_refundFail").await;
    let refund = app
        .stripe()
        .create(
            "v1/refunds",
            &[("payment_intent", paid["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(refund["status"], "failed");
    let charge = latest_charge(&app, &paid).await;
    assert_eq!(
        refund_state(&charge),
        (0, false),
        "the money is back on the charge"
    );
    let refunded = latest_event(&app, "charge.refunded").await;
    assert_eq!(
        refunded["data"]["object"]["amount_refunded"], 4000,
        "made first"
    );
    for event_type in ["refund.failed", "charge.refund.updated"] {
        let event = latest_event(&app, event_type).await;
        assert_eq!(event["data"]["object"]["id"], refund["id"], "{event_type}");
        assert_eq!(event["data"]["object"]["status"], "failed", "{event_type}");
    }
}

/// A card that needs 3-D Secure confirmed by Stripe.js (`use_stripe_sdk`) with a return URL.
async fn confirmed_by_stripe_js(app: &TestEmulator, payment_method: &str) -> serde_json::Value {
    app.stripe()
        .create(
            "v1/payment_intents",
            &intent_form(
                "2000",
                &[
                    ("payment_method", payment_method),
                    ("confirm", "true"),
                    ("use_stripe_sdk", "true"),
                    ("return_url", "http://127.0.0.1:9/billing/return"),
                ],
            ),
        )
        .await
}

#[tokio::test]
async fn stripe_js_shows_the_challenge_in_the_page_even_with_a_return_url() {
    let app = spawn_emulator().await;
    let intent = confirmed_by_stripe_js(&app, "pm_card_authenticationRequired").await;
    assert_eq!(intent["status"], "requires_action");
    assert_eq!(intent["next_action"]["type"], "use_stripe_sdk", "{intent}");
}

#[tokio::test]
async fn card_3063_authenticates_on_the_banks_page_even_for_stripe_js() {
    let app = spawn_emulator().await;
    let card = app
        .stripe()
        .create(
            "v1/payment_methods",
            &[
                ("type", "card"),
                ("card[number]", "4000000000003063"),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2034"),
                ("card[cvc]", "123"),
            ],
        )
        .await;
    let intent = confirmed_by_stripe_js(&app, card["id"].as_str().unwrap()).await;
    assert_eq!(intent["next_action"]["type"], "redirect_to_url", "{intent}");
    let url = intent["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    assert!(
        url.contains("/_3ds/") && url.contains("return_url="),
        "{url}"
    );
}
