import { expect, test, type Page } from '@playwright/test';
import { buyer, signIn, typeCard, waitForHydration } from './fixtures';

// What a finance office checks, at a phone's width and a desk's: billing details edited on the
// billing page are printed on the next invoice; a refund (made "in the Stripe dashboard",
// here the emulator's API) shows its credit note under the invoice, which can be emailed again.
// Each test uses its own institution.

const API = '/_emulator/stripe/v1';

async function openBilling(page: Page, email: string) {
  await signIn(page, email);
  await expect(page).toHaveURL(/\/billing$/);
  await waitForHydration(page);
}

/** Buys one session with 4242 on the purchase page, then comes back to billing. */
async function buyOneSession(page: Page) {
  await page.goto('/billing/purchase');
  await waitForHydration(page);
  await expect(page.getByLabel('Card number')).toBeVisible();
  await expect(page.getByTestId('pay')).toBeEnabled();
  await page.getByLabel('Number of sessions').fill('1');
  await typeCard(page, '4242 4242 4242 4242');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-success')).toContainText('1 sessions added');
  await page.goto('/billing');
  await waitForHydration(page);
}

/** The newest invoice's row, once it is paid (the page reloads itself when it is issued). */
async function paidInvoice(page: Page) {
  const row = page.getByTestId('invoice-list').locator('li[data-invoice-id]').first();
  await expect(row.locator('.badge')).toHaveText('paid', { timeout: 20_000 });
  return row;
}

for (const [width, details, refund] of [[375, 16, 17], [1280, 18, 19]] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('billing details edited on the billing page are printed on the next invoice', async ({ page }) => {
      await openBilling(page, buyer(details).email);
      const panel = page.locator('#billing-details');
      const legalName = `Buyer College ${details} Board of Trustees`;
      await panel.getByLabel('Legal name').fill(legalName);
      await panel.getByLabel('Billing emails').fill(`ap${details}@college.test, bursar${details}@college.test`);
      await panel.getByLabel('Address line 1').fill(`${details} College Road`);
      await panel.getByLabel('City').fill('Springfield');
      await panel.getByLabel('Postal code').fill('62701');
      const country = panel.getByLabel('Country (two letters, such as US or DE)');
      await country.fill('USA');
      await panel.getByRole('button', { name: 'Add a tax ID' }).click();
      await panel.getByLabel('Tax ID type').last().selectOption('eu_vat');
      await panel.getByLabel('Tax ID number').last().fill('DE 123 456 789');
      const save = panel.getByRole('button', { name: 'Save billing details' });
      const status = panel.locator('#billing-details-status');

      // A refused field is named and focused, and nothing typed is lost.
      await save.click();
      await expect(status).toContainText('"address.country" must be a two-letter ISO country code');
      await expect(country).toBeFocused();
      await expect(panel.getByLabel('Legal name')).toHaveValue(legalName);
      await expect(panel.getByLabel('Tax ID number').last()).toHaveValue('DE 123 456 789');

      await country.fill('us');
      await save.click();
      await expect(status).toHaveText('Saved. Your next invoice carries these details.');
      await expect(country).toHaveValue('US');

      // Kept: shown again after a reload, with the tax authority's answer.
      await page.reload();
      await waitForHydration(page);
      await expect(panel.getByLabel('Legal name')).toHaveValue(legalName);
      await expect(panel.getByLabel('Tax ID number')).toHaveValue('DE123456789');
      await expect(panel.locator('[data-verification]')).toHaveText('Verified');

      await buyOneSession(page);
      const row = await paidInvoice(page);
      const hosted = await page.request.get((await row.getByRole('link', { name: 'View' }).getAttribute('href'))!);
      const invoice = await hosted.text();
      expect(invoice).toContain(legalName);
      expect(invoice).toContain(`${details} College Road`);
      expect(invoice).toContain(`ap${details}@college.test`);
      expect(invoice).toContain('Tax ID: eu_vat DE123456789');
      expect(invoice).toContain(`Billing contacts: ap${details}@college.test, bursar${details}@college.test`);
    });

    test('a refund shows its credit note under the invoice, which can be emailed again', async ({ page }) => {
      await openBilling(page, buyer(refund).email);
      await buyOneSession(page);
      const row = await paidInvoice(page);
      const invoiceId = (await row.getAttribute('data-invoice-id'))!;
      const number = (await row.locator('strong').first().textContent())!;

      const purchases = await (await page.request.get('/api/sessions/purchases')).json();
      const keys = await (await page.request.get('/_emulator/stripe/')).json();
      const refunded = await page.request.post(`${API}/refunds`, {
        headers: { Authorization: `Bearer ${keys.secret_key}` },
        form: { payment_intent: purchases.data[0].payment_intent_id, amount: '500' },
      });
      expect(refunded.status()).toBe(200);

      // The credit note is issued in the background once Stripe reports the refund, and logged
      // just after Stripe has it (the invoice list can show it a moment before the log does).
      const note = page.locator(`li[data-invoice-id="${invoiceId}"]`).getByTestId('credit-notes').locator('li');
      const activity = page.getByTestId('activity').locator('li');
      await expect(async () => {
        await page.reload();
        await expect(note).toHaveCount(1, { timeout: 1_000 });
        await expect(activity.filter({ hasText: 'Credit note issued' })).toHaveCount(1, { timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await waitForHydration(page);
      await expect(note).toContainText(`Credit note ${number}-CN-01`);
      await expect(note).toContainText('$5.00');
      const pdf = await page.request.get((await note.getByRole('link', { name: 'PDF' }).getAttribute('href'))!);
      expect(pdf.headers()['content-type']).toBe('application/pdf');

      // Sent again from the list: the emulator's outbox holds the receipt and the copy.
      const invoiceRow = page.locator(`li[data-invoice-id="${invoiceId}"]`);
      await invoiceRow.getByRole('button', { name: 'Send again' }).click();
      await expect(invoiceRow.locator('.send-result')).toHaveText(' Sent to your billing email.');
      const outbox = await (await page.request.get('/_emulator/stripe/outbox')).json();
      expect(outbox.data.filter((email: { invoice: string }) => email.invoice === invoiceId)).toHaveLength(2);
    });
  });
}
