import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { emulatorAuth, typeCard } from './fixtures';

// The Stripe.js stand-in on its own: the emulator's bare test page mounts a card element and
// confirms a PaymentIntent that the test makes through the emulator's REST API, as the app's
// server would.

const API = '/_emulator/stripe/v1';

async function createPaymentIntent(request: APIRequestContext, amount = 2000) {
  const response = await request.post(`${API}/payment_intents`, {
    headers: await emulatorAuth(request),
    form: { amount: String(amount), currency: 'usd' },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as { id: string; client_secret: string };
}

async function retrieve(request: APIRequestContext, id: string) {
  const response = await request.get(`${API}/payment_intents/${id}`, {
    headers: await emulatorAuth(request),
  });
  return response.json();
}

async function openCardPage(page: Page, clientSecret: string) {
  await page.goto(`/_emulator/stripe/_test/card-page?client_secret=${encodeURIComponent(clientSecret)}`);
  await expect(page.getByLabel('Card number')).toBeVisible();
}


test('4242 4242 4242 4242 pays the intent', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  await typeCard(page, '4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Confirm' }).click();

  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'succeeded');
  await expect(page.locator('#result')).toHaveText(`succeeded: ${intent.id}`);
  const stored = await retrieve(request, intent.id);
  expect(stored.status).toBe('succeeded');
  expect(stored.amount_received).toBe(2000);
});

test('4000 0000 0000 0002 shows the decline', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  await typeCard(page, '4000 0000 0000 0002');
  await page.getByRole('button', { name: 'Confirm' }).click();

  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'error');
  await expect(page.locator('#result')).toHaveText('error: card_error card_declined generic_decline: Your card was declined.');
  expect((await retrieve(request, intent.id)).status).toBe('requires_payment_method');
});

test('4000 0025 0000 3155 shows the 3-D Secure dialog; completing it pays', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  await typeCard(page, '4000 0025 0000 3155');
  await page.getByRole('button', { name: 'Confirm' }).click();

  const dialog = page.getByRole('dialog', { name: '3D Secure test payment' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'succeeded');
  expect((await retrieve(request, intent.id)).status).toBe('succeeded');
});

test('4000 0025 0000 3155 shows the 3-D Secure dialog; failing it declines', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  await typeCard(page, '4000 0025 0000 3155');
  await page.getByRole('button', { name: 'Confirm' }).click();

  const dialog = page.getByRole('dialog', { name: '3D Secure test payment' });
  await dialog.getByRole('button', { name: 'Fail authentication' }).click();
  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'error');
  await expect(page.locator('#result')).toContainText('payment_intent_authentication_failure');
  const stored = await retrieve(request, intent.id);
  expect(stored.status).toBe('requires_payment_method');
  expect(stored.last_payment_error.code).toBe('payment_intent_authentication_failure');
});

test('the card element reports validation errors through its change event', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  await page.getByLabel('Card number').fill('4242 4242 4242 4241');
  await expect(page.locator('#card-errors')).toHaveText('Your card number is invalid.');
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await expect(page.locator('#card-errors')).toHaveText('');
  // Confirming an incomplete card fails in the browser, without calling the API.
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'error');
  await expect(page.locator('#result')).toContainText('validation_error');
  expect((await retrieve(request, intent.id)).status).toBe('requires_payment_method');
});

test('a saved payment method id confirms without the card form', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await page.goto(
    `/_emulator/stripe/_test/card-page?client_secret=${encodeURIComponent(intent.client_secret)}&payment_method=pm_card_visa`,
  );
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'succeeded');
});

test('confirmCardSetup saves a 3-D Secure card after the challenge', async ({ page, request }) => {
  const response = await request.post(`${API}/setup_intents`, {
    headers: await emulatorAuth(request),
    form: { usage: 'off_session' },
  });
  const setup = await response.json();
  await openCardPage(page, setup.client_secret);
  await typeCard(page, '4000 0027 6000 3184');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('dialog', { name: '3D Secure test payment' }).getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page.locator('#result')).toHaveAttribute('data-outcome', 'succeeded');
  await expect(page.locator('#result')).toHaveText(`succeeded: ${setup.id}`);
});

test('a card element can be unmounted, remounted and destroyed', async ({ page, request }) => {
  const intent = await createPaymentIntent(request);
  await openCardPage(page, intent.client_secret);
  const state = await page.evaluate(() => {
    const stripe = (window as any).Stripe('pk_test_lifecycle');
    const elements = stripe.elements();
    const host = document.createElement('div');
    host.id = 'second-host';
    document.body.appendChild(host);
    const card = elements.create('card', { hidePostalCode: true });
    const changes: any[] = [];
    card.on('change', (e: any) => changes.push(e));
    card.mount('#second-host');
    const mounted = host.querySelectorAll('input').length;
    const postalHidden = (host.querySelector('input[name=postal]') as HTMLInputElement).style.display === 'none';
    card.unmount();
    const afterUnmount = host.querySelectorAll('input').length;
    card.mount(host);
    const remounted = host.querySelectorAll('input').length;
    const number = host.querySelector('input[name=cardnumber]') as HTMLInputElement;
    number.value = '4242424242424242';
    number.dispatchEvent(new Event('input'));
    card.destroy();
    let mountAfterDestroy = '';
    try { card.mount(host); } catch (e: any) { mountAfterDestroy = e.name; }
    return { mounted, postalHidden, afterUnmount, remounted, afterDestroy: host.querySelectorAll('input').length,
      lastChange: changes[changes.length - 1], mountAfterDestroy, recreated: !!elements.create('card') };
  });
  expect(state.mounted).toBe(4);
  expect(state.postalHidden).toBe(true);
  expect(state.afterUnmount).toBe(0);
  expect(state.remounted).toBe(4);
  expect(state.afterDestroy).toBe(0);
  expect(state.lastChange).toMatchObject({ elementType: 'card', empty: false, complete: false, brand: 'visa' });
  expect(state.mountAfterDestroy).toBe('IntegrationError');
  expect(state.recreated).toBe(true);
});
