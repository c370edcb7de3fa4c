import { defineConfig } from '@playwright/test';

const port = Number(process.env.HARNESS_PORT ?? 4173);
/** The same harness page served cross-origin isolated (COOP and COEP headers). */
export const ISOLATED_PORT = Number(process.env.ISOLATED_PORT ?? 4175);
/** Where the tests find the playground (served by the project's own Vite config, as `npm run playground` does). */
export const PLAYGROUND_PORT = Number(process.env.PLAYGROUND_PORT ?? 4174);

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  // Software WebGL keeps both cores busy: one browser at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 10 * 60 * 1000,
  reporter: [['list'], ['json', { outputFile: 'reports/browser-results.json' }]],
  globalSetup: './test/browser/global-setup.ts',
  use: { baseURL: `http://127.0.0.1:${port}` },
  webServer: [{
    command: `npx vite --config test/browser/vite.config.ts --host 127.0.0.1 --port ${port}`,
    url: `http://127.0.0.1:${port}/index.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  }, {
    command: `ISOLATED=1 npx vite --config test/browser/vite.config.ts --host 127.0.0.1 --port ${ISOLATED_PORT}`,
    url: `http://127.0.0.1:${ISOLATED_PORT}/index.html`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  }, {
    command: `npx vite --config vite.config.ts --host 127.0.0.1 --port ${PLAYGROUND_PORT} --strictPort`,
    url: `http://127.0.0.1:${PLAYGROUND_PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  }],
  projects: [{ name: 'chromium' }, { name: 'firefox' }, { name: 'webkit' }],
});
