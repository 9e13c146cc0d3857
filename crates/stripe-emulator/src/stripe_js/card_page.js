// The card test page's behaviour (see stripe_js.rs), served as a file so that a page under a
// Content-Security-Policy without inline scripts runs it.
const query = new URLSearchParams(location.search);
const secret = query.get('client_secret') || '';
const savedPaymentMethod = query.get('payment_method');
const stripe = Stripe(document.getElementById('payment-form').dataset.publishableKey);
const card = stripe.elements().create('card');
card.mount('#card-element');
card.on('change', (event) => {
  document.getElementById('card-errors').textContent = event.error ? event.error.message : '';
});
document.getElementById('payment-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = { payment_method: savedPaymentMethod || { card, billing_details: { name: 'Test Cardholder' } } };
  const result = secret.startsWith('seti_')
    ? await stripe.confirmCardSetup(secret, data)
    : await stripe.confirmCardPayment(secret, data);
  const out = document.getElementById('result');
  if (result.error) {
    const e = result.error;
    out.dataset.outcome = 'error';
    out.textContent = `error: ${e.type} ${e.code || ''} ${e.decline_code || ''}: ${e.message}`;
  } else {
    const intent = result.paymentIntent || result.setupIntent;
    out.dataset.outcome = intent.status;
    out.textContent = `${intent.status}: ${intent.id}`;
  }
});
