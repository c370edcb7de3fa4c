// One browser per worker and page, for whichever engine the project names: `engine` has the test harness open,
// `playground` the playground (served as `npm run playground` serves it).
import { test as base } from '@playwright/test';
import { ISOLATED_PORT, PLAYGROUND_PORT } from '../../playwright.config';
import { launchEngine, type Engine, type EngineName } from './engines';

export const PLAYGROUND_URL = `http://127.0.0.1:${PLAYGROUND_PORT}/`;

/** Fails the test on any console error it caused (GL errors show up there). */
async function noNewErrors(engine: Engine, use: (e: Engine) => Promise<void>): Promise<void> {
  const before = engine.errors.length;
  await use(engine);
  const fresh = engine.errors.slice(before);
  if (fresh.length) throw new Error(`console errors: ${fresh.join('\n')}`);
}

export const test = base.extend<{ engine: Engine; playground: Engine; isolated: Engine },
  { workerEngine: Engine; workerPlayground: Engine; workerIsolated: Engine }>({
  workerEngine: [async ({}, use, workerInfo) => {
    const baseURL = workerInfo.project.use.baseURL ?? 'http://127.0.0.1:4173';
    const engine = await launchEngine(workerInfo.project.name as EngineName, `${baseURL}/index.html`);
    await use(engine);
    await engine.close();
  }, { scope: 'worker', timeout: 120_000 }],
  workerPlayground: [async ({}, use, workerInfo) => {
    const engine = await launchEngine(workerInfo.project.name as EngineName, PLAYGROUND_URL, 'playground');
    await use(engine);
    await engine.close();
  }, { scope: 'worker', timeout: 120_000 }],
  // The harness served cross-origin isolated: SharedArrayBuffer where the browser has it.
  workerIsolated: [async ({}, use, workerInfo) => {
    const engine = await launchEngine(workerInfo.project.name as EngineName,
      `http://127.0.0.1:${ISOLATED_PORT}/index.html`);
    await use(engine);
    await engine.close();
  }, { scope: 'worker', timeout: 120_000 }],
  engine: async ({ workerEngine }, use) => noNewErrors(workerEngine, use),
  isolated: async ({ workerIsolated }, use) => noNewErrors(workerIsolated, use),
  playground: async ({ workerPlayground }, use) => noNewErrors(workerPlayground, use),
});

export { expect } from '@playwright/test';
