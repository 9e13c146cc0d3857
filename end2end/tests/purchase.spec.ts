import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, buyer, signIn, typeCard, waitForHydration } from './fixtures';

// SessionPurchase end to end, through the embedded Stripe emulator and its Stripe.js stand-in.
// Each test buys for its own institution, so parallel tests never share a session pool.

async function openPurchasePage(page: Page, email: string) {
  await signIn(page, email);
  await expect(page).toHaveURL(/\/billing$/);
  await page.goto('/billing/purchase');
  await waitForHydration(page);
  // The Payment Element is mounted once Stripe.js has loaded.
  await expect(page.getByLabel('Card number')).toBeVisible();
  await expect(page.getByTestId('pay')).toBeEnabled();
}

async function pool(page: Page) {
  return page.getByTestId('pool-available');
}

async function purchases(page: Page) {
  const response = await page.request.get('/api/sessions/purchases');
  expect(response.status()).toBe(200);
  return (await response.json()).data as { status: string; quantity: number; amount: number }[];
}

test('10 annual sessions paid with 4242 4242 4242 4242 add 10 to the pool', async ({ page }) => {
  await openPurchasePage(page, buyer(1).email);
  await expect(await pool(page)).toHaveText('0');
  await expect(page.getByTestId('order-total')).toContainText('$200.00');

  await typeCard(page, '4242 4242 4242 4242');
  await page.getByTestId('pay').click();

  await expect(page.getByTestId('purchase-success')).toContainText(
    'Payment received: 10 sessions added. Your institution now has 10 sessions available.',
  );
  await expect(await pool(page)).toHaveText('10');
  await page.reload();
  await expect(await pool(page)).toHaveText('10');
  await page.goto('/billing');
  await expect(page.getByTestId('pool-available')).toHaveText('10');
  expect(await purchases(page)).toMatchObject([{ status: 'completed', quantity: 10, amount: 20000 }]);
});

test('the pay button is disabled and says what is happening while the payment runs', async ({ page }) => {
  await openPurchasePage(page, buyer(5).email);
  await typeCard(page, '4000 0025 0000 3155');
  await page.getByTestId('pay').click();
  // The 3-D Secure dialog holds the payment open, so its in-between state can be seen.
  await expect(page.getByRole('dialog')).toBeVisible();
  await expect(page.getByTestId('pay')).toBeDisabled();
  await expect(page.getByTestId('pay')).toHaveText('Confirming with your bank…');
  await expect(page.getByLabel('Number of sessions')).toBeDisabled();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page.getByTestId('purchase-success')).toBeVisible();
  await expect(page.getByTestId('pay')).toHaveText('Pay $200.00');
});

test('a declined card is explained, the pool is unchanged, and another card can pay the same purchase', async ({ page }) => {
  await openPurchasePage(page, buyer(2).email);
  await typeCard(page, '4000 0000 0000 0002');
  await page.getByTestId('pay').click();

  const error = page.getByTestId('purchase-error');
  await expect(error).toContainText('The card was declined.');
  await expect(error).toContainText('You have not been charged.');
  await expect(page.getByTestId('purchase-success')).toHaveCount(0);
  await expect(await pool(page)).toHaveText('0');
  const poolNow = await page.request.get('/api/sessions/pool');
  expect((await poolNow.json()).available).toBe(0);
  expect(await purchases(page)).toMatchObject([{ status: 'failed' }]);

  // Retrying the same order confirms the same PaymentIntent with the new card: one purchase.
  await expect(page.getByTestId('pay')).toBeEnabled();
  await typeCard(page, '4242 4242 4242 4242');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-success')).toBeVisible();
  expect(await purchases(page)).toMatchObject([{ status: 'completed', quantity: 10 }]);
  expect(await purchases(page)).toHaveLength(1);
  await page.reload();
  await expect(await pool(page)).toHaveText('10');
});

test('a 3-D Secure card pays once the check is completed', async ({ page }) => {
  await openPurchasePage(page, buyer(3).email);
  await typeCard(page, '4000 0025 0000 3155');
  await page.getByTestId('pay').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page.getByTestId('purchase-success')).toContainText('10 sessions added');
  await page.reload();
  await expect(await pool(page)).toHaveText('10');
});

