import { expect, test } from '@playwright/test';
import { RIVERSIDE, signIn, waitForHydration } from './fixtures';

// Every script a page's hydration imports is announced in its head, so the browser fetches it
// with the page instead of one round trip after another once hydration starts.
for (const path of ['/billing', '/billing/purchase']) {
  test(`${path} preloads every script its hydration imports`, async ({ page }) => {
    await signIn(page, RIVERSIDE.email);
    await expect(page).toHaveURL(/\/billing$/);
    await page.goto(path);
    await waitForHydration(page);
    const { loaded, preloaded } = await page.evaluate(() => ({
      loaded: performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && url.pathname.startsWith('/pkg/') && url.pathname.endsWith('.js'))
        .map((url) => url.pathname),
      preloaded: [...document.querySelectorAll<HTMLLinkElement>('link[rel=modulepreload]')].map(
        (link) => new URL(link.href).pathname,
      ),
    }));
    // The app's module and the wasm-split loader it imports, at least.
    expect(loaded.length).toBeGreaterThanOrEqual(2);
    expect(loaded.filter((script) => !preloaded.includes(script))).toEqual([]);
  });
}
