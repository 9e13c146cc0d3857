//! Saved payment methods (cards and US bank accounts) of the signed-in admin's institution; shared by the
//! REST API and the UI's server functions. Every change made here marks the institution's
//! cached Stripe lists stale (see `stripe::list_cache`). Stripe holds them; every call checks that the
//! payment method belongs to the institution's own customer, and another customer's is "not
//! found", like an unknown one, so its existence stays private.

use serde_json::{Value, json};
use stripe_core::SetupIntentStatus;
use stripe_payment::PaymentMethod;

use crate::api_types::{Account, PaymentMethodList, PaymentMethodView, SetupIntentCreated};
use crate::domain::audit::AuditAction;
use crate::domain::calendar::Month;
use crate::domain::payment_method::{is_expired, is_payment_method_id, is_setup_intent_id};
use crate::domain::payment_method_types::PaymentMethodType;
use crate::error::AppError;
use crate::server::audit::{self, Actor};
use crate::server::clock;
use crate::server::state::AppState;
use crate::server::storage::{audit_log, institutions};

/// A SetupIntent for a new card, creating the institution's Stripe customer on first use.
pub async fn create_setup_intent(
    state: &AppState,
    account: &Account,
) -> Result<SetupIntentCreated, AppError> {
    let customer_id = state
        .stripe
        .ensure_customer(&state.db, &account.institution.id, &account.email)
        .await?;
    let client_secret = state
        .stripe
        .create_setup_intent(&customer_id, &account.institution.id)
        .await?;
    Ok(SetupIntentCreated { client_secret })
}

/// The institution's cards, newest first; none (and no Stripe customer made) before the first
/// purchase or saved card.
pub async fn list(state: &AppState, institution_id: &str) -> Result<PaymentMethodList, AppError> {
    let key = institutions::stripe_lists_key(state.db.pool(), institution_id).await?;
    list_under(state, key).await
}

/// As [`list`], with the institution's `(customer, lists version)` already read (the billing
/// page reads it once for its two lists).
pub async fn list_under(
    state: &AppState,
    key: Option<(String, i64)>,
) -> Result<PaymentMethodList, AppError> {
    let Some((customer_id, version)) = key else {
        return Ok(PaymentMethodList { data: Vec::new() });
    };
    if let Some(list) = state
        .stripe_lists
        .payment_methods
        .get(&customer_id, version)
    {
        return Ok(list);
    }
    let cards = state.stripe.list_saved(&customer_id).await?;
    let default = state.stripe.default_payment_method(&customer_id).await?;
    let current = this_month();
    let list = PaymentMethodList {
        data: cards
            .iter()
            .filter_map(|pm| view(pm, default.as_deref(), current))
            .collect(),
    };
    state
        .stripe_lists
        .payment_methods
        .put(customer_id, version, list.clone());
    Ok(list)
}

/// Records a card the browser saved with `confirmCardSetup`, making it the default if asked.
/// Recording it again is harmless (and logged as added once).
pub async fn record(
    state: &AppState,
    account: &Account,
    payment_method_id: &str,
    set_default: bool,
) -> Result<PaymentMethodView, AppError> {
    let institution_id = account.institution.id.as_str();
    let (customer_id, pm) = owned(state, institution_id, payment_method_id).await?;
    // Stripe.js attached it: the list changed without the app.
    institutions::bump_stripe_lists(state.db.pool(), &customer_id).await?;
    let added = AuditAction::PaymentMethodAdded;
    let object = ("payment_method", payment_method_id);
    if !audit_log::has_entry(
        state.db.pool(),
        institution_id,
        added.as_str(),
        payment_method_id,
    )
    .await?
    {
        audit::record_after(
            &state.db,
            institution_id,
            Actor::Admin(&account.email),
            added,
            object,
            card_details(&pm),
        )
        .await;
    }
    if set_default {
        return set_as_default(state, account, &customer_id, &pm).await;
    }
    let default = state.stripe.default_payment_method(&customer_id).await?;
    view(&pm, default.as_deref(), this_month()).ok_or(AppError::NotFound)
}

