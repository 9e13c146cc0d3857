use leptos::prelude::*;

use crate::rpc::auth::Logout;

#[component]
pub fn SignOutButton() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let pending = logout.pending();
    view! {
        <ActionForm action=logout>
            <button type="submit" class="button secondary" disabled=pending>
                {move || if pending.get() { "Signing out…" } else { "Sign out" }}
            </button>
        </ActionForm>
    }
}
