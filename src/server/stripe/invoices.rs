//! Invoices for paid purchases, and the customer's invoices for the dashboard.
//!
//! Each step that creates or changes something is sent under an idempotency key derived from
//! the purchase, so a retried step (or two attempts racing) has Stripe's one answer.

use std::collections::HashMap;

use stripe::{StripeError, StripeRequest};
use stripe_billing::invoice::{
    AttachPaymentInvoice, CreateInvoice, CustomFieldParams, FinalizeInvoiceInvoice, ListInvoice,
    RetrieveInvoice, SendInvoiceInvoice,
};
use stripe_billing::invoice_item::CreateInvoiceItem;
use stripe_billing::{Invoice, InvoiceCollectionMethod};
use stripe_types::List;

use super::{StripeGateway, errors};
use crate::domain::plan::Plan;
use crate::error::AppError;

/// What a paid purchase's invoice says.
pub struct PurchaseInvoice<'a> {
    pub purchase_id: &'a str,
    pub customer_id: &'a str,
    pub quantity: i64,
    pub unit_amount: i64,
    pub currency: &'a str,
    pub plan: Plan,
    /// Printed as the invoice's custom field "PO number".
    pub po_number: Option<&'a str>,
}

impl StripeGateway {
    /// Sends `request` under the idempotency key `key` (see `send_idempotent`).
    pub(super) async fn send_keyed<R>(
        &self,
        key: &str,
        action: &'static str,
        request: &R,
    ) -> Result<R::Output, AppError>
    where
        R: StripeRequest,
        R::Output: miniserde::Deserialize,
    {
        self.send_idempotent(key, action, |strategy| {
            request
                .customize()
                .request_strategy(strategy)
                .send(&self.client)
        })
        .await
    }

    /// A draft invoice for the purchase, with `metadata.purchase_id`. Not charged by Stripe
    /// (`auto_advance=false`): the purchase's own payment is attached to it instead.
    pub async fn create_invoice(&self, p: &PurchaseInvoice<'_>) -> Result<Invoice, AppError> {
        let request = CreateInvoice::new()
            .customer(p.customer_id)
            .currency(currency(p.currency))
            .collection_method(InvoiceCollectionMethod::ChargeAutomatically)
            .auto_advance(false)
            .description(format!("Interview sessions, {} plan", p.plan.id()))
            .metadata(HashMap::from([(
                "purchase_id".to_owned(),
                p.purchase_id.to_owned(),
            )]));
        let request = match p.po_number {
            Some(number) => {
                request.custom_fields(vec![CustomFieldParams::new("PO number", number)])
            }
            None => request,
        };
        let key = format!("invoice-{}", p.purchase_id);
        self.send_keyed(&key, "create invoice", &request).await
    }

    /// The invoice's one line: N interview sessions at the plan's unit price.
    pub async fn add_invoice_line(
        &self,
        invoice_id: &str,
        p: &PurchaseInvoice<'_>,
    ) -> Result<(), AppError> {
        let quantity = u64::try_from(p.quantity).map_err(|_| AppError::Internal)?;
        let request = CreateInvoiceItem::new()
            .customer(p.customer_id)
            .invoice(invoice_id)
            .currency(currency(p.currency))
            .quantity(quantity)
            .unit_amount_decimal(p.unit_amount.to_string())
            .description(format!("{} interview sessions", p.quantity))
            .metadata(HashMap::from([(
                "purchase_id".to_owned(),
                p.purchase_id.to_owned(),
            )]));
        let key = format!("invoice-line-{}", p.purchase_id);
        self.send_keyed(&key, "add invoice line", &request).await?;
        Ok(())
    }

    pub async fn finalize_invoice(
        &self,
        invoice_id: &str,
        purchase_id: &str,
    ) -> Result<Invoice, AppError> {
        let request = FinalizeInvoiceInvoice::new(invoice_id).auto_advance(false);
        let key = format!("invoice-finalize-{purchase_id}");
        self.send_keyed(&key, "finalize invoice", &request).await
    }

    /// Attaches the purchase's (succeeded) PaymentIntent: Stripe credits it to the invoice,
    /// which becomes paid by that payment.
    pub async fn attach_payment(
        &self,
        invoice_id: &str,
        payment_intent_id: &str,
        purchase_id: &str,
    ) -> Result<Invoice, AppError> {
        let request = AttachPaymentInvoice::new(invoice_id).payment_intent(payment_intent_id);
        let key = format!("invoice-attach-{purchase_id}");
        self.send_keyed(&key, "attach payment to invoice", &request)
            .await
    }

    /// Has Stripe email the invoice (a receipt once paid) to the customer's email address.
    /// `key`: the idempotency key of a send that must happen once (the automatic receipt).
    pub async fn send_invoice(
        &self,
        invoice_id: &str,
        key: Option<&str>,
    ) -> Result<Invoice, AppError> {
        let request = SendInvoiceInvoice::new(invoice_id);
        let action = "send invoice";
        match key {
            Some(key) => self.send_keyed(key, action, &request).await,
            None => self
                .call(action, request.send(&self.client))
                .await
                .map_err(|e| errors::to_app_error(e, action)),
        }
    }

    pub async fn retrieve_invoice(&self, id: &str) -> Result<Invoice, AppError> {
        let action = "retrieve invoice";
        self.call(action, RetrieveInvoice::new(id).send(&self.client))
            .await
            .map_err(|e| errors::to_app_error(e, action))
    }

    /// The invoice, or `None` when Stripe has no invoice with this id.
    pub async fn find_invoice(&self, id: &str) -> Result<Option<Invoice>, AppError> {
        let action = "retrieve invoice";
        match self
            .call(action, RetrieveInvoice::new(id).send(&self.client))
            .await
        {
            Ok(invoice) => Ok(Some(invoice)),
            Err(e) if errors::is_not_found(&e) => Ok(None),
            Err(e) => Err(errors::to_app_error(e, action)),
        }
    }

    /// A page of the customer's invoices, newest first. A cursor Stripe does not know (not
    /// one of this customer's invoices) is the caller's mistake: 400.
    pub async fn list_invoices(
        &self,
        customer_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<List<Invoice>, AppError> {
        let mut request = ListInvoice::new().customer(customer_id).limit(limit);
        if let Some(cursor) = starting_after {
            request = request.starting_after(cursor);
        }
        let action = "list invoices";
        let listed = self.call(action, request.send(&self.client)).await;
        listed.map_err(|e| match e {
            StripeError::Stripe(ref error, 400 | 404)
                if error.param.as_deref() == Some("starting_after") =>
            {
                AppError::BadRequest(
                    "\"starting_after\" must be the id of one of your invoices.".to_owned(),
                )
            }
            e => errors::to_app_error(e, action),
        })
    }
}

/// Our lower-case ISO code as async-stripe's currency (any code parses).
pub(super) fn currency(code: &str) -> stripe_types::Currency {
    code.parse().unwrap_or_else(|never| match never {})
}
