import { expect, type APIRequestContext, type Page } from '@playwright/test';
import accounts from '../accounts.json';

// The admins start-server.sh makes from the same file before the server starts.
export const PASSWORD = accounts.password;
export const RIVERSIDE = accounts.admins.riverside;
export const HILLCREST = accounts.admins.hillcrest;
/** Admins of institutions 1 to 30 that only one test each buys for, so pools never mix. */
export type Buyer = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30;
export function buyer(n: Buyer) {
  return accounts.buyers[n - 1];
}

/** The app sets data-hydrated on <body> once the wasm has hydrated the page's islands (pages
 *  with islands only: sign-in loads no wasm). */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Types a card into the Stripe card Element (the offline stand-in's plain fields). */
export async function typeCard(page: Page, number: string) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiration date').fill('12 / 34');
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel('ZIP').fill('94103');
}

/** Types a US bank account into the Payment Element's bank tab: Stripe's test routing number and
 *  one of its test account numbers (000123456789 succeeds; others fail as Stripe documents). */
export async function typeBankAccount(page: Page, account: string) {
  await page.getByRole('tab', { name: 'US bank account' }).click();
  await page.getByLabel('Account holder name').fill('Buyer College');
  await page.getByLabel('Routing number').fill('110000000');
  await page.getByLabel('Account number').fill(account);
}

const EMULATOR_API = '/_emulator/stripe/v1';

/** The emulator's secret key (a new one at each start), which it shows to this machine only. */
export async function emulatorAuth(request: APIRequestContext) {
  const response = await request.get('/_emulator/stripe/');
  expect(response.status()).toBe(200);
  const { secret_key } = await response.json();
  return { Authorization: `Bearer ${secret_key}` };
}

/** A call to the emulator's API as the app's server would make it; its JSON. */
export async function emulator(request: APIRequestContext, path: string, form?: Record<string, string>) {
  const headers = await emulatorAuth(request);
  const response = form
    ? await request.post(`${EMULATOR_API}/${path}`, { headers, form })
    : await request.get(`${EMULATOR_API}/${path}`, { headers });
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

/** The newest purchase of the signed-in institution, as the REST API shows it. */
export async function latestPurchase(request: APIRequestContext) {
  const response = await request.get('/api/sessions/purchases');
  expect(response.status()).toBe(200);
  return (await response.json()).data[0];
}
