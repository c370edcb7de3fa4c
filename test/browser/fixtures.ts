// `engine`: one browser per worker with the harness page open, for whichever engine the project names.
import { test as base } from '@playwright/test';
import { launchEngine, type Engine, type EngineName } from './engines';

export const test = base.extend<{ engine: Engine }, { workerEngine: Engine }>({
  workerEngine: [async ({}, use, workerInfo) => {
    const name = workerInfo.project.name as EngineName;
    const baseURL = workerInfo.project.use.baseURL ?? 'http://127.0.0.1:4173';
    const engine = await launchEngine(name, `${baseURL}/index.html`);
    await use(engine);
    await engine.close();
  }, { scope: 'worker', timeout: 120_000 }],
  engine: async ({ workerEngine }, use) => {
    const before = workerEngine.errors.length;
    await use(workerEngine);
    // A test fails on any console error it caused (GL errors show up there).
    const fresh = workerEngine.errors.slice(before);
    if (fresh.length) throw new Error(`console errors: ${fresh.join('\n')}`);
  },
});

export { expect } from '@playwright/test';
