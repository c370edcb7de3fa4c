// Reach and robustness in each engine: every storage mode against PyTorch's golden data and the CPU reference,
// tensors past the texture limits, lost contexts, leaks, hostile and concurrent use, and no WebGL2 at all.
import { compareTensors, describeReport, storageTolerance } from '../../src/checker';
import type { StorageMode } from '../../src/gl/storage';
import type { Encoded } from '../../src/support/base64';
import { decode, GOLDEN_SOURCES, optionsOf, type GoldenCase } from '../support/golden';
import type { RandomResult } from '../support/randomCases';
import { expect, test } from './fixtures';
import { recordResult } from './summary';

const MODES: StorageMode[] = ['float32', 'uint32', 'float16'];

/** Whether every value of a golden case (inputs and output) is finite and within float16's range. */
function withinHalfRange(c: GoldenCase): boolean {
  return [c.input, c.weight, c.bias, c.output].every((t) => !t || decode(t).data.every((v) => Math.abs(v) <= 65504));
}
const RANDOM_PER_MODE = 100;

for (const storage of MODES) {
  test.describe(`storage ${storage}`, () => {
    test('every PyTorch golden case (own fixtures, and the independent set when present) and seeded random calls',
      async ({ engine }) => {
        const info = await engine.call<{ support: Record<StorageMode, boolean>; auto: StorageMode }>('storageInfo');
        expect(info.auto).toBe(MODES.find((m) => info.support[m]));
        if (!info.support[storage]) {
          // Not skipped: the device must refuse the mode with a message that says so, and the summary records it.
          const refusal = await engine.call<string | null>('storageRefusal', storage);
          expect(refusal).toMatch(new RegExp(`^conv_transpose3d: storage '${storage}' is not supported by .*it supports`));
          test.info().annotations.push({ type: 'unsupported', description: refusal! });
          recordResult(engine.name, `storage ${storage}`, `unsupported (${refusal})`);
          return;
        }
        // Every case of the own fixtures (always there, over 50 cases) and of the independent set when it is present.
        const present = GOLDEN_SOURCES.filter((s) => s.set);
        test.info().annotations.push({ type: 'golden sets', description: present.map((s) => s.label).join(', ') });
        expect(present[0]?.label).toBe('own fixtures');
        expect(present[0].set!.cases.length).toBeGreaterThan(50);
        const all = present.flatMap((s) => s.set!.cases);
        // Half floats hold only finite values up to 65504: cases with larger or non-finite values are outside what
        // float16 storage can represent (documented); they are listed in the summary, not compared.
        const cases = storage === 'float16' ? all.filter(withinHalfRange) : all;
        if (cases.length < all.length) {
          const outside = all.filter((c) => !withinHalfRange(c)).map((c) => c.name);
          expect(outside.length).toBeLessThanOrEqual(8);
          recordResult(engine.name, `storage ${storage}, outside the half range (not compared)`, outside.join(', '));
        }
        for (const c of cases) {
          const x = decode(c.input);
          const w = decode(c.weight);
          const options = { ...optionsOf(c), bias: c.bias ? decode(c.bias) : null };
          const got = await engine.call<Encoded>('run',
            { input: c.input, weight: c.weight, bias: c.bias, options: optionsOf(c) }, { storage });
          const report = compareTensors(decode(got), decode(c.output), storageTolerance(storage, x, w, options));
          expect(report.ok, `${c.name}: ${describeReport(report)}`).toBe(true);
          recordResult(engine.name, `storage ${storage}, golden`, report);
        }
        const results = await engine.call<RandomResult[]>('random', 5001, RANDOM_PER_MODE, { storage });
        const bad = results.filter((r) => !r.report.ok);
        expect(bad.map((r) => `seed ${r.seed}: ${describeReport(r.report)}`)).toEqual([]);
        for (const r of results) recordResult(engine.name, `storage ${storage}, random`, r.report);
      });
  });
}

