//! A purchase's status as a word with a colour (never colour alone), and why it failed.

use leptos::prelude::*;

/// The admin's word for a purchase status (the API's are identifiers).
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Pending",
        "requires_action" => "Needs authentication",
        "processing" => "Processing",
        "completed" => "Completed",
        "failed" => "Failed",
        "canceled" => "Canceled",
        "refunded" => "Refunded",
        "partially_refunded" => "Partially refunded",
        _ => "Unknown",
    }
}

#[component]
pub fn StatusBadge(status: String, reason: Option<String>) -> impl IntoView {
    let class = format!("badge badge-{status}");
    // One box, so that on narrow screens (where cells are flex rows) badge and reason stay
    // together instead of being stretched side by side.
    view! {
        <span class="status">
            <span class=class>{status_label(&status)}</span>
            {(status == "failed").then(|| reason.map(|reason| view! { <span class="muted small failure-reason">{reason}</span> }))}
        </span>
    }
}
