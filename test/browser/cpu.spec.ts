// The CPU engine (WebAssembly SIMD on worker threads) in each browser: on the harness page served cross-origin
// isolated (worker threads on a shared memory, where the browser has SharedArrayBuffer), the golden sets and peer
// vectors, every rejected call, 300 seeded random configurations, the same bits on 1, 2 and 4 threads, and the
// resident API; on the page served without the headers, one worker, still right.
import { compareTensors, describeReport } from '../../src/checker';
import type { CpuCapabilities } from '../../src/index';
import type { Encoded } from '../../src/support/base64';
import { numel } from '../../src/tensor';
import { decode, encode, GOLDEN_SOURCES, optionsOf } from '../support/golden';
import type { RandomResult } from '../support/randomCases';
import { expect, test } from './fixtures';
import { recordResult } from './summary';

const CPU = { engine: 'cpu' } as const;
const RANDOM_CONFIGS = 300;
const RANDOM_BATCH = 100;

interface CpuInfo {
  capabilities: CpuCapabilities; crossOriginIsolated: boolean; sharedArrayBuffer: boolean; auto: string;
}

test.describe('the CPU engine', () => {
  test('runs worker threads on a shared memory where the page is isolated and the browser has SharedArrayBuffer',
    { tag: '@quick' }, async ({ isolated }) => {
      const info = await isolated.call<CpuInfo>('cpuInfo', 2);
      expect(info.crossOriginIsolated).toBe(true);
      // WebKitGTK has no SharedArrayBuffer even on an isolated page: one worker there.
      expect(info.capabilities.sharedMemory).toBe(info.sharedArrayBuffer);
      expect(info.capabilities.threads).toBe(info.sharedArrayBuffer ? 2 : 1);
      expect(['simd', 'relaxed-simd']).toContain(info.capabilities.instructionSet);
      test.info().annotations.push({ type: 'cpu engine', description: JSON.stringify(info) });
      recordResult(isolated.name, 'cpu engine', `${info.capabilities.instructionSet}, ` +
        `${info.capabilities.threads} threads, auto picks ${info.auto}`);
    });

  for (const { label, set, absent, rules } of GOLDEN_SOURCES) {
    test.describe(`against PyTorch (${label})`, () => {
      test.skip(!set, absent);
      test('every case, with the weight from the CPU and resident', async ({ isolated }) => {
        for (const c of set?.cases ?? []) {
          for (const uploadWeight of [false, true]) {
            const got = await isolated.call<Encoded>('run', { input: c.input, weight: c.weight, bias: c.bias,
              options: optionsOf(c) }, CPU, uploadWeight);
            expect(got.shape, c.name).toEqual(c.output.shape);
            const report = compareTensors(decode(got), decode(c.output));
            expect(report.ok, `${c.name}: ${describeReport(report)}`).toBe(true);
            expect(report.count).toBe(numel(c.output.shape));
            recordResult(isolated.name, `cpu engine, ${label}`, report);
          }
        }
      });
      if (rules) {
        test('every rejected call throws naming the argument, before any work', async ({ isolated }) => {
          for (const e of set?.errors ?? []) {
            const zeros = (shape: number[]) => encode({ shape, data: new Float32Array(numel(shape)) });
            const message = await isolated.call<string>('cpuRejects', { input: zeros(e.input_shape),
              weight: zeros(e.weight_shape), bias: e.bias_shape ? zeros(e.bias_shape) : null, options: optionsOf(e) });
            expect(message, e.name).toMatch(/^conv_transpose3d: /);
            if (e.argument) expect(message, e.name).toContain(e.argument);
          }
        });
      }
    });
  }

  for (let first = 1; first <= RANDOM_CONFIGS; first += RANDOM_BATCH) {
    const last = Math.min(first + RANDOM_BATCH - 1, RANDOM_CONFIGS);
    test(`random configurations ${first}–${last} against the CPU reference`, async ({ isolated }) => {
      const results = await isolated.call<RandomResult[]>('random', first, last - first + 1, CPU);
      expect(results).toHaveLength(last - first + 1);
      const bad = results.filter((r) => !r.report.ok);
      expect(bad.map((r) => `seed ${r.seed} ${JSON.stringify(r.config)}: ${describeReport(r.report)}`)).toEqual([]);
      for (const r of results) recordResult(isolated.name, 'cpu engine, random', r.report);
    });
  }

  test('gives the same bits on 1, 2 and 4 threads', async ({ isolated }) => {
    const r = await isolated.call<{ calls: number; differing: number[]; threads: number[] }>('cpuThreads', 2000, 30);
    expect(r.calls).toBe(31);
    expect(r.differing).toEqual([]);
    const shared = (await isolated.call<CpuInfo>('cpuInfo')).sharedArrayBuffer;
    expect(r.threads).toEqual(shared ? [1, 2, 4] : [1, 1, 1]);
  });

  test('keeps the resident API: chaining, dispose, no leaks over 1,000 calls, 50 overlapping calls',
    async ({ isolated }) => {
      const r = await isolated.call<{ chain: string; chainCount: number; afterDispose: string;
        baseline: { bytes: number; blocks: number; calls: number }; after: { bytes: number; blocks: number;
          calls: number }; mixedCalls: number; concurrent: number; concurrentFailures: string[]; elements: number }>(
        'cpuResident');
      expect(r.chain).toBe('ok');
      expect(r.chainCount).toBe(r.elements);
      expect(r.afterDispose).toMatch(/disposed tensor of shape \[1, 6, 7, 9, 11\]/);
      expect({ bytes: r.after.bytes, blocks: r.after.blocks }).toEqual({ bytes: r.baseline.bytes,
        blocks: r.baseline.blocks });
      expect(r.after.calls - r.baseline.calls).toBe(r.mixedCalls);
      expect(r.concurrent).toBe(50);
      expect(r.concurrentFailures).toEqual([]);
    });

  test('works on a page that is not cross-origin isolated, with one worker', { tag: '@quick' }, async ({ engine }) => {
    const info = await engine.call<CpuInfo>('cpuInfo', 2);
    expect(info.crossOriginIsolated).toBe(false);
    expect(info.capabilities).toMatchObject({ sharedMemory: false, threads: 1 });
    const results = await engine.call<RandomResult[]>('random', 1, 40, CPU);
    expect(results.filter((r) => !r.report.ok).map((r) => describeReport(r.report))).toEqual([]);
    const own = GOLDEN_SOURCES[0].set!;
    for (const c of own.cases) {
      const got = await engine.call<Encoded>('run', { input: c.input, weight: c.weight, bias: c.bias,
        options: optionsOf(c) }, CPU, true);
      const report = compareTensors(decode(got), decode(c.output));
      expect(report.ok, `${c.name}: ${describeReport(report)}`).toBe(true);
    }
  });
});

