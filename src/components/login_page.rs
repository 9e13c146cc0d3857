use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::rpc::account::current_account;
use crate::rpc::auth::Login;

/// The sign-in form. It works without JavaScript (a plain form post); once hydrated it signs in
/// without a page reload and shows errors in place.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);
    let show_password = RwSignal::new(false);
    // Someone already signed in has nothing to do here.
    let account = Resource::new(|| (), |_| current_account());

    view! {
        <Title text="Sign in"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(account.await, Ok(Some(_))).then(|| view! { <Redirect path="/billing"/> })
            })}
        </Suspense>
        <section class="card narrow auth-card">
            <h1>"Sign in"</h1>
            <p class="muted">"Octavia Billing, for institution administrators."</p>
            <ActionForm action=login attr:class="stacked-form" attr:aria-describedby="login-error">
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">"Password"</label>
                <div class="password-row">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                    />
                    <button
                        type="button"
                        class="button ghost"
                        aria-controls="password"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|shown| *shown = !*shown)
                    >
                        {move || if show_password.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
                <p id="login-error" class="form-error" role="alert" aria-live="assertive">
                    {move || error().map(|e| e.to_string())}
                </p>
                <button type="submit" class="button primary" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </section>
    }
}