test('a failed 3-D Secure check is shown and nothing is added', async ({ page }) => {
  await openPurchasePage(page, buyer(4).email);
  await typeCard(page, '4000 0025 0000 3155');
  await page.getByTestId('pay').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Fail authentication' }).click();
  await expect(page.getByTestId('purchase-error')).toContainText('3-D Secure');
  await page.reload();
  await expect(await pool(page)).toHaveText('0');
  expect(await purchases(page)).toMatchObject([{ status: 'failed' }]);
});

test('the total follows the plan and quantity, and bad quantities are refused before paying', async ({ page }) => {
  await openPurchasePage(page, buyer(6).email);
  await page.getByLabel('Quarterly').check();
  await page.getByLabel('Number of sessions').fill('3');
  await expect(page.getByTestId('order-total')).toContainText('$75.00');
  await expect(page.getByTestId('order-total')).toContainText('3 sessions × $25.00');
  await expect(page.getByTestId('pay')).toHaveText('Pay $75.00');

  await page.getByLabel('Number of sessions').fill('0');
  await expect(page.getByTestId('order-total')).toContainText('Choose between 1 and 10000 sessions');
  await expect(page.getByTestId('pay')).toBeDisabled();
  await page.getByLabel('Number of sessions').fill('2.5');
  await expect(page.getByTestId('order-total')).toContainText('Enter a whole number of sessions.');
  await expect(page.getByTestId('pay')).toBeDisabled();
  expect(await purchases(page)).toEqual([]);
});

test('without JavaScript the purchase page says what is needed', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Sign-in works without JavaScript (a plain form post).
  await page.goto('/login');
  await page.getByLabel('Email').fill(buyer(6).email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await page.goto('/billing/purchase');
  await expect(page.getByTestId('needs-javascript')).toContainText('Paying needs JavaScript');
  await expect(page.getByTestId('pay')).toBeDisabled();
  await context.close();
});

test('a payment the bank disputes is shown in words and its sessions are held back', async ({ page }) => {
  await openPurchasePage(page, buyer(13).email);
  await page.getByLabel('Number of sessions').fill('3');
  // Stripe's test card for a payment disputed right after it succeeds.
  await typeCard(page, '4000 0000 0000 0259');
  await page.getByTestId('pay').click();
  // Stripe reports the dispute just after the payment: either notice may come first.
  await expect(page.getByTestId('purchase-success').or(page.getByTestId('purchase-disputed'))).toBeVisible();
  await expect
    .poll(async () => (await purchases(page))[0]?.status, { message: 'the dispute reached the app' })
    .toBe('disputed');

  await page.goto('/billing');
  await waitForHydration(page);
  const row = page.getByTestId('purchase-history').locator('tbody tr').first();
  await expect(row).toContainText('Disputed by the bank');
  await expect(row).toContainText('its sessions are on hold until the dispute is decided');
  await expect(page.getByTestId('pool-empty')).toHaveText('No sessions available right now.');
});

// At a phone's width and a desk's, each with its own institution.
for (const [width, n] of [[375, 15], [1280, 20]] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('a PO number given with the order is on the invoice, in the history and in the CSV', async ({ page }) => {
      await openPurchasePage(page, buyer(n).email);
      await page.getByLabel('Number of sessions').fill('2');
      await page.getByLabel('PO number (optional)').fill('PO-E2E-0007');
      await typeCard(page, '4242 4242 4242 4242');
      await page.getByTestId('pay').click();
      await expect(page.getByTestId('purchase-success')).toContainText('2 sessions added');

      await page.goto('/billing');
      await waitForHydration(page);
      const row = page.getByTestId('purchase-history').locator('tbody tr').first();
      await expect(row.getByTestId('po-number')).toHaveText('PO PO-E2E-0007');
      // The history's invoice link leads to Stripe's page for the invoice, which prints it.
      const invoiceLink = row.getByTestId('invoice-link');
      await expect(invoiceLink).toBeVisible();
      const invoice = await page.request.get((await invoiceLink.getAttribute('href'))!);
      expect(await invoice.text()).toContain('PO number: PO-E2E-0007');

      const csv = await (await page.request.get('/api/sessions/purchases.csv')).text();
      const [header, first] = csv.split('\r\n');
      expect(header.split(',').at(-1)).toBe('PO number');
      expect(first.split(',').at(-1)).toBe('PO-E2E-0007');
    });
  });
}
