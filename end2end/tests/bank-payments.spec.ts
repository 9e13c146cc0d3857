import { expect, test, type Page } from '@playwright/test';
import {
  buyer,
  emulator,
  latestPurchase,
  signIn,
  typeBankAccount,
  typeCard,
  waitForHydration,
  type Buyer,
} from './fixtures';

// The Payment Element's other ways to pay, through the embedded emulator: ACH debits that
// settle days later (here, when the emulator's test helper says the bank answered), bank
// transfers paid in parts, saved bank accounts, and a card whose bank authenticates on its own
// page (a redirect and back). Each test buys for its own institution.

async function openPurchasePage(page: Page, n: Buyer) {
  await signIn(page, buyer(n).email);
  await expect(page).toHaveURL(/\/billing$/);
  await page.goto('/billing/purchase');
  await waitForHydration(page);
  await expect(page.getByRole('tab', { name: 'Card' })).toBeVisible();
  await expect(page.getByTestId('pay')).toBeEnabled();
}

/** The bank answers the newest purchase's debit now (the emulator's test helper). */
async function bankAnswers(page: Page) {
  const purchase = await latestPurchase(page.request);
  await emulator(page.request, `test_helpers/payment_intents/${purchase.payment_intent_id}/settle_bank_debit`, {});
}

/** `amount` cents arrive by bank transfer for the newest purchase, quoting its reference. */
async function transferArrives(page: Page, amount: number) {
  const purchase = await latestPurchase(page.request);
  const intent = await emulator(page.request, `payment_intents/${purchase.payment_intent_id}`);
  await emulator(page.request, `test_helpers/customers/${intent.customer}/fund_cash_balance`, {
    amount: String(amount),
    currency: 'usd',
    reference: purchase.bank_transfer.reference,
  });
}

test('an ACH debit is processing, then the pool grows when the bank confirms it, without a reload', async ({ page }) => {
  await openPurchasePage(page, 22);
  await page.getByLabel('Number of sessions').fill('5');
  await typeBankAccount(page, '000123456789');
  await page.getByTestId('pay').click();

  await expect(page.getByTestId('purchase-processing')).toContainText(
    'Processing — sessions are added when your bank confirms the debit',
  );
  await expect(page.getByTestId('pool-available')).toHaveText('0');
  expect(await latestPurchase(page.request)).toMatchObject({
    status: 'processing',
    payment_method_type: 'us_bank_account',
  });

  await bankAnswers(page);
  await expect(page.getByTestId('purchase-success')).toContainText('5 sessions added');
  await expect(page.getByTestId('pool-available')).toHaveText('5');
});

test('debits the bank returns show the bank\'s reason and add nothing', async ({ page }) => {
  await openPurchasePage(page, 23);
  for (const [account, reason] of [
    ['000222222227', 'insufficient funds'],
    ['000111111113', 'has been closed'],
    ['000333333335', 'unauthorized'],
  ]) {
    await typeBankAccount(page, account);
    await page.getByTestId('pay').click();
    await expect(page.getByTestId('purchase-processing')).toBeVisible();
    await bankAnswers(page);
    await expect(page.getByTestId('purchase-error')).toContainText(reason);
    await expect(page.getByTestId('pool-available')).toHaveText('0');
  }
  expect(await latestPurchase(page.request)).toMatchObject({ status: 'failed' });
});

test('a bank transfer shows where to pay, what remains after half arrived, and adds the sessions once all of it has', async ({ page }) => {
  await openPurchasePage(page, 24);
  await page.getByLabel('Number of sessions').fill('4');
  await page.getByRole('tab', { name: 'Bank transfer' }).click();
  // Nothing to save for a transfer.
  await expect(page.getByLabel('Save this card or bank account for later purchases')).toBeHidden();
  await page.getByTestId('pay').click();

  const waiting = page.getByTestId('purchase-awaiting-transfer');
  await expect(waiting.getByTestId('transfer-amount')).toHaveText('$80.00');
  await expect(waiting.getByTestId('transfer-routing')).toHaveText('110000000');
  const purchase = await latestPurchase(page.request);
  expect(purchase.status).toBe('awaiting_transfer');
  await expect(waiting.getByTestId('transfer-reference')).toHaveText(purchase.bank_transfer.reference);
  await expect(waiting.getByTestId('transfer-account')).toHaveText(purchase.bank_transfer.account_number);

  await transferArrives(page, 4000);
  await expect(waiting.getByTestId('transfer-progress')).toHaveText('$40.00 of $80.00 has arrived so far.');
  await expect(waiting.getByTestId('transfer-amount')).toHaveText('$40.00');
  await expect(page.getByTestId('pool-available')).toHaveText('0');

  // The billing page lists it with the same instructions, and a page to print.
  const billing = await page.context().newPage();
  await billing.goto('/billing');
  await expect(billing.locator('#bank-transfers').getByTestId('transfer-amount')).toHaveText('$40.00');
  await billing.locator('#bank-transfers').getByTestId('transfer-printable').click();
  await expect(billing.getByTestId('transfer-page')).toContainText('Pay by bank transfer');
  await expect(billing.getByTestId('transfer-reference')).toHaveText(purchase.bank_transfer.reference);
  await billing.close();

  await transferArrives(page, 4000);
  await expect(page.getByTestId('purchase-success')).toContainText('4 sessions added');
  await expect(page.getByTestId('pool-available')).toHaveText('4');
});

