//! The app's one way to talk to Stripe (or the embedded emulator, which speaks the same API):
//! customers, PaymentIntents, and turning Stripe's failures into messages an admin can act on.

mod credit_notes;
mod customers;
mod errors;
mod events;
mod invoices;
pub mod list_cache;
mod payment_methods;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::customer::CreateCustomer;
/// Why an intent is canceled (`abandoned`, `duplicate`, `requested_by_customer`...), as Stripe
/// records it.
pub use stripe_core::payment_intent::CancelPaymentIntentCancellationReason as CancellationReason;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CreatePaymentIntent, CreatePaymentIntentPaymentMethodOptions,
    CreatePaymentIntentPaymentMethodOptionsCustomerBalance as BalanceOptions,
    CreatePaymentIntentPaymentMethodOptionsCustomerBalanceBankTransfer as BankTransferOptions,
    CreatePaymentIntentPaymentMethodOptionsCustomerBalanceBankTransferType as BankTransferType,
    CreatePaymentIntentPaymentMethodOptionsCustomerBalanceFundingType as FundingType,
    RetrievePaymentIntent,
};
use stripe_core::{PaymentIntent, PaymentIntentSetupFutureUsage};

pub use credit_notes::CreditNotesOf;
pub use invoices::PurchaseInvoice;

use super::config::Config;
use super::metrics;
use super::storage::{Db, institutions};
use crate::domain::payment_method_types::PaymentMethodType;
use crate::error::AppError;

#[derive(Clone)]
pub struct StripeGateway {
    client: stripe::Client,
    /// Which Stripe this is ([`Config::stripe_origin`]), stored with every customer it makes.
    origin: &'static str,
    /// What institutions may pay with (`PAYMENT_METHODS`): every intent's
    /// `payment_method_types[]`.
    payment_methods: Vec<PaymentMethodType>,
}

impl std::fmt::Debug for StripeGateway {
    // The client holds the secret key: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeGateway")
    }
}

/// A PaymentIntent to create for a purchase.
pub struct NewIntent<'a> {
    pub purchase_id: &'a str,
    pub institution_id: &'a str,
    pub customer_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub description: String,
    /// A saved card of the customer's to confirm with.
    pub payment_method: Option<&'a str>,
    /// Keep the card on the customer for later purchases (`setup_future_usage=off_session`).
    pub save_card: bool,
}

impl StripeGateway {
    pub fn from_config(config: &Config) -> Result<Self, stripe::StripeError> {
        let key = config.stripe.keys().secret_key.expose_secret();
        let client = stripe::ClientBuilder::new(key)
            .url(config.stripe_api_base.clone())
            .timeout(config.stripe_timeout)
            .build()?;
        Ok(StripeGateway {
            client,
            origin: config.stripe_origin(),
            payment_methods: config.payment_methods.clone(),
        })
    }

