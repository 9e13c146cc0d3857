//! Shapes that cross the wire: JSON bodies of the REST API and values returned by server
//! functions. Shared by the server and the browser build so both sides agree on them.

use serde::{Deserialize, Serialize};

pub use crate::domain::monthly::MonthTotal;
use crate::domain::password::Password;
use crate::domain::payment_method_types::PaymentMethodType;
use crate::domain::plan::Plan;
use crate::domain::purchase_status::PurchaseStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionRef {
    pub id: String,
    pub name: String,
}

/// The signed-in administrator, as `GET /api/me` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub email: String,
    pub institution: InstitutionRef,
}

/// One of an institution's admins: `GET /api/institution/admins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminView {
    pub email: String,
    /// Unix seconds; null until their first sign-in.
    pub last_sign_in_at: Option<i64>,
}

/// `GET /api/institution/admins`, by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminList {
    pub data: Vec<AdminView>,
}

/// `Debug` shows the email but not the password (see [`Password`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: Password,
}

/// What every page needs to know about the running app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    /// No Stripe key is configured: payments go to the embedded emulator, never to real Stripe.
    pub offline_test_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPrice {
    pub id: String,
    /// Price of one session in minor units of `PricingInfo::currency`.
    pub unit_amount: i64,
}

/// `GET /api/pricing`: what sessions cost, from configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingInfo {
    pub currency: String,
    pub plans: Vec<PlanPrice>,
    pub min_quantity: i64,
    pub max_quantity: i64,
}

/// `POST /api/sessions/purchases`: what the browser needs to confirm the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedPurchase {
    pub purchase_id: String,
    pub payment_intent_id: String,
    pub client_secret: String,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub status: PurchaseStatus,
    pub po_number: Option<String>,
}

/// One purchase as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub id: String,
    pub quantity: i64,
    pub plan: Plan,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub status: PurchaseStatus,
    pub payment_intent_id: String,
    /// Why the last payment attempt failed, in Stripe's words for the payer.
    pub failure_message: Option<String>,
    /// Refunded so far (in Stripe), minor units of `currency`.
    pub amount_refunded: i64,
    /// Its Stripe invoice (see `GET /api/stripe/invoices`), once issued.
    pub invoice_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Sessions a dispute should have taken back but the pool no longer held.
    pub dispute_shortfall: i64,
    /// Refunds that failed after they were made (their money and sessions came back), minor
    /// units of `currency`.
    pub refund_failed_amount: i64,
    /// The institution's purchase-order number, printed on the invoice.
    pub po_number: Option<String>,
    /// How it is being paid (the latest attempt's payment method), once Stripe has told.
    pub payment_method_type: Option<PaymentMethodType>,
    /// Where to send the money, while the purchase is `awaiting_transfer`.
    pub bank_transfer: Option<BankTransfer>,
    /// Stripe's page where the admin enters the microdeposits sent to the bank account, while
    /// the purchase (`requires_action`) waits for them.
    pub verify_microdeposits_url: Option<String>,
    /// Money a canceled bank transfer had already received, in minor units of `currency`: it
    /// stays on the institution's Stripe cash balance and pays toward its next transfer.
    pub kept_on_cash_balance: i64,
}

/// A bank transfer's instructions, as Stripe gives them (`display_bank_transfer_instructions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankTransfer {
    /// Still to arrive, in minor units of `currency`.
    pub amount_remaining: i64,
    pub currency: String,
    /// To quote on the transfer, so Stripe matches the money to this purchase.
    pub reference: String,
    pub account_number: String,
    pub routing_number: String,
    /// Stripe's page with the same instructions, to print or forward.
    pub hosted_instructions_url: String,
}

/// `GET /api/sessions/purchases`: newest first, Stripe-style pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseList {
    pub data: Vec<PurchaseView>,
    pub has_more: bool,
}

/// `GET /api/sessions/pool`: the institution's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPool {
    /// Sessions bought and not yet used (refunded ones taken out).
    pub available: i64,
    /// Sessions bought in all paid purchases ever, refunded ones included.
    pub total_purchased: i64,
    /// The most recent paid purchase (refunded ones included), if any.
    pub last_purchase: Option<PurchaseView>,
}

/// `GET /api/sessions/summary`: the last twelve months, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlySummary {
    /// The currency of every `amount`.
    pub currency: String,
    pub months: Vec<MonthTotal>,
}

/// `POST /api/stripe/setup-intents`: what Stripe.js needs to save a card (`confirmCardSetup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupIntentCreated {
    pub client_secret: String,
}

/// One of the institution's saved payment methods (cards so far), as Stripe holds it (never
/// the full number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodView {
    pub id: String,
    /// `card` or `us_bank_account`.
    #[serde(rename = "type")]
    pub kind: PaymentMethodType,
    /// The card's brand (`visa`, `mastercard`, ...), or the bank's name for a bank account.
    pub brand: String,
    pub last4: String,
    /// A card's expiry; `null` for a bank account.
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    /// The customer's `invoice_settings.default_payment_method`.
    pub is_default: bool,
    /// Past its expiry month: Stripe will decline it.
    pub expired: bool,
}