test('uint32 storage is bit-identical to float32', async ({ engine }) => {
  const r = await engine.call<{ compared: number; differing: number[] }>('storageBitsAgree', 1, 40);
  expect(r.compared).toBeGreaterThan(1000);
  expect(r.differing).toEqual([]);
});

test('the shared backend takes a storage mode from configure()', async ({ engine }) => {
  const info = await engine.call<{ support: Record<StorageMode, boolean> }>('storageInfo');
  for (const storage of MODES.filter((m) => info.support[m])) {
    expect(await engine.call('configuredStorage', storage)).toEqual({ used: storage, ok: true });
  }
});

/** What `onesExact` reports: outputs checked, how many were wrong (and the first), and the cap in effect. */
interface OnesExact { checked: number; wrong: number; first: string | null; outShape: number[];
  maxTextureSize: number }

test.describe('any size', () => {
  test('a (1, 32, 64, 64, 64) output under a 256-texel texture cap, exact', async ({ engine }) => {
    const r = await engine.call<OnesExact>(
      'onesExact', [1, 4, 32, 32, 32], [4, 32, 2, 2, 2], { stride: 2 }, 0.5, { maxTextureSize: 256 });
    expect(r.maxTextureSize).toBe(256);
    expect(r.outShape).toEqual([1, 32, 64, 64, 64]);
    expect(r.checked).toBe(32 * 64 ** 3);
    expect(r.wrong, r.first ?? '').toBe(0);
  });

  test('a weight with Cin·Cout = 76,800 under a 256-texel cap, exact (and uneven coverage)', async ({ engine }) => {
    const r = await engine.call<OnesExact>(
      'onesExact', [1, 300, 2, 3, 3], [300, 256, 3, 1, 2], { stride: [2, 1, 1], padding: [1, 0, 0] }, -2,
      { maxTextureSize: 256 });
    expect(r.maxTextureSize).toBe(256);
    expect(r.outShape).toEqual([1, 256, 3, 3, 4]);
    expect(r.checked).toBe(256 * 3 * 3 * 4);
    expect(r.wrong, r.first ?? '').toBe(0);
  });

  test('grouped and dilated, under a 16-texel cap, exact', { tag: '@quick' }, async ({ engine }) => {
    const r = await engine.call<OnesExact>(
      'onesExact', [2, 12, 5, 4, 9], [12, 5, 3, 2, 3], { stride: [2, 3, 1], dilation: [1, 2, 2], groups: 3,
        outputPadding: [1, 2, 0] }, 1, { maxTextureSize: 16 });
    expect(r.maxTextureSize).toBe(16);
    // (in − 1)·stride + dilation·(k − 1) + outputPadding + 1: (5 − 1)·2 + 1·2 + 1 + 1 = 12, (4 − 1)·3 + 2·1 + 2 + 1
    // = 14, (9 − 1)·1 + 2·2 + 0 + 1 = 13; 3 groups of 5 output channels.
    expect(r.outShape).toEqual([2, 15, 12, 14, 13]);
    expect(r.checked).toBe(2 * 15 * 12 * 14 * 13);
    expect(r.wrong, r.first ?? '').toBe(0);
  });

  test("an output wider than the device's own MAX_TEXTURE_SIZE", async ({ engine }) => {
    const r = await engine.call<{ width: number; deviceMax: number; report: string; ok: boolean }>('beyondDeviceLimit');
    expect(r.width).toBeGreaterThan(r.deviceMax);
    expect(r.ok, r.report).toBe(true);
  });

  test("createBackend's own options are checked, naming the option and the value", async ({ engine }) => {
    expect(await engine.call<string[]>('backendOptionErrors')).toEqual([
      'createBackend: phaseDraws must be true, false or undefined, got "yes"',
      'createBackend: directOutput must be true, false or undefined, got 1',
      'createBackend: maxBytes must be a non-negative number of bytes, got -1',
      'createBackend: poolBytes must be a non-negative number of bytes, got NaN',
    ]);
  });

  test('a call over the memory budget is refused before any GPU work', async ({ engine }) => {
    const r = await engine.call<{ message: string; draws: number; textures: number }>('budgetRefusal');
    expect(r.message).toMatch(/^ConvTranspose3dError out-of-memory: conv_transpose3d: conv_transpose3d with input \[1, 16, 16, 16, 16\] and output \[1, 16, 32, 32, 32\] needs [\d.]+ MiB of textures; .* exceeds maxBytes = 1\.0 MiB$/);
    expect(r.draws).toBe(0);
    expect(r.textures).toBe(0);
  });
});