    /// The institution's Stripe customer id, creating the customer on first use. Two first
    /// purchases racing send the same idempotency key, so Stripe makes one customer; the
    /// conditional update keeps whichever id was stored first.
    pub async fn ensure_customer(
        &self,
        db: &Db,
        institution_id: &str,
        email: &str,
    ) -> Result<String, AppError> {
        let institution = institutions::find(db.pool(), institution_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(id) = institution.stripe_customer_id {
            return Ok(id);
        }
        let request = CreateCustomer::new()
            .name(institution.name.as_str())
            .email(email)
            .metadata(HashMap::from([(
                "institution_id".to_owned(),
                institution.id.clone(),
            )]));
        let key = format!("customer-{}", institution.id);
        let customer = self
            .send_idempotent(&key, "create customer", |strategy| {
                request
                    .customize()
                    .request_strategy(strategy)
                    .send(&self.client)
            })
            .await?;
        institutions::set_stripe_customer_id_if_unset(
            db.pool(),
            &institution.id,
            customer.id.as_str(),
            self.origin,
        )
        .await?;
        let stored = institutions::find(db.pool(), &institution.id)
            .await?
            .and_then(|i| i.stripe_customer_id)
            .ok_or(AppError::Internal)?;
        tracing::info!(
            institution_id = %institution.id,
            customer_id = %stored,
            "Stripe customer ready"
        );
        Ok(stored)
    }

    /// Creates the purchase's PaymentIntent. The idempotency key is the purchase id, so a
    /// retried call returns the same intent instead of a second one.
    pub async fn create_payment_intent(
        &self,
        intent: &NewIntent<'_>,
    ) -> Result<PaymentIntent, AppError> {
        // A payment method to be saved cannot be a transfer (there is nothing to keep).
        let offered = |kind: PaymentMethodType| !intent.save_card || kind.can_be_saved();
        let mut request =
            CreatePaymentIntent::new(intent.amount, invoices::currency(intent.currency))
                .customer(intent.customer_id)
                .allowed_payment_method_types(self.allowed_types(offered))
                .description(intent.description.as_str())
                .metadata(HashMap::from([
                    ("purchase_id".to_owned(), intent.purchase_id.to_owned()),
                    (
                        "institution_id".to_owned(),
                        intent.institution_id.to_owned(),
                    ),
                ]));
        let balance = PaymentMethodType::CustomerBalance;
        if self.payment_methods.contains(&balance) && offered(balance) {
            // A balance is paid into by bank transfer; Stripe refuses to confirm without
            // saying which (the US one: this product takes transfers in usd only).
            let mut options = CreatePaymentIntentPaymentMethodOptions::new();
            options.customer_balance = Some(BalanceOptions {
                funding_type: Some(FundingType::BankTransfer),
                bank_transfer: Some(BankTransferOptions::new(BankTransferType::UsBankTransfer)),
                ..BalanceOptions::new()
            });
            request = request.payment_method_options(options);
        }
        if let Some(payment_method) = intent.payment_method {
            request = request.payment_method(payment_method);
        }
        if intent.save_card {
            request = request.setup_future_usage(PaymentIntentSetupFutureUsage::OffSession);
        }
        let key = format!("purchase-{}", intent.purchase_id);
        self.send_idempotent(&key, "create payment intent", |strategy| {
            request
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
    }

    /// The intent with its payment method expanded (what the purchase shows it is paid with).
    pub async fn retrieve_payment_intent(&self, id: &str) -> Result<PaymentIntent, AppError> {
        let action = "retrieve payment intent";
        let request = RetrievePaymentIntent::new(id).expand(vec!["payment_method".to_owned()]);
        self.call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))
    }

    /// Cancels an intent so it can never be paid. Canceling it again is Stripe's 400 (not
    /// cancelable in status canceled), which callers see as a refusal.
    pub async fn cancel_payment_intent(
        &self,
        id: &str,
        reason: CancellationReason,
    ) -> Result<PaymentIntent, AppError> {
        let action = "cancel payment intent";
        let request = CancelPaymentIntent::new(id).cancellation_reason(reason);
        self.call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))
    }

    /// The offered payment methods that `keep` keeps, as an intent's
    /// `allowed_payment_method_types[]` (so API versions since 2026 name what was
    /// `payment_method_types[]`).
    fn allowed_types<T>(&self, keep: impl Fn(PaymentMethodType) -> bool) -> Vec<T>
    where
        T: std::str::FromStr<Err = std::convert::Infallible>,
    {
        self.payment_methods
            .iter()
            .filter(|m| keep(**m))
            .map(|m| m.as_str().parse().unwrap_or_else(|never| match never {}))
            .collect()
    }

    /// Every request to Stripe goes through here: in a span naming the operation, timed, and
    /// counted by operation and outcome.
    #[tracing::instrument(name = "stripe", skip(self, request))]
    async fn call<T>(
        &self,
        operation: &'static str,
        request: impl Future<Output = Result<T, StripeError>>,
    ) -> Result<T, StripeError> {
        let started = Instant::now();
        let result = request.await;
        metrics::stripe_call(operation, errors::outcome(&result), started.elapsed());
        result
    }

    /// Sends a request under an idempotency key, so repeating it cannot create twice.
    async fn send_idempotent<T, F, Fut>(
        &self,
        key: &str,
        action: &'static str,
        send: F,
    ) -> Result<T, AppError>
    where
        F: Fn(RequestStrategy) -> Fut,
        Fut: Future<Output = Result<T, StripeError>>,
    {
        let key = IdempotencyKey::new(key).map_err(|e| {
            tracing::error!(error = %e, action, "invalid idempotency key");
            AppError::Internal
        })?;
        // Stripe answers 409 while another request with the same key is still running (two
        // first purchases racing for the customer): wait for it, then get its answer.
        let mut attempt = 0;
        loop {
            match self
                .call(action, send(RequestStrategy::Idempotent(key.clone())))
                .await
            {
                Err(e) if errors::is_idempotency_conflict(&e) && attempt < 10 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
                other => return other.map_err(|e| errors::to_app_error(e, action)),
            }
        }
    }
}
