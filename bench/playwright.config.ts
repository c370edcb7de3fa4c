// `npm run bench`: not part of `npm test`. One Playwright "test" per engine drives bench/main.ts.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.BENCH_PORT ?? 4174);

export default defineConfig({
  testDir: '.',
  testMatch: 'bench.spec.ts',
  workers: 1,
  timeout: 3 * 60 * 60 * 1000,
  reporter: [['list']],
  globalSetup: '../test/browser/global-setup.ts',
  use: { baseURL: `http://127.0.0.1:${port}` },
  webServer: {
    command: `npx vite --config bench/vite.config.ts --host 127.0.0.1 --port ${port}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/index.html`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
  projects: [{ name: 'chromium' }, { name: 'firefox' }, { name: 'webkit' }],
});
