import { expect, type Page } from '@playwright/test';
import accounts from '../accounts.json';

// The admins start-server.sh makes from the same file before the server starts.
export const PASSWORD = accounts.password;
export const RIVERSIDE = accounts.admins.riverside;
export const HILLCREST = accounts.admins.hillcrest;
/** Admins of institutions 1 to 21 that only one test each buys for, so pools never mix. */
export type Buyer = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21;
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
