// The GPU path in each engine: PyTorch golden cases, seeded random configurations against the CPU reference,
// tiny texture limits, determinism, GPU-resident chaining and argument errors.
import { resolveCall } from '../../src/args';
import type { BackendOptions } from '../../src/backend';
import { compareTensors, describeReport, type CheckReport } from '../../src/checker';
import { depthPairs } from '../../src/fragment';
import type { StorageMode } from '../../src/gl/storage';
import { channelPlan } from '../../src/packing';
import type { Encoded } from '../../src/support/base64';
import { numel } from '../../src/tensor';
import {
  decode, encode, GOLDEN_SOURCES, optionsOf, ownGolden, type GoldenCase,
} from '../support/golden';
import { randomCall, randomConfig, type RandomConfig, type RandomResult } from '../support/randomCases';
import { expect, test } from './fixtures';
import { recordResult } from './summary';

const RANDOM_CONFIGS = 300;
const RANDOM_BATCH = 50;
/** Seeds of the quick subset (npm run test:quick). */
const RANDOM_QUICK = 10;

function callArgs(c: GoldenCase) {
  return { input: c.input, weight: c.weight, bias: c.bias, options: optionsOf(c) };
}

function checkGolden(c: GoldenCase, got: Encoded): CheckReport {
  expect(got.shape, `${c.name}: shape`).toEqual(c.output.shape);
  const report = compareTensors(decode(got), decode(c.output));
  expect(report.ok, `${c.name}: ${describeReport(report)}`).toBe(true);
  expect(report.count).toBe(numel(c.output.shape));
  return report;
}

/** Whether a call may take two voxels along D a fragment ({@link depthPairs}). */
function takesPairs(input: { shape: number[] }, weight: { shape: number[] }, options: object): boolean {
  const spec = resolveCall(input, weight, options);
  return spec.batch > 0 && depthPairs(spec, channelPlan(spec));
}

function expectAllOk(results: RandomResult[], label: string): void {
  const bad = results.filter((r) => !r.report.ok);
  const lines = bad.slice(0, 5).map((r) => `seed ${r.seed} ${JSON.stringify(r.config)}: ${describeReport(r.report)}`);
  expect(bad.length, `${label}: ${bad.length} of ${results.length} failed\n${lines.join('\n')}`).toBe(0);
}

test('device report: a storage mode the device renders, and the limits the backend plans with', { tag: '@quick' },
  async ({ engine }) => {
    const { capabilities: caps } = await engine.call<{ capabilities: { renderer: string; storage: StorageMode;
      storageSupport: Record<StorageMode, boolean>; deviceMaxTextureSize: number; maxTextureSize: number;
      maxTextureLayers: number; maxDrawBuffers: number } }>('info');
    test.info().annotations.push({ type: 'renderer', description: `${caps.renderer}, storage ${caps.storage}` });
    // Any one storage mode is enough (uint32 needs no float render targets); the backend uses one the device has.
    expect(Object.values(caps.storageSupport), JSON.stringify(caps.storageSupport)).toContain(true);
    expect(caps.storageSupport[caps.storage], `storage ${caps.storage}`).toBe(true);
    // WebGL2's minimums; a backend made without caps plans with the device's own texture size.
    expect(caps.deviceMaxTextureSize).toBeGreaterThanOrEqual(2048);
    expect(caps.maxTextureSize).toBe(caps.deviceMaxTextureSize);
    expect(caps.maxTextureLayers).toBeGreaterThanOrEqual(256);
    expect(caps.maxDrawBuffers).toBeGreaterThanOrEqual(4);
    recordResult(engine.name, 'renderer', caps.renderer);
  });

/** Every golden case is run again along each of these paths: a title, a summary label, backend options. */
const GOLDEN_VARIANTS: { title: string; summary: string; backend: BackendOptions; uploadWeight?: boolean }[] = [
  { title: 'with 16-texel textures (rows split, many layers)', summary: 'small textures',
    backend: { maxTextureSize: 16 } },
  { title: 'with the weight uploaded first (packed on the GPU, not on the CPU)', summary: 'GPU-packed weights',
    backend: {}, uploadWeight: true },
  { title: 'with the gather drawn once per W stride phase (the default for larger calls)',
    summary: 'per-phase draws', backend: { phaseDraws: true } },
  { title: 'through slices and the repack (by default only calls with next to no work go direct)',
    summary: 'through slices', backend: { directOutput: false } },
  { title: 'with the shader loops left as loops (the form GPUs get: not unrolled)', summary: 'loops not unrolled',
    backend: { policy: { unrollLoops: false } } },
  { title: 'with the gather writing the output directly, one voxel a fragment', summary: 'direct output',
    backend: { directOutput: true } },
];