test.describe("engine 'auto'", () => {
  test('on these software renderers times both engines on the first call of a shape, and takes imported choices',
    { tag: '@quick' }, async ({ isolated }) => {
      const r = await isolated.call<{ engine: string; choices: Record<string, string>; reports: boolean[];
        again: boolean; timedA: number; callsA: number; timedB: number; choicesB: Record<string, string> }>(
        'autoChoices');
      expect(r.engine).toBe('auto');
      expect(r.reports).toEqual([true, true, true]);
      // Sorted: WebKit's WebDriver does not keep an object's key order on the way back.
      expect(Object.keys(r.choices).sort()).toEqual([
        'x1,16,8,8,8 w16,8,2,2,2 s2,2,2 p0,0,0 o0,0,0 g1 d1,1,1 b0',
        'x1,4,1,1,1 w4,4,1,1,1 s1,1,1 p0,0,0 o0,0,0 g1 d1,1,1 b0',
      ]);
      for (const choice of Object.values(r.choices)) expect(['webgl', 'cpu']).toContain(choice);
      expect(r.timedA).toBe(2);
      expect(r.callsA).toBe(3);
      expect(r.again).toBe(true);
      expect(r.timedB).toBe(0);
      expect(r.choicesB).toEqual(r.choices);
      test.info().annotations.push({ type: 'auto choices', description: JSON.stringify(r.choices) });
      recordResult(isolated.name, 'auto choices', JSON.stringify(Object.values(r.choices)));
    });
});
