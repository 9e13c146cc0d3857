import { expect, type Page } from '@playwright/test';

// Made by start-server.sh before the server starts.
export const PASSWORD = 'e2e password 2026';
export const RIVERSIDE = { institution: 'Riverside University', email: 'admin@riverside.test' };
export const HILLCREST = { institution: 'Hillcrest Bootcamp', email: 'admin@hillcrest.test' };

/** The app sets data-hydrated on <body> once the wasm has taken over the server-rendered page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
