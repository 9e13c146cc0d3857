//! "Are you sure?" in place of the button that asked, for actions that cannot be undone
//! (removing a card, canceling a purchase). Focus moves to the confirming button, so a
//! keyboard user is not left on a button that disappeared.

use leptos::html::Button;
use leptos::prelude::*;

#[component]
pub fn ConfirmInline(
    /// Names the group for screen readers ("Confirm removal").
    label: &'static str,
    question: &'static str,
    yes: &'static str,
    /// Shown on the confirming button while the action runs.
    working: &'static str,
    #[prop(into)] busy: Signal<bool>,
    on_yes: Callback<()>,
    on_no: Callback<()>,
) -> impl IntoView {
    let yes_button = NodeRef::<Button>::new();
    Effect::new(move |_| {
        if let Some(button) = yes_button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <span role="group" aria-label=label>
            {question} " "
            <button
                type="button"
                class="button danger small"
                node_ref=yes_button
                disabled=move || busy.get()
                on:click=move |_| on_yes.run(())
            >
                {move || if busy.get() { working } else { yes }}
            </button>
            <button type="button" class="button secondary small" on:click=move |_| on_no.run(())>
                "Keep it"
            </button>
        </span>
    }
}
