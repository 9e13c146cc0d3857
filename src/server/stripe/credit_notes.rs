//! Credit notes: the document that matches a refund on the invoice it refunds, and the refunds
//! a purchase's payment has had.

use stripe_billing::CreditNote;
use stripe_billing::credit_note::{CreateCreditNote, CreateCreditNoteRefunds, ListCreditNote};
use stripe_core::Refund;
use stripe_core::refund::ListRefund;

use super::{StripeGateway, errors};
use crate::error::AppError;

/// More than a purchase ever has: refunds and credit notes of one payment fit in one page.
const ONE_PAGE: i64 = 100;

impl StripeGateway {
    /// The refunds of a payment, newest first.
    pub async fn list_refunds(&self, payment_intent_id: &str) -> Result<Vec<Refund>, AppError> {
        let request = ListRefund::new()
            .payment_intent(payment_intent_id)
            .limit(ONE_PAGE);
        let action = "list refunds";
        let page = self.call(action, request.send(&self.client)).await;
        Ok(page.map_err(|e| errors::to_app_error(e, action))?.data)
    }

    /// The credit notes of one invoice, or of all a customer's invoices; newest first.
    pub async fn list_credit_notes(
        &self,
        of: CreditNotesOf<'_>,
    ) -> Result<Vec<CreditNote>, AppError> {
        let request = match of {
            CreditNotesOf::Invoice(id) => ListCreditNote::new().invoice(id),
            CreditNotesOf::Customer(id) => ListCreditNote::new().customer(id),
        };
        let action = "list credit notes";
        let page = self
            .call(action, request.limit(ONE_PAGE).send(&self.client))
            .await;
        Ok(page.map_err(|e| errors::to_app_error(e, action))?.data)
    }

    /// A credit note of `amount` on the (paid) invoice, linked to the refund that paid it back:
    /// Stripe makes no new refund. Keyed by the refund, so a refund is credited once whoever
    /// retries.
    pub async fn credit_refund(
        &self,
        invoice_id: &str,
        refund_id: &str,
        amount: i64,
    ) -> Result<CreditNote, AppError> {
        let link = CreateCreditNoteRefunds {
            amount_refunded: Some(amount),
            refund: Some(refund_id.to_owned()),
            ..Default::default()
        };
        let request = CreateCreditNote::new(invoice_id)
            .amount(amount)
            .refunds(vec![link])
            .memo("Refund");
        let key = format!("credit-note-{refund_id}");
        self.send_keyed(&key, "create credit note", &request).await
    }
}

pub enum CreditNotesOf<'a> {
    Invoice(&'a str),
    Customer(&'a str),
}