for (const { label, set, absent, rules } of GOLDEN_SOURCES) {
  test.describe(`PyTorch golden (${label})`, () => {
    // Only the sets read from ../shared can be absent (the own fixtures throw when missing): skipped with the reason.
    test.skip(!set, absent);
    for (const c of set?.cases ?? []) {
      test(c.name, { tag: label === 'own fixtures' ? '@quick' : [] }, async ({ engine }) => {
        const got = await engine.call<Encoded>('run', callArgs(c));
        recordResult(engine.name, `golden ${label}`, checkGolden(c, got));
      });
    }
    for (const v of GOLDEN_VARIANTS) {
      test(`every case again ${v.title}`, async ({ engine }) => {
        for (const c of set?.cases ?? []) {
          const got = await engine.call<Encoded>('run', callArgs(c), v.backend, v.uploadWeight ?? false);
          recordResult(engine.name, v.summary, checkGolden(c, got));
        }
      });
    }
    test('every case again with two voxels along D a fragment where D allows it (stride and dilation 1)',
      async ({ engine }) => {
        const pairs = (set?.cases ?? []).filter((c) => takesPairs(decode(c.input), decode(c.weight), optionsOf(c)));
        expect(pairs.length, 'cases that take pairs along D').toBeGreaterThan(10);
        for (const c of set?.cases ?? []) {
          const got = await engine.call<Encoded>('run', callArgs(c),
            { fragment: { depth: 2 } });
          recordResult(engine.name, 'pairs along D', checkGolden(c, got));
        }
      });
    test('every case with finite weights again with the weight computed on the GPU (values unknown: products of W ' +
      'taps outside the input are dropped, not multiplied by zeros)', async ({ engine }) => {
      const finite = (set?.cases ?? []).filter((c) => decode(c.weight).data.every(Number.isFinite));
      expect(finite.length).toBeGreaterThan(set!.cases.length / 2);
      for (const c of finite) {
        const got = await engine.call<{ output: Encoded; compiled: number }>(
          'computedWeight', callArgs(c));
        recordResult(engine.name, 'GPU-computed weights', checkGolden(c, got.output));
        // vae-up has W taps outside the input (padding 1): its gather is specialized apart; unet-up has none.
        if (label === 'own fixtures' && c.name === 'vae-up') expect(got.compiled, c.name).toBeGreaterThan(0);
        if (label === 'own fixtures' && c.name === 'unet-up') expect(got.compiled, c.name).toBe(0);
      }
    });
    // The peer vectors hold cases only; the other sets also hold PyTorch's rejected calls.
    if (rules) {
      test('every error case rejects with a message naming the argument, before any GPU work', async ({ engine }) => {
        for (const e of set?.errors ?? []) {
          const zeros = (shape: number[]) => encode({ shape, data: new Float32Array(numel(shape)) });
          const message = await engine.call<string>('rejects', {
            input: zeros(e.input_shape), weight: zeros(e.weight_shape), bias: e.bias_shape ? zeros(e.bias_shape) : null,
            options: optionsOf(e),
          });
          expect(message, e.name).toMatch(/^conv_transpose3d: /);
          if (e.argument) expect(message, e.name).toContain(e.argument);
        }
      });
    }
  });
}

