import { defineConfig } from '@playwright/test';

// The server under test: the debug build made by `cargo leptos build --split`, on its own port and a
// fresh SQLite file, in offline test mode (the built-in Stripe emulator). See start-server.sh.
const port = Number(process.env.E2E_PORT ?? 3105);

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Pages format amounts and dates for the browser's Accept-Language; the tests expect en-US
    // whatever language the machine running them has.
    locale: 'en-US',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download cannot work offline.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: 'sh end2end/start-server.sh',
    cwd: '..',
    env: { E2E_PORT: String(port) },
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
