import { expect, test } from '@playwright/test';
import { RIVERSIDE, signIn, waitForHydration } from './fixtures';

// Every script and wasm file a page's hydration loads is announced in its head, so the browser
// fetches it with the page instead of one round trip after another once hydration starts.
for (const path of ['/billing', '/billing/purchase']) {
  test(`${path} preloads every script and wasm file its hydration loads`, async ({ page }) => {
    await signIn(page, RIVERSIDE.email);
    await expect(page).toHaveURL(/\/billing$/);
    await page.goto(path);
    await waitForHydration(page);
    const { loaded, preloaded } = await page.evaluate(() => ({
      loaded: performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && /^\/pkg\/.*\.(js|wasm)$/.test(url.pathname))
        .map((url) => url.pathname),
      preloaded: [...document.querySelectorAll<HTMLLinkElement>('link[rel=modulepreload], link[rel=preload]')].map(
        (link) => new URL(link.href).pathname,
      ),
    }));
    // The app's module, its wasm and the wasm-split loader, at least (and on the purchase page
    // the purchase form's own wasm chunk).
    expect(loaded.length).toBeGreaterThanOrEqual(path === '/billing' ? 3 : 4);
    expect(loaded.filter((file) => !preloaded.includes(file))).toEqual([]);
    // Each fetched once: a preload the page's own fetch could not reuse would show twice.
    expect(loaded.filter((file, at) => loaded.indexOf(file) !== at)).toEqual([]);
  });
}