test('a bank account saved while paying pays the next purchase', async ({ page }) => {
  await openPurchasePage(page, 25);
  await page.getByLabel('Number of sessions').fill('2');
  await typeBankAccount(page, '000123456789');
  await page.getByLabel('Save this card or bank account for later purchases').check();
  // Saving leaves out what cannot be saved.
  await expect(page.getByRole('tab', { name: 'Bank transfer' })).toBeHidden();
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-processing')).toBeVisible();
  await bankAnswers(page);
  await expect(page.getByTestId('pool-available')).toHaveText('2');

  await page.reload();
  await waitForHydration(page);
  const saved = page.getByTestId('pay-with').getByLabel(/STRIPE TEST BANK •••• 6789 · bank account/);
  await expect(saved).toBeChecked();
  await page.getByLabel('Number of sessions').fill('3');
  await page.getByTestId('pay').click();
  await expect(page.getByTestId('purchase-processing')).toBeVisible();
  await bankAnswers(page);
  await expect(page.getByTestId('purchase-success')).toContainText('3 sessions added');
  await expect(page.getByTestId('pool-available')).toHaveText('5');
});

test('a card whose bank authenticates on its own page comes back and shows the outcome', async ({ page }) => {
  await openPurchasePage(page, 26);
  await page.getByLabel('Number of sessions').fill('2');
  await typeCard(page, '4000 0000 0000 3063');
  await page.getByTestId('pay').click();

  // Stripe.js leaves for the bank's page, which returns to ours with the intent.
  await expect(page.getByRole('heading', { name: '3D Secure test payment' })).toBeVisible();
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page).toHaveURL(/\/billing\/purchase\?purchase=.*payment_intent_client_secret=/);
  await expect(page.getByTestId('purchase-success')).toContainText('2 sessions added');
  await expect(page.getByTestId('pool-available')).toHaveText('2');

  // Failing the check there is explained the same way, and adds nothing.
  await page.goto('/billing/purchase');
  await waitForHydration(page);
  await typeCard(page, '4000 0000 0000 3063');
  await page.getByTestId('pay').click();
  await page.getByRole('button', { name: 'Fail authentication' }).click();
  await expect(page).toHaveURL(/payment_intent_client_secret=/);
  await expect(page.getByTestId('purchase-error')).toContainText('You have not been charged.');
  await expect(page.getByTestId('pool-available')).toHaveText('2');
});

test('the Payment Element takes its colours, font and corners from our stylesheet', async ({ page }) => {
  await openPurchasePage(page, 27);
  const selectedTab = page.getByRole('tab', { name: 'Card' });
  await expect(selectedTab).toHaveAttribute('aria-selected', 'true');
  const brand = await page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue('--brand').trim(),
  );
  expect(brand).toBe('#4f3ac9');
  await expect(selectedTab).toHaveCSS('color', 'rgb(79, 58, 201)');
  await expect(selectedTab).toHaveCSS('border-radius', '6px');
  const pageFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  await expect(page.locator('[data-stripe-standin="payment"]')).toHaveCSS('font-family', pageFont);
});

test('a bank account verified with microdeposits is debited once they match', async ({ page }) => {
  await openPurchasePage(page, 28);
  await page.getByLabel('Number of sessions').fill('2');
  await typeBankAccount(page, '000123456789');
  await page.getByLabel('Verify with two small deposits instead').check();
  await page.getByTestId('pay').click();

  const notice = page.getByTestId('purchase-verify-microdeposits');
  await expect(notice).toContainText('Verify your bank account to start the debit.');
  const [stripePage] = await Promise.all([
    page.context().waitForEvent('page'),
    notice.getByTestId('verify-microdeposits').click(),
  ]);
  await stripePage.getByLabel('First deposit (cents)').fill('32');
  await stripePage.getByLabel('Second deposit (cents)').fill('46');
  await stripePage.getByRole('button', { name: 'Verify' }).click();
  await expect(stripePage.getByRole('alert')).toContainText('do not match');
  await stripePage.getByLabel('First deposit (cents)').fill('32');
  await stripePage.getByLabel('Second deposit (cents)').fill('45');
  await stripePage.getByRole('button', { name: 'Verify' }).click();
  await expect(stripePage.getByRole('heading', { name: 'Bank account verified' })).toBeVisible();
  await stripePage.close();

  await expect(page.getByTestId('purchase-processing')).toContainText('Processing — sessions are added when your bank confirms the debit');
  await bankAnswers(page);
  await expect(page.getByTestId('purchase-success')).toContainText('2 sessions added');
});
