//! The app's own Stripe client (async-stripe) talks to the emulator over HTTP exactly as to
//! api.stripe.com: only the base URL differs.

use stripe_core::PaymentIntentStatus;
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    ConfirmPaymentIntent, CreatePaymentIntent, RetrievePaymentIntent,
};

use crate::support::spawn_emulator;

#[tokio::test]
async fn async_stripe_client_creates_a_customer_and_pays_an_intent() {
    let app = spawn_emulator().await;
    let client = stripe::ClientBuilder::new(app.stripe().key())
        .url(app.stripe().base())
        .build()
        .expect("client");

    let customer = CreateCustomer::new()
        .email("bursar@state.test")
        .send(&client)
        .await
        .expect("customer created");
    assert_eq!(customer.email.as_deref(), Some("bursar@state.test"));

    let intent = CreatePaymentIntent::new(2000, stripe_types::Currency::USD)
        .customer(customer.id.as_str())
        .send(&client)
        .await
        .expect("payment intent created");
    assert_eq!(intent.amount, 2000);
    assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(
        intent.customer.as_ref().map(|c| c.id().as_str().to_owned()),
        Some(customer.id.as_str().to_owned())
    );

    let confirmed = ConfirmPaymentIntent::new(intent.id.clone())
        .payment_method("pm_card_visa")
        .send(&client)
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, PaymentIntentStatus::Succeeded);

    let missing = RetrievePaymentIntent::new("pi_missing")
        .send(&client)
        .await
        .unwrap_err();
    match missing {
        stripe::StripeError::Stripe(error, status) => {
            assert_eq!(status, 404);
            assert_eq!(
                error.message.as_deref(),
                Some("No such payment_intent: 'pi_missing'")
            );
        }
        other => panic!("expected Stripe's 404, got {other:?}"),
    }
}