/// `GET /api/stripe/payment-methods`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethodList {
    pub data: Vec<PaymentMethodView>,
}

/// One of the institution's Stripe invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub id: String,
    /// Set when the invoice is finalized.
    pub number: Option<String>,
    /// draft, open, paid, uncollectible or void.
    pub status: Option<String>,
    /// Minor units of `currency`.
    pub amount_due: i64,
    pub amount_paid: i64,
    pub currency: String,
    /// Unix seconds.
    pub created: i64,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
    /// The purchase it was issued for; `None` for invoices made outside the app.
    pub purchase_id: Option<String>,
    /// Credit notes against it (one per refund of its purchase), oldest first.
    #[serde(default)]
    pub credit_notes: Vec<CreditNoteView>,
}

/// A credit note: part of an invoice given back (a refund), as its own numbered document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteView {
    pub id: String,
    pub number: String,
    /// Minor units of the invoice's currency.
    pub amount: i64,
    pub pdf_url: String,
    /// Unix seconds.
    pub created: i64,
}

/// `GET /api/stripe/invoices`: newest first, Stripe-style pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceList {
    pub data: Vec<InvoiceView>,
    pub has_more: bool,
}

/// What the browser needs to load Stripe.js: public values only, never the secret key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeClientConfig {
    pub publishable_key: String,
    pub js_url: String,
    /// What the Payment Element offers: the intents' currency and payment method types (both
    /// must match the intents the server makes).
    pub currency: String,
    pub payment_method_types: Vec<PaymentMethodType>,
}

/// Everything the SessionPurchase page shows before the admin types anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchasePage {
    pub pricing: PricingInfo,
    pub pool: SessionPool,
    pub stripe: StripeClientConfig,
    /// Saved payment methods to pay with; a failure to read them leaves paying with a new card.
    pub payment_methods: Result<PaymentMethodList, crate::error::AppError>,
    /// The unpaid purchase the admin came to finish (`?resume=<id>`), if any.
    pub resume: Option<PurchaseView>,
}

/// A purchase after the browser confirmed its payment and the server asked Stripe about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOutcome {
    pub purchase: PurchaseView,
    pub pool: SessionPool,
}

/// What the billing page shows on first load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingSummary {
    pub account: Account,
    pub pricing: PricingInfo,
    pub pool: SessionPool,
    /// Sessions and money per month, for the chart.
    pub summary: MonthlySummary,
    /// The newest page of the purchase history.
    pub purchases: PurchaseList,
    /// Every purchase waiting for a bank transfer, newest first, with where to send it.
    pub awaiting_transfers: Vec<PurchaseView>,
    /// What bank transfers left on the Stripe cash balance, in minor units of the pricing
    /// currency (read from Stripe; may fail alone).
    pub cash_balance: Result<i64, crate::error::AppError>,
    /// Read from Stripe: each may fail alone, and its panel says so.
    pub payment_methods: Result<PaymentMethodList, crate::error::AppError>,
    pub invoices: Result<InvoiceList, crate::error::AppError>,
    /// For adding a card with Stripe.js.
    pub stripe: StripeClientConfig,
    /// The newest page of the audit log.
    pub activity: AuditLog,
    pub admins: AdminList,
    /// Saved here, with Stripe's verification of the tax IDs (which may fail alone).
    pub billing_details: Result<BillingDetailsView, crate::error::AppError>,
}

/// One entry of the audit log: `GET /api/audit-log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The admin's email, `stripe` (a webhook) or `system` (the sweep).
    pub actor: String,
    /// `purchase.completed`, `payment_method.added`, … (see `domain::audit`).
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The before/after of what changed.
    pub details: serde_json::Value,
}

/// `GET /api/audit-log`: newest first, Stripe-style pagination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLog {
    pub data: Vec<AuditEntry>,
    pub has_more: bool,
}

/// `GET`/`PUT /api/institution/billing-details`: empty until first saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetailsView {
    pub legal_name: Option<String>,
    pub emails: Vec<String>,
    pub address: Option<crate::domain::billing_details::Address>,
    pub tax_ids: Vec<TaxIdView>,
}

/// A tax ID with what the tax authority said of it, when Stripe checks that type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxIdView {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    /// `pending`, `verified`, `unverified` or `unavailable`, as Stripe reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,
}

impl From<crate::domain::billing_details::BillingDetails> for BillingDetailsView {
    fn from(details: crate::domain::billing_details::BillingDetails) -> Self {
        BillingDetailsView {
            legal_name: Some(details.legal_name),
            emails: details.emails,
            address: Some(details.address),
            tax_ids: details
                .tax_ids
                .into_iter()
                .map(|t| TaxIdView {
                    kind: t.kind,
                    value: t.value,
                    verification: None,
                })
                .collect(),
        }
    }
}
