// A module's functions called in a worker thread, each answer awaited for a bounded time: a call that never returns
// (an endless loop) fails the test that made it with a message, where the same call made in the test's own thread
// would stall the whole run. The module is bundled by Vite, as the browser gets it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'vite';

export interface BoundedModule {
  /**
   * `module[name](...args)` in the worker: its return value, or the message of what it threw. Rejects when no
   * answer comes within the bound (and starts a fresh worker for the next call).
   */
  call<T>(name: string, args: unknown[]): Promise<{ value: T } | { error: string }>;
  close(): Promise<void>;
}

const WRAPPER = `import { parentPort, workerData } from 'node:worker_threads';
const module = await import(workerData);
parentPort.on('message', ({ name, args }) => {
  try {
    parentPort.postMessage({ value: module[name](...args) });
  } catch (e) {
    parentPort.postMessage({ error: String(e?.message ?? e) });
  }
});
`;

/** Bundles `entry` and serves its exports from a worker; every call waits at most `boundMs` for its answer. */
export async function boundedModule(entry: URL, boundMs: number): Promise<BoundedModule> {
  const built = await build({
    configFile: false, logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: fileURLToPath(entry), formats: ['es'], fileName: 'module' } },
  });
  const bundle = Array.isArray(built) ? built[0] : built;
  if (!('output' in bundle)) throw new Error(`bundling ${entry.href} gave no output`);
  const dir = mkdtempSync(join(tmpdir(), 'bounded-'));
  let entryFile = '';
  for (const chunk of bundle.output) {
    writeFileSync(join(dir, chunk.fileName), chunk.type === 'chunk' ? chunk.code : chunk.source);
    if (chunk.type === 'chunk' && chunk.isEntry) entryFile = join(dir, chunk.fileName);
  }
  const wrapper = join(dir, 'wrapper.mjs');
  writeFileSync(wrapper, WRAPPER);
  const start = () => new Worker(wrapper, { workerData: pathToFileURL(entryFile).href });
  let worker = start();
  return {
    call<T>(name: string, args: unknown[]) {
      return new Promise<{ value: T } | { error: string }>((resolve, reject) => {
        const current = worker;
        const settle = () => {
          clearTimeout(timer);
          current.off('message', onMessage);
          current.off('error', onError);
        };
        const onMessage = (answer: { value: T } | { error: string }) => {
          settle();
          resolve(answer);
        };
        const onError = (e: Error) => {
          settle();
          reject(e);
        };
        const timer = setTimeout(() => {
          settle();
          void current.terminate();
          worker = start();
          reject(new Error(`${name}() did not return within ${boundMs / 1000} s: it hangs`));
        }, boundMs);
        current.on('message', onMessage);
        current.on('error', onError);
        current.postMessage({ name, args });
      });
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
