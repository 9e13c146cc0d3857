//! The Activity panel: who did what to the institution's billing, newest first, ten at a time,
//! filtered by kind (sign-ins, purchases, cards). The audit log behind it is append-only.

use leptos::prelude::*;
use serde_json::Value;

use super::older_pages::{OlderPages, ShowOlder};
use crate::api_types::{AuditEntry, AuditLog};
use crate::components::locale::{Locale, provide_locale, use_locale};
use crate::domain::audit::{AuditAction, KINDS};
use crate::domain::calendar::DateTime;
use crate::domain::payment_method::brand_name;
use crate::rpc::audit::load_audit_log;

#[island]
pub fn Activity(first_page: AuditLog) -> impl IntoView {
    provide_locale();
    // The kind shown: an action-name prefix, or every entry.
    let kind = RwSignal::new(None::<String>);
    let pages = OlderPages::new(
        first_page.data,
        first_page.has_more,
        |entry: &AuditEntry| entry.id.clone(),
        move |last_id| async move {
            let page = load_audit_log(Some(last_id), kind.get_untracked()).await?;
            Ok((page.data, page.has_more))
        },
    );
    let filter = Action::new(|prefix: &Option<String>| load_audit_log(None, prefix.clone()));
    Effect::new(move |_| {
        if let Some(Ok(page)) = filter.value().get() {
            pages.rows.set(page.data);
            pages.has_more.set(page.has_more);
        }
    });
    let on_kind = move |event: leptos::ev::Event| {
        let prefix = Some(event_target_value(&event)).filter(|p| !p.is_empty());
        kind.set(prefix.clone());
        filter.dispatch(prefix);
    };

    view! {
        <label class="inline-field">
            "Show "
            <select data-testid="activity-kind" on:change=on_kind disabled=move || filter.pending().get()>
                <option value="">"All activity"</option>
                {KINDS.iter().map(|(label, prefix)| view! { <option value=*prefix>{*label}</option> }).collect_view()}
            </select>
        </label>
        <p class="form-error" role="alert">
            {move || filter.value().get().and_then(Result::err).map(|e| e.to_string())}
        </p>
        <Show
            when=move || pages.rows.with(|rows| !rows.is_empty())
            fallback=|| view! { <p class="empty" data-testid="activity-empty">"Nothing recorded yet."</p> }
        >
            <ul class="plain-list activity" data-testid="activity">
                <For each=move || pages.rows.get() key=|entry| entry.id.clone() let:entry>
                    <ActivityRow entry/>
                </For>
            </ul>
            <ShowOlder pages label="Show older activity"/>
        </Show>
    }
}

#[component]
fn ActivityRow(entry: AuditEntry) -> impl IntoView {
    let locale = use_locale();
    let when = DateTime::from_unix(entry.created_at);
    let summary = summary(&entry, locale);
    view! {
        <li data-action=entry.action.clone()>
            <time datetime=when.iso8601()>
                {locale.date_time(entry.created_at)}
            </time>
            " · "
            <strong>{AuditAction::label_of(&entry.action).to_owned()}</strong>
            {summary.map(|text| format!(" · {text}"))}
            <span class="muted small">{format!(" by {}", entry.actor)}</span>
        </li>
    }
}

/// A few words on what changed, from the entry's details.
fn summary(entry: &AuditEntry, locale: Locale) -> Option<String> {
    let details = &entry.details;
    let text = |value: &Value| value.as_str().map(str::to_owned);
    if let (Some(brand), Some(last4)) = (
        text(&details["brand"]).or_else(|| text(&details["card"]["brand"])),
        text(&details["last4"]).or_else(|| text(&details["card"]["last4"])),
    ) {
        return Some(format!("{} •••• {last4}", brand_name(&brand)));
    }
    let currency = text(&details["currency"]).unwrap_or_default();
    if let Some(after) = details["amount_refunded"]["after"].as_i64() {
        return Some(format!(
            "{} refunded in all",
            locale.money(after, &currency)
        ));
    }
    if let (Some(quantity), Some(amount)) =
        (details["quantity"].as_i64(), details["amount"].as_i64())
    {
        return Some(format!(
            "{quantity} sessions, {}",
            locale.money(amount, &currency)
        ));
    }
    if let Some(amount) = details["amount"].as_i64() {
        return Some(locale.money(amount, &currency));
    }
    text(&details["client_ip"]).map(|ip| format!("from {ip}"))
}
