import { expect, test } from '@playwright/test';
import { RIVERSIDE, signIn, waitForHydration } from './fixtures';

// A German browser gets German number formats, on the server-rendered page and after the
// browser has taken over (it reads the locale back from <html lang>, so both agree).
test.use({ locale: 'de-DE' });

test('a de-DE browser sees amounts formatted in German before and after hydration', async ({ page }) => {
  await signIn(page, RIVERSIDE.email);
  await expect(page).toHaveURL(/\/billing$/);
  await page.goto('/billing/purchase');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de-DE');
  await expect(page.getByTestId('order-total')).toContainText('200,00\u00a0$');
  await waitForHydration(page);
  // Recomputed in the browser: the same conventions.
  await page.getByLabel('Number of sessions').fill('1234');
  await expect(page.getByTestId('order-total')).toContainText('24.680,00\u00a0$');
});
