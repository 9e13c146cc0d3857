import { expect, test } from '@playwright/test';
import { HILLCREST, PASSWORD, RIVERSIDE, signIn, waitForHydration } from './fixtures';

test('sign in, stay signed in across a reload, sign out', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(RIVERSIDE.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByTestId('institution-name')).toHaveText(RIVERSIDE.institution);

  await page.reload();
  await expect(page.getByTestId('institution-name')).toHaveText(RIVERSIDE.institution);

  // Signed in, the sign-in page has nothing to offer: it sends the admin back to billing.
  await page.goto('/login');
  await expect(page).toHaveURL(/\/billing$/);

  await waitForHydration(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/billing');
  await expect(page).toHaveURL(/\/login$/);
});

test('a signed-out visit to billing lands on sign-in', async ({ page }) => {
  await page.goto('/billing');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('a wrong password is explained in place, without leaving the page', async ({ page }) => {
  await signIn(page, HILLCREST.email, 'not the password');
  await expect(page.getByRole('alert')).toHaveText('The email or password is incorrect.');
  // The form posted and the server sent the browser back to sign-in, with the error.
  await expect(page).toHaveURL(/\/login\?/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
});

test('sign-in downloads no wasm, and billing does', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(new URL(request.url()).pathname);
  });
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);

  await page.getByLabel('Email').fill(RIVERSIDE.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await waitForHydration(page);
  expect(wasm.length).toBeGreaterThan(0);
});

test('the password can be shown and hidden', async ({ page }) => {
  await page.goto('/login');
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('each admin sees only their own institution', async ({ page }) => {
  await signIn(page, HILLCREST.email);
  await expect(page.getByTestId('institution-name')).toHaveText(HILLCREST.institution);
  await expect(page.getByText(RIVERSIDE.institution)).toHaveCount(0);
});

test('offline test mode is announced on every page', async ({ page }) => {
  for (const path of ['/login', '/no-such-page']) {
    await page.goto(path);
    await expect(page.getByTestId('offline-banner')).toContainText('Offline test mode');
  }
});

test('an unknown page is a real 404 page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
