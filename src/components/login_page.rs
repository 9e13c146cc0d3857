use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::rpc::account::current_account;
use crate::rpc::auth::Login;

/// The sign-in page ships no wasm: the form posts to the sign-in server function, which sends
/// the browser to billing, or back here with the error in the URL for this page to show.
#[component]
pub fn LoginPage() -> impl IntoView {
    // On the server, this holds the error of the post that sent the browser back here.
    let login = ServerAction::<Login>::new();
    let error = login.value().get_untracked().and_then(Result::err);
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
            <ActionForm action=login attr:id="login-form" attr:class="stacked-form" attr:aria-describedby="login-error">
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">"Password"</label>
                <div class="password-row">
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <button type="button" class="button ghost" id="password-toggle" aria-controls="password" aria-pressed="false" hidden>
                        "Show"
                    </button>
                </div>
                <p id="login-error" class="form-error" role="alert" aria-live="assertive">
                    {error.map(|e| e.to_string())}
                </p>
                <button type="submit" class="button primary">"Sign in"</button>
            </ActionForm>
            <script nonce=use_nonce()>{ENHANCE}</script>
        </section>
    }
}

/// What the page does with JavaScript, a few hundred bytes instead of the app's wasm: show and
/// hide the password, and say "Signing in…" (and ignore a second click) while the post is on
/// its way. Without JavaScript the toggle stays hidden and the form posts all the same.
const ENHANCE: &str = r#"(function () {
  var form = document.getElementById("login-form");
  var input = document.getElementById("password");
  var toggle = document.getElementById("password-toggle");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    toggle.textContent = show ? "Hide" : "Show";
    toggle.setAttribute("aria-pressed", String(show));
  });
  var submit = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (event) {
    if (submit.disabled) { event.preventDefault(); return; }
    submit.disabled = true;
    submit.textContent = "Signing in…";
  });
  // Back from billing, a page restored from the browser's cache must not stay disabled.
  window.addEventListener("pageshow", function () {
    submit.disabled = false;
    submit.textContent = "Sign in";
  });
})();"#;
