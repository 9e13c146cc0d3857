import { expect, test } from '@playwright/test';
import { RIVERSIDE, signIn, waitForHydration } from './fixtures';

// The pages work on a phone: nothing wider than a 375 px screen.
test.use({ viewport: { width: 375, height: 800 } });

for (const path of ['/billing', '/billing/purchase']) {
  test(`${path} has no horizontal scroll at 375 px`, async ({ page }) => {
    await signIn(page, RIVERSIDE.email);
    await expect(page).toHaveURL(/\/billing$/);
    await page.goto(path);
    await waitForHydration(page);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
  });
}
