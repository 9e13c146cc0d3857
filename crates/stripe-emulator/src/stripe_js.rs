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

pub fn routes() -> Router<StripeEmulator> {
    Router::new()
        .route("/js/v3/", get(script))
        .route("/js/v3", get(script))
        .route("/_test/card-page", get(card_page))
}

async fn script() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            // Always the build's own copy: a stale cached stand-in would confuse a test run.
            (header::CACHE_CONTROL, "no-store"),
        ],
        STRIPE_JS,
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
  <form id="payment-form">
    <label for="card-element">Card</label>
    <div id="card-element" style="border:1px solid #999;padding:6px;max-width:520px"></div>
    <p id="card-errors" role="alert"></p>
    <button id="confirm" type="submit">Confirm</button>
  </form>
  <p id="result" data-outcome=""></p>
</main>
<script src="../js/v3/"></script>
<script>
  const query = new URLSearchParams(location.search);
  const secret = query.get('client_secret') || '';
  const savedPaymentMethod = query.get('payment_method');
  const stripe = Stripe('{publishable_key}');
  const card = stripe.elements().create('card');
  card.mount('#card-element');
  card.on('change', (event) => {{
    document.getElementById('card-errors').textContent = event.error ? event.error.message : '';
  }});
  document.getElementById('payment-form').addEventListener('submit', async (event) => {{
    event.preventDefault();
    const data = {{ payment_method: savedPaymentMethod || {{ card, billing_details: {{ name: 'Test Cardholder' }} }} }};
    const result = secret.startsWith('seti_')
      ? await stripe.confirmCardSetup(secret, data)
      : await stripe.confirmCardPayment(secret, data);
    const out = document.getElementById('result');
    if (result.error) {{
      const e = result.error;
      out.dataset.outcome = 'error';
      out.textContent = `error: ${{e.type}} ${{e.code || ''}} ${{e.decline_code || ''}}: ${{e.message}}`;
    }} else {{
      const intent = result.paymentIntent || result.setupIntent;
      out.dataset.outcome = intent.status;
      out.textContent = `${{intent.status}}: ${{intent.id}}`;
    }}
  }});
</script>
</body>
</html>
"#
    ))
}