/// Records what a SetupIntent confirmed on the bank's page saved (the browser came back to the
/// billing page with only the intent's id): Stripe says whether it succeeded and with which
/// payment method. Another institution's intent is "not found"; a failed one says why.
pub async fn finish_setup(
    state: &AppState,
    account: &Account,
    setup_intent_id: &str,
    set_default: bool,
) -> Result<PaymentMethodView, AppError> {
    if !is_setup_intent_id(setup_intent_id) {
        return Err(AppError::NotFound);
    }
    let customer_id = institutions::stripe_customer_id(state.db.pool(), &account.institution.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let setup = state
        .stripe
        .find_setup_intent(setup_intent_id)
        .await?
        .filter(|setup| setup.customer_id.as_deref() == Some(customer_id.as_str()))
        .ok_or(AppError::NotFound)?;
    match (setup.status, setup.payment_method_id) {
        (SetupIntentStatus::Succeeded, Some(payment_method_id)) => {
            record(state, account, &payment_method_id, set_default).await
        }
        (SetupIntentStatus::Processing, _) => Err(AppError::Conflict(
            "Your bank is still confirming the account; it appears here once it has.".into(),
        )),
        (status, _) => {
            tracing::info!(
                setup_intent_id,
                ?status,
                "setup not completed on the bank's page"
            );
            let why = setup
                .failure
                .unwrap_or_else(|| "The bank did not confirm it.".to_owned());
            Err(AppError::Conflict(format!(
                "{why} Nothing was saved; try again or use another card."
            )))
        }
    }
}

/// Detaches the card from the institution's customer: it can no longer be charged.
pub async fn remove(
    state: &AppState,
    account: &Account,
    payment_method_id: &str,
) -> Result<(), AppError> {
    let institution_id = account.institution.id.as_str();
    let (customer_id, pm) = owned(state, institution_id, payment_method_id).await?;
    state
        .stripe
        .detach_payment_method(payment_method_id)
        .await?;
    institutions::bump_stripe_lists(state.db.pool(), &customer_id).await?;
    let object = ("payment_method", payment_method_id);
    audit::record_after(
        &state.db,
        institution_id,
        Actor::Admin(&account.email),
        AuditAction::PaymentMethodRemoved,
        object,
        card_details(&pm),
    )
    .await;
    tracing::info!(institution_id, payment_method_id, "saved card removed");
    Ok(())
}

/// Makes the card the customer's default (`invoice_settings.default_payment_method`).
pub async fn make_default(
    state: &AppState,
    account: &Account,
    payment_method_id: &str,
) -> Result<PaymentMethodView, AppError> {
    let (customer_id, pm) = owned(state, &account.institution.id, payment_method_id).await?;
    set_as_default(state, account, &customer_id, &pm).await
}

async fn set_as_default(
    state: &AppState,
    account: &Account,
    customer_id: &str,
    pm: &PaymentMethod,
) -> Result<PaymentMethodView, AppError> {
    let institution_id = account.institution.id.as_str();
    let payment_method_id = pm.id.as_str();
    let before = state.stripe.default_payment_method(customer_id).await?;
    state
        .stripe
        .set_default_payment_method(customer_id, payment_method_id)
        .await?;
    institutions::bump_stripe_lists(state.db.pool(), customer_id).await?;
    let details = json!({ "default": { "before": before, "after": payment_method_id }, "card": card_details(pm) });
    let object = ("payment_method", payment_method_id);
    audit::record_after(
        &state.db,
        institution_id,
        Actor::Admin(&account.email),
        AuditAction::PaymentMethodDefaultChanged,
        object,
        details,
    )
    .await;
    tracing::info!(institution_id, payment_method_id, "default card changed");
    view(pm, Some(payment_method_id), this_month()).ok_or(AppError::NotFound)
}

/// What the audit log says about a card or bank account: what Stripe shows anyway, never the
/// number.
fn card_details(pm: &PaymentMethod) -> Value {
    if let Some(card) = &pm.card {
        return json!({
            "brand": card.brand,
            "last4": card.last4,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
        });
    }
    match &pm.us_bank_account {
        Some(account) => json!({
            "type": "us_bank_account",
            "bank_name": account.bank_name,
            "last4": account.last4,
        }),
        None => json!({ "type": pm.type_.to_string() }),
    }
}

/// The card, if it is attached to the institution's customer, with that customer's id.
pub async fn owned(
    state: &AppState,
    institution_id: &str,
    payment_method_id: &str,
) -> Result<(String, PaymentMethod), AppError> {
    if !is_payment_method_id(payment_method_id) {
        return Err(AppError::NotFound);
    }
    let customer_id = institutions::stripe_customer_id(state.db.pool(), institution_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pm = state
        .stripe
        .find_payment_method(payment_method_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attached_to = pm.customer.as_ref().map(|c| c.id().as_str());
    if attached_to != Some(customer_id.as_str()) {
        tracing::warn!(
            institution_id,
            payment_method_id,
            "payment method is not the institution's; refused"
        );
        return Err(AppError::NotFound);
    }
    Ok((customer_id, pm))
}

/// The card or bank account as the dashboard shows it; `None` for another kind of payment
/// method (the app offers no other to save).
fn view(pm: &PaymentMethod, default: Option<&str>, current: Month) -> Option<PaymentMethodView> {
    let id = pm.id.as_str();
    let is_default = default == Some(id);
    if let Some(card) = &pm.card {
        return Some(PaymentMethodView {
            id: id.to_owned(),
            kind: PaymentMethodType::Card,
            brand: card.brand.clone(),
            last4: card.last4.clone(),
            exp_month: Some(card.exp_month),
            exp_year: Some(card.exp_year),
            is_default,
            expired: is_expired(card.exp_month, card.exp_year, current),
        });
    }
    let account = pm.us_bank_account.as_ref()?;
    Some(PaymentMethodView {
        id: id.to_owned(),
        kind: PaymentMethodType::UsBankAccount,
        brand: account
            .bank_name
            .clone()
            .unwrap_or_else(|| "Bank account".to_owned()),
        last4: account.last4.clone().unwrap_or_default(),
        exp_month: None,
        exp_year: None,
        is_default,
        expired: false,
    })
}

/// The month now, in UTC: a card is good through its expiry month.
fn this_month() -> Month {
    Month::of_unix(clock::now_unix())
}
