//! A checkbox with its label, bound to a signal.

use leptos::prelude::*;

#[component]
pub fn CheckboxField(
    label: &'static str,
    name: &'static str,
    checked: RwSignal<bool>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input
                type="checkbox"
                name=name
                prop:checked=move || checked.get()
                on:change=move |event| checked.set(event_target_checked(&event))
                disabled=move || disabled.get()
            />
            {label}
        </label>
    }
}
