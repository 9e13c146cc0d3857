// Loads pages in Debian's Chromium for scripts/bench and prints one JSON line per load:
// the compressed bytes of our wasm, JS and CSS (everything under /pkg/; Stripe.js is not ours)
// the browser downloaded before the page became interactive, and how long after
// DOMContentLoaded that was. A page with islands is interactive once they are hydrated (the
// app sets data-hydrated on <body>); a page without (sign-in, a plain form) once it has loaded,
// and then everything it fetched until the network went quiet counts.
// Each load is a fresh browser context, so nothing comes from the cache.
//
// Nothing of Playwright's runs in the page until it is interactive: the page reports through a
// binding. (Asking for a locator right after load used to inject Playwright's selector engine,
// about 40 ms of script parsing on the page's main thread, which delayed the idle callback
// islands hydrate in and was counted as hydration.)
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

// Set before any page script runs: once the document is parsed, whether the page has islands;
// then the moment the page is interactive, from the page's clock. Either is reported through
// the binding `__pageLoad`.
const watchHydration = () => {
  document.addEventListener('DOMContentLoaded', () => {
    const islands = document.querySelectorAll('leptos-island').length;
    if (islands === 0) {
      window.__pageLoad('plain');
      return;
    }
    const hydrated = () => document.body.dataset.hydrated === 'true';
    const report = () => {
      window.__hydratedAt = performance.now();
      window.__pageLoad('hydrated');
    };
    if (hydrated()) {
      report();
      return;
    }
    new MutationObserver((_, observer) => {
      if (hydrated()) {
        observer.disconnect();
        report();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-hydrated'] });
  });
};

for (const path of paths) {
  for (let i = 0; i < Number(loads); i++) {
    const context = await browser.newContext(
      path === '/login' ? { locale: 'en-US' } : { locale: 'en-US', storageState: signedIn },
    );
    let reported;
    const report = new Promise((resolve) => {
      reported = resolve;
    });
    await context.exposeBinding('__pageLoad', (_, kind) => reported(kind));
    await context.addInitScript(watchHydration);
    const page = await context.newPage();
    const response = await page.goto(`${base}${path}`);
    if (response.status() !== 200 || new URL(page.url()).pathname !== path) {
      console.error(`${path} answered ${response.status()} at ${page.url()}`);
      process.exit(1);
    }
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${path} was not interactive within 30 s`)), 30_000);
    });
    const kind = await Promise.race([report, timeout]).finally(() => clearTimeout(timer));
    if (kind === 'plain') {
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
