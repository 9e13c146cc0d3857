use leptos::prelude::*;

use crate::rpc::auth::Logout;

/// A plain form post (the billing page's header is not an island): the server signs out and
/// sends the browser to sign-in.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=logout>
            <button type="submit" class="button secondary">"Sign out"</button>
        </ActionForm>
    }
}