test.describe('random configurations against the CPU reference', () => {
  // The first few seeds on their own, in the quick subset; the rest in batches.
  const batches: [number, number][] = [[1, RANDOM_QUICK]];
  for (let first = RANDOM_QUICK + 1; first <= RANDOM_CONFIGS; first += RANDOM_BATCH) {
    batches.push([first, Math.min(first + RANDOM_BATCH - 1, RANDOM_CONFIGS)]);
  }
  for (const [first, last] of batches) {
    test(`seeds ${first}–${last}`, { tag: first === 1 ? '@quick' : [] }, async ({ engine }) => {
      const results = await engine.call<RandomResult[]>('random', first, last - first + 1);
      expect(results).toHaveLength(last - first + 1);
      expectAllOk(results, 'random');
      for (const r of results) recordResult(engine.name, 'random', r.report);
    });
  }
  // 60 seeds each under backend options, recorded in the summary under their own label.
  const variants: [string, number, BackendOptions, string][] = [
    ['with the gather drawn once per W stride phase', 2001, { phaseDraws: true }, 'per-phase draws'],
    ['with the output written directly, under a 16-texel limit (rows cut, many layers)', 4001,
      { directOutput: true, maxTextureSize: 16 }, 'direct output'],
    ['through slices and the repack', 4061, { directOutput: false }, 'through slices'],
    ['with an 8-texel texture limit', 1001, { maxTextureSize: 8 }, 'small textures'],
  ];
  for (const [what, first, options, label] of variants) {
    test(`seeds ${first}–${first + 59} ${what}`, async ({ engine }) => {
      const results = await engine.call<RandomResult[]>('random', first, 60, options);
      expect(results).toHaveLength(60);
      expectAllOk(results, `random, ${label}`);
      for (const r of results) recordResult(engine.name, label, r.report);
    });
  }
  test('30 seeded random configurations that take two voxels along D a fragment, under a 16-texel limit',
    async ({ engine }) => {
      const configs: RandomConfig[] = [];
      for (let seed = 3001; configs.length < 30; seed++) {
        const config = randomConfig(seed);
        const { x, w, options } = randomCall(config, seed);
        if (takesPairs(x, w, options)) configs.push(config);
      }
      const results = await engine.call<RandomResult[]>('checked', configs, { fragment: { depth: 2 },
        maxTextureSize: 16 });
      expect(results).toHaveLength(30);
      expectAllOk(results, 'random, pairs along D');
      for (const r of results) recordResult(engine.name, 'pairs along D', r.report);
    });
});

test('realistic shapes under a 64-texel texture limit', async ({ engine }) => {
  const cfg = (inputShape: number[], weightShape: number[], options: Partial<RandomConfig['options']>,
    bias = true): RandomConfig => ({
    inputShape, weightShape, bias,
    options: { stride: 1, padding: 0, outputPadding: 0, dilation: 1, groups: 1, ...options },
  });
  const configs = [
    cfg([1, 16, 8, 8, 8], [16, 8, 2, 2, 2], { stride: 2 }), // 3-D U-Net up-step: output 16 layers of 64×64
    cfg([1, 8, 4, 8, 8], [8, 4, 4, 4, 4], { stride: 2, padding: 1 }), // VAE up-sampling
    cfg([1, 4, 2, 3, 70], [4, 3, 3, 3, 3], { stride: [1, 2, 2], padding: 1, outputPadding: [0, 1, 1] }), // W > 64
    cfg([2, 12, 3, 5, 5], [12, 1, 3, 3, 3], { stride: 2, groups: 12 }, false), // depthwise, batch 2
  ];
  const results = await engine.call<RandomResult[]>('checked', configs, { maxTextureSize: 64 });
  expectAllOk(results, 'realistic, 64-texel limit');
  for (const r of results) recordResult(engine.name, 'small textures', r.report);
});

test("nn.ConvTranspose3d's output_size, on the GPU", async ({ engine }) => {
  const set = ownGolden();
  const cases = set.output_size.filter((c) => c.output_padding);
  expect(cases.length).toBeGreaterThanOrEqual(5);
  for (const c of cases) {
    const r = await engine.call<{ shape: number[]; report: CheckReport }>('toSize', c.input_shape, c.kernel_size,
      c.output_size, { stride: c.stride, padding: c.padding, dilation: c.dilation });
    expect(r.shape.slice(-3), c.name).toEqual(c.output_size.slice(-3));
    expect(r.report.ok, `${c.name}: ${describeReport(r.report)}`).toBe(true);
  }
});

test('steady state allocates no new textures (texture pool)', async ({ engine }) => {
  const r = await engine.call<{ textures: number[]; pooled: number[]; ok: boolean }>('steadyState', 6);
  expect(r.ok).toBe(true);
  expect(r.textures[0]).toBeGreaterThan(0);
  expect(new Set(r.textures.slice(1)).size, `textures after each call: ${r.textures.join(', ')}`).toBe(1);
  expect(r.pooled[r.pooled.length - 1]).toBeGreaterThan(0);
});

test('the same call twice is bitwise identical', async ({ engine }) => {
  const r = await engine.call<{ equal: boolean; values: number; report: CheckReport }>('determinism', 5);
  expect(r.values).toBeGreaterThan(10_000);
  expect(r.equal).toBe(true);
  expect(r.report.ok, describeReport(r.report)).toBe(true);
});

test('GPU-resident chaining: upload once, four calls, one read', async ({ engine }) => {
  for (const options of [undefined, { maxTextureSize: 8 }]) {
    const r = await engine.call<{ report: CheckReport; shape: number[] }>('chain', options);
    expect(r.shape).toEqual([1, 6, 10, 21, 10]);
    expect(r.report.ok, describeReport(r.report)).toBe(true);
    recordResult(engine.name, 'chaining', r.report);
  }
});
