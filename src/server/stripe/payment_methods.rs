//! Saved cards and bank accounts: SetupIntents to save one, and the customer's payment methods
//! in Stripe, which stays the only record of them (the app stores no card or account data).

use std::collections::HashMap;

use stripe_core::SetupIntentStatus;
use stripe_core::customer::{
    ListPaymentMethodsCustomer, RetrieveCustomer, RetrieveCustomerReturned, UpdateCustomer,
    UpdateCustomerInvoiceSettings,
};
use stripe_core::setup_intent::{CreateSetupIntent, CreateSetupIntentUsage, RetrieveSetupIntent};
use stripe_payment::PaymentMethod;
use stripe_payment::payment_method::{DetachPaymentMethod, RetrievePaymentMethod};

use super::{StripeGateway, errors};
use crate::domain::payment_method_types::PaymentMethodType;
use crate::error::AppError;

/// What became of a SetupIntent the browser confirmed.
#[derive(Debug)]
pub struct SetupOutcome {
    pub customer_id: Option<String>,
    pub payment_method_id: Option<String>,
    pub status: SetupIntentStatus,
    /// Stripe's sentence for the admin when the attempt failed ("Your card was declined.").
    pub failure: Option<String>,
}

/// Stripe allows up to 100 per page; an institution has a handful saved at most.
const MAX_SAVED: i64 = 100;

impl StripeGateway {
    /// A SetupIntent for saving a card to the customer for later, off-session use; the
    /// browser confirms it with `confirmCardSetup`. Returns its client secret.
    pub async fn create_setup_intent(
        &self,
        customer_id: &str,
        institution_id: &str,
    ) -> Result<String, AppError> {
        let intent = CreateSetupIntent::new()
            .customer(customer_id)
            .usage(CreateSetupIntentUsage::OffSession)
            // A transfer is a payment made each time: nothing to save.
            .allowed_payment_method_types(self.allowed_types(PaymentMethodType::can_be_saved))
            .metadata(HashMap::from([(
                "institution_id".to_owned(),
                institution_id.to_owned(),
            )]));
        let action = "create setup intent";
        let intent = self
            .call(action, intent.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        intent.client_secret.ok_or_else(|| {
            tracing::error!(setup_intent_id = %intent.id.as_str(), "setup intent without a client secret");
            AppError::Internal
        })
    }

    /// The SetupIntent, or `None` when Stripe has none with this id.
    pub async fn find_setup_intent(&self, id: &str) -> Result<Option<SetupOutcome>, AppError> {
        let action = "retrieve setup intent";
        let request = RetrieveSetupIntent::new(id);
        match self.call(action, request.send(&self.client)).await {
            Ok(intent) => Ok(Some(SetupOutcome {
                customer_id: intent.customer.map(|c| c.id().as_str().to_owned()),
                payment_method_id: intent.payment_method.map(|pm| pm.id().as_str().to_owned()),
                status: intent.status,
                failure: intent.last_setup_error.and_then(|e| e.message),
            })),
            Err(e) if errors::is_not_found(&e) => Ok(None),
            Err(e) => Err(errors::to_app_error(e, action)),
        }
    }

    /// The customer's saved cards and bank accounts, newest first.
    pub async fn list_saved(&self, customer_id: &str) -> Result<Vec<PaymentMethod>, AppError> {
        let action = "list payment methods";
        let request = ListPaymentMethodsCustomer::new(customer_id).limit(MAX_SAVED);
        let list = self
            .call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        Ok(list.data)
    }

    /// The payment method, or `None` when Stripe has none with this id.
    pub async fn find_payment_method(&self, id: &str) -> Result<Option<PaymentMethod>, AppError> {
        let action = "retrieve payment method";
        let request = RetrievePaymentMethod::new(id);
        match self.call(action, request.send(&self.client)).await {
            Ok(pm) => Ok(Some(pm)),
            Err(e) if errors::is_not_found(&e) => Ok(None),
            Err(e) => Err(errors::to_app_error(e, action)),
        }
    }

    pub async fn detach_payment_method(&self, id: &str) -> Result<(), AppError> {
        let action = "detach payment method";
        let request = DetachPaymentMethod::new(id);
        self.call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        Ok(())
    }

    /// The customer's default card for invoices and payments (`invoice_settings`).
    pub async fn default_payment_method(
        &self,
        customer_id: &str,
    ) -> Result<Option<String>, AppError> {
        let action = "retrieve customer";
        let request = RetrieveCustomer::new(customer_id);
        let customer = match self
            .call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?
        {
            RetrieveCustomerReturned::Customer(customer) => customer,
            RetrieveCustomerReturned::DeletedCustomer(_) => {
                tracing::error!(customer_id, "the institution's Stripe customer was deleted");
                return Err(AppError::NotFound);
            }
        };
        Ok(customer
            .invoice_settings
            .and_then(|s| s.default_payment_method)
            .map(|pm| pm.id().as_str().to_owned()))
    }

    pub async fn set_default_payment_method(
        &self,
        customer_id: &str,
        payment_method_id: &str,
    ) -> Result<(), AppError> {
        let mut settings = UpdateCustomerInvoiceSettings::new();
        settings.default_payment_method = Some(payment_method_id.to_owned());
        let action = "set default payment method";
        let request = UpdateCustomer::new(customer_id).invoice_settings(settings);
        self.call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        Ok(())
    }
}
