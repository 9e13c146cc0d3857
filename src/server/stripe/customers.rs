//! The institution's Stripe customer as its invoices show it: name, email, address and tax IDs.

use std::collections::HashMap;

use stripe_billing::TaxId as StripeTaxId;
use stripe_billing::tax_id::{
    CreateCustomerTaxId, CreateCustomerTaxIdType, DeleteCustomerTaxId, ListCustomerTaxId,
};
use stripe_core::cash_balance::RetrieveCashBalance;
use stripe_core::customer::{
    OptionalFieldsCustomerAddress, UpdateCustomer, UpdateCustomerInvoiceSettings,
};

use super::{StripeGateway, errors};
use crate::domain::billing_details::{BillingDetails, TaxId};
use crate::error::AppError;

impl StripeGateway {
    /// What bank transfers left on the customer's cash balance in `currency`, in minor units:
    /// an overpayment, or a canceled transfer's money. Stripe applies it to the customer's
    /// next bank-transfer payment.
    pub async fn cash_balance(&self, customer_id: &str, currency: &str) -> Result<i64, AppError> {
        let action = "retrieve cash balance";
        let balance = self
            .call(
                action,
                RetrieveCashBalance::new(customer_id).send(&self.client),
            )
            .await
            .map_err(|e| errors::to_app_error(e, action))?;
        Ok(balance
            .available
            .and_then(|available| available.get(currency).copied())
            .unwrap_or(0))
    }

    /// Writes the billing details onto the customer, so every invoice Stripe renders from now on
    /// carries them. Stripe's customer holds one email; all the billing addresses go into
    /// `metadata.billing_emails` and the invoices' footer (`invoice_settings.footer`) too.
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
            .invoice_settings(UpdateCustomerInvoiceSettings {
                footer: Some(details.invoice_footer()),
                ..Default::default()
            })
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
    /// The customer's tax IDs at Stripe, with their verification.
    pub async fn list_tax_ids(&self, customer_id: &str) -> Result<Vec<StripeTaxId>, AppError> {
        let action = "list tax ids";
        let request = ListCustomerTaxId::new(customer_id).limit(100);
        let page = self.call(action, request.send(&self.client)).await;
        Ok(page.map_err(|e| errors::to_app_error(e, action))?.data)
    }

    /// Adds the tax IDs the customer lacks: first, so a value Stripe refuses stops the save
    /// before anything else changed. Returns the customer's tax IDs after.
    pub async fn add_tax_ids(
        &self,
        customer_id: &str,
        wanted: &[TaxId],
    ) -> Result<Vec<StripeTaxId>, AppError> {
        let mut current = self.list_tax_ids(customer_id).await?;
        for tax_id in wanted {
            if current.iter().any(|t| same(t, tax_id)) {
                continue;
            }
            let kind: CreateCustomerTaxIdType =
                tax_id.kind.parse().unwrap_or_else(|never| match never {});
            let request = CreateCustomerTaxId::new(customer_id, kind, tax_id.value.as_str());
            let action = "create tax id";
            let created = self.call(action, request.send(&self.client)).await;
            current.push(created.map_err(|e| errors::to_app_error(e, action))?);
        }
        Ok(current)
    }

    /// Deletes the customer's tax IDs that are not `wanted`, and any second copy of one (left
    /// by a retried save): after the rest of the save went through.
    pub async fn remove_other_tax_ids(
        &self,
        customer_id: &str,
        current: &[StripeTaxId],
        wanted: &[TaxId],
    ) -> Result<(), AppError> {
        for (i, tax_id) in current.iter().enumerate() {
            let first_copy = !current[..i]
                .iter()
                .any(|t| t.type_ == tax_id.type_ && t.value == tax_id.value);
            if first_copy && wanted.iter().any(|w| same(tax_id, w)) {
                continue;
            }
            let action = "delete tax id";
            let request = DeleteCustomerTaxId::new(customer_id, tax_id.id.as_str());
            self.call(action, request.send(&self.client))
                .await
                .map_err(|e| errors::to_app_error(e, action))?;
        }
        Ok(())
    }
}

fn same(at_stripe: &StripeTaxId, ours: &TaxId) -> bool {
    at_stripe.type_.as_str() == ours.kind && at_stripe.value == ours.value
}
