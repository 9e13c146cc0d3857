//! The institution's admins and when each last signed in. Admins are added on the server with
//! the `add-admin` command, so the list only shows them.

use leptos::prelude::*;

use crate::api_types::AdminList;
use crate::components::locale::use_locale;

#[component]
pub fn AdminList(admins: AdminList) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="plain-list" data-testid="admin-list">
            {admins.data.into_iter().map(|admin| {
                let last = match admin.last_sign_in_at {
                    Some(at) => format!("last signed in {}", locale.date_time(at)),
                    None => "never signed in".to_owned(),
                };
                view! {
                    <li>
                        <strong>{admin.email}</strong>
                        <span class="muted small">{format!(" · {last}")}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="muted small">"Admins are added by your platform team with the add-admin command."</p>
    }
}
