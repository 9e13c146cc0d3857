//! A button for an action that cannot be undone (removing a card, canceling a purchase): the
//! first click asks "are you sure?" in place, the second does it. Focus moves to the
//! confirming button, so a keyboard user is not left on a button that disappeared.

use leptos::html::Button;
use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text ("Remove").
    action: &'static str,
    /// Its accessible name when the text alone is ambiguous in a list ("Remove Visa •••• 4242").
    #[prop(optional, into)]
    action_label: Option<String>,
    question: &'static str,
    yes: &'static str,
    /// Shown on the confirming button while the action runs.
    working: &'static str,
    #[prop(into)] busy: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let yes_button = NodeRef::<Button>::new();
    Effect::new(move |_| {
        if let Some(button) = yes_button.get() {
            let _ = button.focus();
        }
    });
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button
                    type="button"
                    class="button link danger"
                    aria-label=action_label.clone()
                    disabled=move || busy.get()
                    on:click=move |_| asking.set(true)
                >
                    {action}
                </button>
            }
        >
            <span role="group" aria-label=question>
                {question} " "
                <button
                    type="button"
                    class="button danger small"
                    node_ref=yes_button
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() { working } else { yes }}
                </button>
                <button type="button" class="button secondary small" on:click=move |_| asking.set(false)>
                    "Keep it"
                </button>
            </span>
        </Show>
    }
}