test('a lost context: calls in flight reject, the backend rebuilds itself, old tensors say they were lost', async ({
  engine,
}) => {
  const r = await engine.call<Record<string, string | boolean | number>>('contextLoss');
  expect(r.extension).toBe(true);
  expect(r.inFlight).toMatch(/^rejected: conv_transpose3d: .*(lost|context)/);
  expect(r.whileLost).toMatch(/^conv_transpose3d: convTranspose3d\(\): the WebGL context is lost/);
  expect(r.oneShotWhileLost).toBe(true);
  expect(r.oldTensor).toMatch(/^conv_transpose3d: read\(\) on a GpuTensor of shape \[4, 3, 3, 3, 3\] that was lost with the WebGL context/);
  expect(r.afterRestore).toBe(true);
  expect(r.residentAfterRestore).toBe(true);
  expect(r.oneShotAfter).toBe(true);
  expect(r.liveBytesAfter).toBe(0);
});

test('1,000 mixed calls with dispose: live bytes return to the baseline, the pool keeps its budget', async ({
  engine,
}) => {
  const poolBytes = 4 * 2 ** 20;
  const r = await engine.call<{ baseline: number; after: number; pooledBytes: number; maxPooledBytes: number;
    checked: number; failed: string[]; disposedMessages: string[]; texturesAfterDispose: number }>('leaks', 1000,
    poolBytes);
  expect(r.failed).toEqual([]);
  expect(r.checked).toBe(200);
  expect(r.after).toBe(r.baseline);
  expect(r.maxPooledBytes).toBeLessThanOrEqual(poolBytes);
  expect(r.maxPooledBytes).toBeGreaterThan(0);
  expect(r.disposedMessages[0]).toMatch(/^conv_transpose3d: read\(\) on a disposed GpuTensor of shape \[2, 3\]$/);
  expect(r.disposedMessages[1]).toMatch(/^conv_transpose3d: convTranspose3d\(\) on a disposed backend$/);
  expect(r.texturesAfterDispose).toBe(0);
});

test('50 overlapping calls on one backend, awaited out of order, are all right', async ({ engine }) => {
  const r = await engine.call<{ ok: number; failed: string[] }>('overlapping', 50);
  expect(r.failed).toEqual([]);
  expect(r.ok).toBe(50);
});

test('property: random valid calls match the CPU reference (fast-check)', async ({ engine }) => {
  const r = await engine.call<{ failed: boolean; report: string }>('propertyValid', 20261125, 150);
  expect(r.failed, r.report).toBe(false);
});

test('property: spoiled arguments reject, naming the argument, before any GPU work (fast-check)', async ({
  engine,
}) => {
  const r = await engine.call<{ failed: boolean; report: string; kinds: string[] }>('propertyInvalid', 20261125, 400);
  expect(r.failed, r.report).toBe(false);
  expect(r.kinds).toEqual(['bias.option', 'dilation.option', 'groups.option', 'input.data', 'input.shape',
    'outputPadding.option', 'padding.option', 'stride.option', 'weight.data', 'weight.shape']);
});

test('without WebGL2 the one-shot API computes on the CPU; createBackend says what is missing', async ({ engine }) => {
  const r = await engine.call<{ fallbackOk: boolean; engine: string; createError: string; optOutError: string;
    referenceOk: boolean }>('withoutWebgl2');
  expect(r.fallbackOk).toBe(true);
  expect(r.engine).toBe('cpu');
  expect(r.createError).toMatch(/^conv_transpose3d: this browser has no WebGL2/);
  expect(r.referenceOk).toBe(true);
  expect(r.optOutError).toBe(r.createError);
});
