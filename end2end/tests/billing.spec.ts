import { expect, test, type Page } from '@playwright/test';
import { HILLCREST, buyer, signIn, typeCard, waitForHydration } from './fixtures';

// BillingControls end to end, through the embedded Stripe emulator and its Stripe.js stand-in:
// saved cards (SetupIntent), paying with a saved card, the dashboard catching up by itself
// after a purchase, finishing or canceling an unpaid purchase, and institutions
// kept apart. Each test uses its own institution.

async function openBilling(page: Page, email: string) {
  await signIn(page, email);
  await expect(page).toHaveURL(/\/billing$/);
  await waitForHydration(page);
}

/** Saves 4242 through the "Add a card" form; returns its list item. */
async function addCard(page: Page, makeDefault: boolean | null = null) {
  const panel = page.locator('#saved-cards');
  await panel.getByRole('button', { name: 'Add a card' }).click();
  await expect(panel.getByLabel('Card number')).toBeVisible();
  await typeCard(page, '4242 4242 4242 4242');
  if (makeDefault !== null) await panel.getByLabel('Make this the default payment method').setChecked(makeDefault);
  await panel.getByRole('button', { name: 'Save card' }).click();
  await expect(panel.getByTestId('cards-notice')).toHaveText('The card was saved.');
}

test('a card saved through a SetupIntent is listed, can be made default, and removed', async ({ page }) => {
  await openBilling(page, buyer(7).email);
  const panel = page.locator('#saved-cards');
  await expect(panel.getByTestId('cards-empty')).toBeVisible();

  // The first card becomes the default unless the admin says otherwise.
  await addCard(page, false);
  const cards = panel.getByTestId('saved-cards').locator('li');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Visa •••• 4242');
  await expect(cards.first()).not.toContainText('Default');

  await cards.first().getByRole('button', { name: 'Make Visa •••• 4242 the default card' }).click();
  await expect(panel.getByTestId('cards-notice')).toHaveText('Visa •••• 4242 is now your default card.');
  await expect(cards.first()).toContainText('Default');
  // Stripe holds the same: the API lists it as the default.
  const listed = await (await page.request.get('/api/stripe/payment-methods')).json();
  expect(listed.data).toHaveLength(1);
  expect(listed.data[0].is_default).toBe(true);

  await cards.first().getByRole('button', { name: 'Remove Visa •••• 4242' }).click();
  await cards.first().getByRole('button', { name: 'Yes, remove' }).click();
  await expect(panel.getByTestId('cards-notice')).toHaveText('Visa •••• 4242 was removed.');
  await expect(panel.getByTestId('cards-empty')).toBeVisible();
  const after = await (await page.request.get('/api/stripe/payment-methods')).json();
  expect(after.data).toHaveLength(0);
});

test('a declined card is not saved and the reason is shown', async ({ page }) => {
  await openBilling(page, buyer(8).email);
  const panel = page.locator('#saved-cards');
  await panel.getByRole('button', { name: 'Add a card' }).click();
  await typeCard(page, '4000 0000 0000 0002');
  await panel.getByRole('button', { name: 'Save card' }).click();
  await expect(panel.getByTestId('add-card-error')).toContainText('The card was declined.');
  await expect(panel.getByRole('button', { name: 'Save card' })).toBeEnabled();
  const listed = await (await page.request.get('/api/stripe/payment-methods')).json();
  expect(listed.data).toHaveLength(0);
});

test('a card whose bank authenticates on its own page is saved when the billing page opens again', async ({ page }) => {
  await openBilling(page, buyer(29).email);
  const panel = page.locator('#saved-cards');
  await panel.getByRole('button', { name: 'Add a card' }).click();
  await typeCard(page, '4000 0000 0000 3063');
  await panel.getByRole('button', { name: 'Save card' }).click();

  await expect(page.getByRole('heading', { name: '3D Secure test payment' })).toBeVisible();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(panel.getByTestId('cards-notice')).toHaveText('Visa •••• 3063 was saved.');
  // The address no longer names the intent: a reload does not ask again.
  await expect(page).toHaveURL(/\/billing$/);
  const cards = panel.getByTestId('saved-cards').locator('li');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Default');
  await page.reload();
  await waitForHydration(page);
  const added = page.getByTestId('activity').locator('li', { hasText: 'Card added' });
  await expect(added).toHaveCount(1);
  await expect(added).toContainText('Visa •••• 3063');
  const listed = await (await page.request.get('/api/stripe/payment-methods')).json();
  expect(listed.data).toHaveLength(1);
  expect(listed.data[0].is_default).toBe(true);
});

test('paying with a saved card updates the history, pool and invoice', async ({ page }) => {
  await openBilling(page, buyer(9).email);
  await expect(page.getByTestId('chart-empty')).toBeVisible();
  await addCard(page);

  await page.getByRole('link', { name: 'Buy sessions' }).click();
  await expect(page).toHaveURL(/\/billing\/purchase$/);
  await expect(page.getByLabel(/Visa •••• 4242 .* default/)).toBeChecked();
  // The new-card fields are out of the way while a saved card is chosen.
  await expect(page.getByLabel('Card number')).toBeHidden();
  await page.getByLabel('Number of sessions').fill('5');
  await expect(page.getByTestId('pay')).toHaveText('Pay $100.00');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-success')).toContainText('5 sessions added');

  await page.getByRole('link', { name: 'Back to billing' }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByTestId('pool-available')).toHaveText('5');
  const row = page.getByTestId('purchase-history').locator('tbody tr').first();
  await expect(row).toContainText('$100.00');
  await expect(row).toContainText('Completed');
  // The invoice is issued just after the payment; the page catches up by itself (it reloads
  // once the invoice is there, if it was not yet when the page loaded).
  await expect(row.getByTestId('invoice-link')).toBeVisible();
  await expect(page.getByTestId('invoice-list').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('invoice-list')).toContainText('$100.00');
  // The chart now has this month's bar, and its figures say the same.
  await expect(page.getByTestId('monthly-chart').locator('text.chart-value')).toHaveText(['5']);
  await page.getByText('Figures by month').click();
  await expect(page.getByTestId('chart-figures').locator('tbody tr').last()).toContainText(/5\s*\$100\.00/);

  // The history's link leads to Stripe's page for that invoice.
  const href = await row.getByTestId('invoice-link').getAttribute('href');
  const hosted = await page.request.get(href!, { maxRedirects: 0 });
  expect(hosted.status()).toBe(303);
  const invoices = await (await page.request.get('/api/stripe/invoices')).json();
  expect(hosted.headers()['location']).toBe(invoices.data[0].hosted_invoice_url);
});

