//! Serves the Stripe.js stand-in (`stripe_js/v3.js`) at `js/v3/`, where the page loads it
//! instead of https://js.stripe.com/v3/ in offline mode, and a bare test page
//! (`_test/card-page`) that mounts a card element and confirms the intent whose client secret
//! it is given, for testing the stand-in on its own.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use super::StripeEmulator;

const STRIPE_JS: &str = include_str!("stripe_js/v3.js");
/// The test page's script, a file rather than inline so that it runs under a page's
/// Content-Security-Policy (the app allows only scripts from its own origin and Stripe's).
const CARD_PAGE_JS: &str = include_str!("stripe_js/card_page.js");

pub fn routes() -> Router<StripeEmulator> {
    Router::new()
        .route("/js/v3/", get(script))
        .route("/js/v3", get(script))
        .route("/_test/card-page", get(card_page))
        .route("/_test/card-page.js", get(card_page_script))
}

async fn script() -> impl IntoResponse {
    javascript(STRIPE_JS)
}

async fn card_page_script() -> impl IntoResponse {
    javascript(CARD_PAGE_JS)
}

fn javascript(source: &'static str) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            // Always the build's own copy: a stale cached stand-in would confuse a test run.
            (header::CACHE_CONTROL, "no-store"),
        ],
        source,
    )
}

/// `?client_secret=pi_..._secret_...` (or `seti_...`) and optional `&payment_method=pm_...` to
/// confirm with a saved card instead of the form. The outcome is written into `#result` with
/// `data-outcome` set to `succeeded`, `error` or the intent's status.
async fn card_page(State(emulator): State<StripeEmulator>) -> Html<String> {
    let publishable_key = emulator.publishable_key();
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Stripe.js stand-in test page</title></head>
<body>
<main>
  <h1>Card test page</h1>
  <form id="payment-form" data-publishable-key="{publishable_key}">
    <label for="card-element">Card</label>
    <div id="card-element" style="border:1px solid #999;padding:6px;max-width:520px"></div>
    <p id="card-errors" role="alert"></p>
    <button id="confirm" type="submit">Confirm</button>
  </form>
  <p id="result" data-outcome=""></p>
</main>
<script src="../js/v3/"></script>
<script src="card-page.js"></script>
</body>
</html>
"#
    ))
}
