// Loads pages in Debian's Chromium for scripts/bench and prints one JSON line per load:
// the compressed bytes of our wasm, JS and CSS (everything under /pkg/; Stripe.js is not ours)
// the browser downloaded before the page became interactive, and how long after
// DOMContentLoaded that was. A page with islands is interactive once they are hydrated (the
// app sets data-hydrated on <body>); a page without (sign-in, a plain form) once it has loaded,
// and then everything it fetched until the network went quiet counts.
// Each load is a fresh browser context, so nothing comes from the cache.
//
//   node end2end/bench/page-loads.mjs BASE_URL EMAIL PASSWORD LOADS PATH...
import { chromium } from '@playwright/test';

const [base, email, password, loads, ...paths] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

// Signed in once; each load's context starts from this cookie.
const signIn = await browser.newContext();
const login = await signIn.request.post(`${base}/api/auth/login`, {
  data: { email, password },
  headers: { Origin: base },
});
if (login.status() !== 200) {
  console.error(`sign-in answered ${login.status()}`);
  process.exit(1);
}
const signedIn = await signIn.storageState();
await signIn.close();

// Set before any page script runs: the moment the attribute appears, from the page's clock.
const watchHydration = () => {
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated === 'true') {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
};

for (const path of paths) {
  for (let i = 0; i < Number(loads); i++) {
    const context = await browser.newContext(
      path === '/login' ? { locale: 'en-US' } : { locale: 'en-US', storageState: signedIn },
    );
    await context.addInitScript(watchHydration);
    const page = await context.newPage();
    const response = await page.goto(`${base}${path}`);
    if (response.status() !== 200 || new URL(page.url()).pathname !== path) {
      console.error(`${path} answered ${response.status()} at ${page.url()}`);
      process.exit(1);
    }
    const islands = await page.locator('leptos-island').count();
    if (islands > 0) {
      await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 30_000 });
    } else {
      await page.waitForLoadState('networkidle');
      await page.evaluate(() => {
        window.__hydratedAt = performance.now();
      });
    }
    const load = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType('navigation');
      const files = performance
        .getEntriesByType('resource')
        .filter((r) => new URL(r.name).origin === location.origin
          && new URL(r.name).pathname.startsWith('/pkg/')
          && r.responseEnd <= window.__hydratedAt)
        .map((r) => ({ path: new URL(r.name).pathname, bytes: r.encodedBodySize }));
      return {
        islands: document.querySelectorAll('leptos-island').length,
        hydration_ms: window.__hydratedAt - navigation.domContentLoadedEventStart,
        html_bytes: navigation.encodedBodySize,
        bytes: files.reduce((sum, f) => sum + f.bytes, 0),
        files,
      };
    });
    console.log(JSON.stringify({ path, ...load }));
    await context.close();
  }
}
await browser.close();