test('a new card can be saved while paying, and is then offered next time', async ({ page }) => {
  await openBilling(page, buyer(10).email);
  await page.goto('/billing/purchase');
  await waitForHydration(page);
  await expect(page.getByTestId('pay-with')).toHaveCount(0);
  await typeCard(page, '4242 4242 4242 4242');
  await page.getByLabel('Save this card or bank account for later purchases').check();
  await page.getByLabel('Number of sessions').fill('1');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-success')).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('pay-with')).toContainText('Visa •••• 4242');
});

test('an unpaid purchase can be finished from the history, and another canceled', async ({ page }) => {
  await openBilling(page, buyer(11).email);
  // Two declined attempts, on separate visits, leave two unpaid purchases.
  for (const quantity of ['2', '3']) {
    await page.goto('/billing/purchase');
    await waitForHydration(page);
    await page.getByLabel('Number of sessions').fill(quantity);
    await typeCard(page, '4000 0000 0000 0002');
    await expect(page.getByTestId('pay')).toBeEnabled();
    await page.getByTestId('pay').click();
    await expect(page.getByTestId('purchase-error')).toContainText('declined');
  }

  await page.goto('/billing');
  await waitForHydration(page);
  const rows = page.getByTestId('purchase-history').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  const newest = rows.nth(0);
  const older = rows.nth(1);
  await expect(newest).toContainText('Failed');

  await older.getByRole('button', { name: 'Cancel' }).click();
  await older.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(rows.nth(1)).toContainText('Canceled');
  await expect(rows.nth(1).getByRole('link', { name: 'Pay now' })).toHaveCount(0);

  await newest.getByRole('link', { name: 'Pay now' }).click();
  await expect(page).toHaveURL(/resume=/);
  await expect(page.getByTestId('resumed-order')).toContainText('3 sessions');
  await expect(page.getByLabel('Card number')).toBeVisible();
  await typeCard(page, '4242 4242 4242 4242');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-success')).toContainText('3 sessions added');

  const all = await (await page.request.get('/api/sessions/purchases')).json();
  expect(all.data.map((p: { status: string }) => p.status)).toEqual(['completed', 'canceled']);
});

test("an admin of another institution never sees the first one's data", async ({ browser }) => {
  // Institution A has an unpaid purchase; Hillcrest (B) has nothing of its own.
  const a = await browser.newPage();
  await openBilling(a, buyer(12).email);
  await a.goto('/billing/purchase');
  await waitForHydration(a);
  await typeCard(a, '4000 0000 0000 0002');
  await a.getByLabel('Number of sessions').fill('4');
  await a.getByTestId('pay').click();
  await expect(a.getByTestId('purchase-error')).toBeVisible();
  const theirs = (await (await a.request.get('/api/sessions/purchases')).json()).data[0];

  const b = await browser.newPage();
  await openBilling(b, HILLCREST.email);
  await expect(b.getByTestId('history-empty')).toBeVisible();
  await expect(b.getByTestId('cards-empty')).toBeVisible();
  await expect(b.getByTestId('invoices-empty')).toBeVisible();
  await expect(b.locator('body')).not.toContainText(buyer(12).institution);
  // Following A's links does not work for B either.
  await b.goto(`/billing/purchase?resume=${theirs.id}`);
  await expect(b.getByRole('heading', { name: 'Buying sessions is unavailable' })).toBeVisible();
  expect((await b.request.get(`/api/sessions/purchases/${theirs.id}`)).status()).toBe(404);
});

// At a phone's width and a desk's, each with its own institution.
for (const [width, n] of [[375, 14], [1280, 21]] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('the activity panel records each action, by whom, and filters by kind', async ({ page }) => {
      const admin = buyer(n).email;
      await openBilling(page, admin);
      const activity = page.getByTestId('activity').locator('li');
      await expect(activity).toHaveCount(1);
      await expect(activity.first()).toContainText('Signed in');
      await expect(activity.first()).toContainText(`by ${admin}`);

      await addCard(page, false);
      await page.reload();
      await waitForHydration(page);
      await expect(activity.first()).toContainText('Card added');
      await expect(activity.first()).toContainText('Visa •••• 4242');
      await expect(activity).toHaveCount(2);

      await page.getByTestId('activity-kind').selectOption({ label: 'Sign-ins' });
      await expect(activity).toHaveCount(1);
      await expect(activity.first()).toContainText('Signed in');
      await page.getByTestId('activity-kind').selectOption({ label: 'Cards' });
      await expect(activity).toHaveCount(1);
      await expect(activity.first()).toContainText('Card added');

      const csv = await (await page.request.get('/api/audit-log.csv')).text();
      expect(csv.split('\r\n').filter((line) => line.length > 0)).toHaveLength(3);
    });
  });
}
