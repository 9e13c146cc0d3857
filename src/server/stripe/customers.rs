//! The institution's Stripe customer as its invoices show it: name, email and address.

use std::collections::HashMap;

use stripe_core::customer::{OptionalFieldsCustomerAddress, UpdateCustomer};

use super::{StripeGateway, errors};
use crate::domain::billing_details::BillingDetails;
use crate::error::AppError;

impl StripeGateway {
    /// Writes the billing details onto the customer, so every invoice Stripe renders from now on
    /// carries them. Stripe's customer holds one email; all the billing addresses go into
    /// `metadata.billing_emails` too, for receipts.
    pub async fn update_customer_billing(
        &self,
        customer_id: &str,
        details: &BillingDetails,
    ) -> Result<(), AppError> {
        let a = &details.address;
        let address = OptionalFieldsCustomerAddress {
            city: Some(a.city.clone()),
            country: Some(a.country.clone()),
            line1: Some(a.line1.clone()),
            // Empty unsets a line the admin removed.
            line2: Some(a.line2.clone().unwrap_or_default()),
            postal_code: Some(a.postal_code.clone()),
            state: Some(a.state.clone().unwrap_or_default()),
        };
        let request = UpdateCustomer::new(customer_id)
            .name(details.legal_name.clone())
            .email(details.emails[0].clone())
            .address(address)
            .metadata(HashMap::from([(
                "billing_emails".to_owned(),
                details.emails.join(","),
            )]));
        let action = "update customer billing details";
        self.call(action, request.send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        Ok(())
    }
}
