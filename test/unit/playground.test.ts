// The playground's pure parts: state and URL, argument errors mapped to controls, contents, the coverage map,
// .npy files and the layout read-out.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveShapes } from '../../src/args';
import type { WebglBackend as Backend } from '../../src/backend';
import { storageTolerance } from '../../src/checker';
import { callTexels, planConv, type PlanLimits } from '../../src/convPlan';
import { planLayout, texelCount } from '../../src/layout';
import { as5d, channelPlan, packActivation, packWeights } from '../../src/packing';
import { convTranspose3dReference } from '../../src/reference';
import { numel } from '../../src/tensor';
import { randomTensor } from '../../src/support/seeded';
import type { Tensor } from '../../src/types';
import { axisCoverage, coverageMap } from '../../src/coverage';
import { channelVolume, fillContent } from '../../playground/contents';
import { describeTexel } from '../../playground/layoutView';
import { MEMORY_BUDGET, memoryNeeded } from '../../playground/memory';
import { MAX_HEADER_BYTES, MAX_NPY_BYTES, checkNpySize, parseNpy, toNpy } from '../../playground/npyFile';
import type { Preflight } from '../../playground/preflight';
import { constantValue } from '../../playground/heatmap';
import { BLOCKING_TIMING_MS, runGpu } from '../../playground/runner';
import {
  MAX_WARM_RUNS, MIN_WARM_RUNS, median, softwareRenderer, timingRows, verdict as speedVerdict, wantsAnotherRun,
  type Timings,
} from '../../playground/timings';
import {
  DEFAULT_STATE, PRESETS, checkState, decodeState, encodeState, fieldOfError, inputShape, presetState,
} from '../../playground/state';
import { boundedModule, type BoundedModule } from '../support/boundedModule';
import { EMPTY_LINKS, HOSTILE_VALUES, ONE_VOXEL_LINKS, hostileLinks, misfit } from '../support/hostileLinks';
import { F4, dict, floats, hostileNpyFiles, npyBytes } from '../support/npyBytes';

const fixture = (name: string) => {
  const b = readFileSync(new URL(`../fixtures/npy/${name}.npy`, import.meta.url));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

describe('playground state', () => {
  it('every preset is a valid call', () => {
    for (const p of PRESETS) {
      const checked = checkState(presetState(p.name));
      expect(checked.ok, `${p.name}: ${checked.ok ? '' : checked.message}`).toBe(true);
    }
  });

  it('round-trips through the URL', () => {
    const s = presetState('video');
    s.unbatched = true;
    s.bias = true;
    s.textureCap = 64;
    s.storage = 'float16';
    s.view = { n: 0, outChannel: 5, inChannel: 2, depth: 0.25 };
    expect(decodeState(encodeState(s))).toEqual(s);
    for (const p of PRESETS) expect(decodeState(encodeState(presetState(p.name)))).toEqual(presetState(p.name));
  });

  it('keeps the fallback for missing fields or a wrong count of numbers, and never restores .npy contents', () => {
    const s = decodeState('x=1,2,3&s=2,2&xc=npy&wc=bogus', DEFAULT_STATE);
    expect(s.input).toEqual(DEFAULT_STATE.input);
    expect(s.stride).toEqual(DEFAULT_STATE.stride);
    expect(s.groups).toBe(DEFAULT_STATE.groups);
    expect(s.inputContent).toBe('random');
    expect(s.weightContent).toBe(DEFAULT_STATE.weightContent);
  });

  it('reads an unreadable or empty number as NaN, which the rules then name', () => {
    const s = decodeState('g=abc&p=1,,1&seed=&tex=x', DEFAULT_STATE);
    expect(s.groups).toBeNaN();
    expect(s.padding).toEqual([1, NaN, 1]);
    expect(s.seed).toBeNaN();
    expect(s.textureCap).toBeNaN();
    const checked = checkState(s);
    expect(checked.ok || checked.message).toBe('conv_transpose3d: groups must be an integer, got NaN');    // View positions are clamped instead: the views show the nearest slice.
    expect(decodeState('view=-1,abc,2.5,NaN').view).toEqual({ n: 0, outChannel: 0, inChannel: 2,
      depth: DEFAULT_STATE.view.depth });
  });

  it('maps each library error to the control that causes it', () => {
    const cases: Array<[Partial<typeof DEFAULT_STATE>, string]> = [
      [{ groups: 3 }, 'groups'], [{ groups: 0 }, 'groups'], [{ stride: [0, 1, 1] }, 'stride'],
      [{ padding: [-1, 0, 0] }, 'padding'], [{ dilation: [1, 1.5, 1] }, 'dilation'],
      [{ outputPadding: [2, 0, 0] }, 'outputPadding'], [{ weight: [5, 4, 3, 3, 3] }, 'input'],
      [{ padding: [20, 0, 0] }, 'output'], [{ input: [1, 4, 0, 6, 6] }, 'input'], [{ input: [1, NaN, 6, 6, 6] }, 'input'],
      [{ stride: [NaN, 1, 1] }, 'stride'],
    ];
    for (const [change, field] of cases) {
      const checked = checkState({ ...DEFAULT_STATE, ...change });
      expect(checked.ok, JSON.stringify(change)).toBe(false);
      if (!checked.ok) {
        expect(checked.field, checked.message).toBe(field);
        expect(checked.message).toMatch(/^conv_transpose3d: /);
      }
    }
    expect(fieldOfError('conv_transpose3d: weight must be 5-D')).toBe('weight');
    expect(fieldOfError('conv_transpose3d: bias must be 1-D')).toBe('bias');
  });

  it('drops the batch axis when unbatched', () => {
    expect(inputShape({ ...DEFAULT_STATE, unbatched: true })).toEqual(DEFAULT_STATE.input.slice(1));
    const checked = checkState({ ...DEFAULT_STATE, unbatched: true });
    expect(checked.ok && checked.spec.outShape).toEqual([16, 33, 33, 33]);
  });
});

describe('playground contents', () => {
  it('places the impulse at [c, d, h, w] of the first item', () => {
    const t = fillContent('impulse', [2, 3, 4, 5, 6], 0, [2, 1, 3, 4]);
    expect(t.reduce((a, b) => a + b, 0)).toBe(1);
    expect(t[((2 * 4 + 1) * 5 + 3) * 6 + 4]).toBe(1);
    expect(fillContent('impulse', [1, 2, 2, 2, 2], 0, [5, 0, 0, 0]).every((v) => v === 0)).toBe(true);
  });

  it('fills ones, a checkerboard and a sphere in every channel; random is seeded', () => {
    expect(fillContent('ones', [2, 3, 4], 0).every((v) => v === 1)).toBe(true);
    const cb = fillContent('checkerboard', [1, 2, 2, 2, 2], 0);
    expect(Array.from(cb.subarray(0, 8))).toEqual([1, -1, -1, 1, -1, 1, 1, -1]);
    expect(Array.from(cb.subarray(8))).toEqual(Array.from(cb.subarray(0, 8)));
    const sphere = fillContent('sphere', [1, 1, 8, 8, 8], 0);
    expect(sphere[(4 * 8 + 4) * 8 + 4]).toBe(1);
    expect(sphere[0]).toBe(0);
    expect(fillContent('random', [50], 3)).toEqual(fillContent('random', [50], 3));
    expect(fillContent('random', [50], 3)).not.toEqual(fillContent('random', [50], 4));
  });

  it('takes one channel of one item as a view', () => {
    const data = Float32Array.from({ length: 2 * 3 * 8 }, (_, i) => i);
    expect(Array.from(channelVolume(data, [2, 3, 2, 2, 2], 1, 2))).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
  });
});

describe('coverage map', () => {
  it('counts taps per axis', () => {
    // in 3, kernel 3, stride 2: outputs 0..6 get 1,1,2,1,2,1,1 taps.
    expect(Array.from(axisCoverage(3, 3, 2, 0, 1, 7))).toEqual([1, 1, 2, 1, 2, 1, 1]);
    expect(Array.from(axisCoverage(3, 4, 2, 1, 1, 6))).toEqual([1, 2, 2, 2, 2, 1]);
  });

  it('equals the CPU reference of all-ones tensors divided by the input channels per group', () => {
    for (const options of [
      { stride: 2 }, { stride: [1, 2, 3] as [number, number, number], padding: 1, dilation: [2, 1, 1] as
        [number, number, number], outputPadding: [1, 0, 2] as [number, number, number] }, { stride: 3, groups: 2 },
    ]) {
      const xShape = [1, 4, 3, 4, 2];
      const wShape = [4, 2, 3, 2, 4];
      const ones = (shape: number[]) => ({ shape, data: new Float32Array(numel(shape)).fill(1) });
      const y = convTranspose3dReference(ones(xShape), ones(wShape), options);
      const spec = resolveShapes(xShape, wShape, null, options);
      const cov = coverageMap(spec);
      for (let c = 0; c < spec.outChannels; c++) {
        expect(Array.from(channelVolume(y.data, y.shape, 0, c))).toEqual(Array.from(cov, (v) => v * spec.inPerGroup));
      }
    }
  });
});

describe('layout read-out', () => {
  it('says which channels of which voxel a texel holds', () => {
    const shape = [2, 6, 3, 4, 5];
    const layout = planLayout(2 * 2 * 3 * 4, 5, { maxTextureSize: 4, maxLayers: 64 });
    // Row 1·12 + 2·4 + 3 = item 0, channel block 1, depth 2, height 3; column 4 is cut into segment 1, x 0.
    const row = 12 + 8 + 3;
    const line = row * layout.segmentsPerRow + 1;
    expect(describeTexel(layout, shape, 0, line % layout.height, Math.floor(line / layout.height)))
      .toBe('channels 4–5 of voxel (d 2, h 3, w 4) of item 0');
    expect(describeTexel(layout, shape, 3, 1, 0)).toBeNull();
  });
});

/** How long a bounded call may go unanswered before the test calls it a hang: far beyond any real answer. */
const HANG_MS = 15_000;
/** A device like the software renderers the browser tests run on. */
const LIMITS: PlanLimits = { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8, quadWidth: 2, windowTexels: 16 };

/** What one bounded call answered, as text for a failure list, or its verdict. */
async function verdict(mod: BoundedModule, name: string, args: unknown[]): Promise<{ value: Preflight } |
  { error: string } | { hang: string }> {
  try {
    return await mod.call<Preflight>(name, args);
  } catch (e) {
    return { hang: (e as Error).message };
  }
}

describe('links with hostile numbers', () => {
  let pages: BoundedModule;
  beforeAll(async () => {
    pages = await boundedModule(new URL('../../playground/preflight.ts', import.meta.url), HANG_MS);
  });
  afterAll(() => pages.close());

  /** The page's verdict on a link: decoded, checked and its memory estimated (in a worker, bounded). */
  const open = (query: string, limits = LIMITS) => {
    const s = decodeState(query);
    return verdict(pages, 'preflight', [s, limits, 'float32']);
  };

  it('each parameter at 0, negative, fractional, NaN, 1e308, 2^31 and 1e8: an error for its control, or a run', {
    timeout: 120_000,
  }, async () => {
    const failures: string[] = [];
    const links = hostileLinks();
    for (const link of links) {
      const got = await open(link.query);
      const wrong = !('value' in got) ? ('hang' in got ? got.hang : `threw ${got.error}`) :
        got.value.ok !== link.valid ? (got.value.ok ? 'accepted' : `refused: ${got.value.message}`) :
          !got.value.ok ? misfit(link, got.value.field, got.value.message) :
            got.value.bytes <= MEMORY_BUDGET ? null : `accepted with ${got.value.bytes} bytes`;
      if (wrong) failures.push(`${link.query}: ${wrong}`);
    }
    expect(failures).toEqual([]);
    expect(links.length).toBe(HOSTILE_VALUES.length * 19);
  });

  it('an empty batch needs nothing, however large the other sizes', async () => {
    for (const query of EMPTY_LINKS) {
      const got = await open(query);
      expect(got, query).toEqual({ value: expect.objectContaining({ ok: true, bytes: 0 }) });
    }
  });

  it('sizes beyond the budget are refused by their shapes alone, before the textures are planned', async () => {
    const refused = await open('x=1,16,100000000,100000000,100000000');
    expect(refused).toEqual({ value: expect.objectContaining({ ok: false, field: 'output' }) });
    // On a device this small, planning refuses far smaller inputs; the estimate never gets that far.
    const tiny: PlanLimits = { ...LIMITS, maxTextureSize: 16, maxLayers: 1 };
    const planned = await open('x=1,1,1,1,1000&w=1,1,1,1,1&s=1,1,1', tiny);
    expect('value' in planned && !planned.value.ok && planned.value.message).toMatch(/^Too large for this device: /);
    const got = await open('x=1,1,1,1,200000000&w=1,1,1,1,1&s=1,1,1', tiny);
    expect('value' in got && !got.value.ok && got.value.message).toMatch(
      /^This configuration needs about [\d.]+ GiB .* more than the playground's budget of 1\.50 GiB/);
  });

  // Depends on the planner: calls with a huge stride or dilation on a one-voxel input have a tiny output, and
  // planning them must take no time proportional to the stride or dilation.
  it('huge strides and dilations on a one-voxel input are planned without hanging', { timeout: 120_000 },
    async () => {
      const failures: string[] = [];
      for (const query of ONE_VOXEL_LINKS) {
        const got = await open(query);
        if (!('value' in got)) failures.push(`${query}: ${'hang' in got ? got.hang : got.error}`);
        else if (!got.value.ok) failures.push(`${query}: refused: ${got.value.message}`);
      }
      expect(failures).toEqual([]);
    });
});

describe('memory estimate', () => {
  it('counts what a run allocates: copies, coverage map, outputs, packing, readback and textures', () => {
    const cases: Array<[number[], number[], Parameters<typeof resolveShapes>[3], boolean]> = [
      [[2, 4, 6, 6, 6], [4, 4, 3, 3, 3], { stride: 2 }, false],
      // Many items and channels: the copies of whole tensors outweigh what the views and the tap lists add.
      [[8, 8, 4, 4, 4], [8, 8, 2, 2, 2], { stride: 2 }, false],
      [[1, 6, 3, 5, 4], [6, 2, 2, 3, 2], { stride: [1, 2, 3], padding: 1, groups: 3 }, true],
    ];
    for (const [xShape, wShape, options, hasBias] of cases) {
      const x = randomTensor(xShape, 1);
      const w = randomTensor(wShape, 2);
      const spec = resolveShapes(xShape, wShape, hasBias ? [wShape[1] * (options.groups ?? 1)] : null, options);
      const bias = hasBias ? randomTensor([spec.outChannels], 3) : null;
      const plan = planConv(spec, LIMITS);
      const y = convTranspose3dReference(x, w, { ...options, bias });
      const bytes = (...ts: Array<Tensor | null>) => ts.reduce((sum, t) => sum + (t?.data.byteLength ?? 0), 0);
      const allocated =
        3 * bytes(x, w) + 2 * bytes(bias) + // a loaded or generated source, the call's copies, the worker's
        coverageMap(spec).byteLength +
        2 * bytes(y) + toNpy(y).byteLength + // GPU and CPU outputs, the download
        2 * packActivation(x.data, as5d(x.shape), plan.input).byteLength +
        packWeights(w.data, spec, channelPlan(spec), plan.packedWeight).byteLength +
        packActivation(w.data, as5d(w.shape), plan.rawWeight).byteLength +
        16 * texelCount(plan.output) + // the readback
        16 * (callTexels(plan, { input: true, bias: hasBias }) + texelCount(plan.rawWeight));
      const float32 = memoryNeeded(spec, LIMITS, 'float32');
      expect(float32).toBeGreaterThanOrEqual(allocated);
      const tolerance = storageTolerance('float16', x, w, { ...options, bias });
      // On absolute values: copies of the arguments, and two more references besides the allowance itself.
      const halfCheck = bytes(x, w, bias) + 2 * bytes(y) + 2 * (tolerance.extra as Float32Array).byteLength;
      expect(memoryNeeded(spec, LIMITS, 'float16') - float32).toBeGreaterThanOrEqual(halfCheck);
    }
  });
});

/** A format 3.0 file whose header holds a byte that starts no UTF-8 character (in its padding). */
function notUtf8(): ArrayBuffer {
  const bytes = new Uint8Array(npyBytes({ version: [3, 0], header: dict(`${F4}, 'shape': (1,)`), data: floats(1) }));
  bytes[12 + 100] = 0xff;
  return bytes.buffer;
}

describe('.npy files', () => {
  let reader: BoundedModule;
  beforeAll(async () => {
    reader = await boundedModule(new URL('../../playground/npyFile.ts', import.meta.url), HANG_MS);
  });
  afterAll(() => reader.close());

  it('reads NumPy-written files and writes byte-identical ones', () => {
    for (const name of ['input', 'weight', 'output']) {
      const bytes = fixture(name);
      const t = parseNpy(bytes, name);
      expect(Array.from(toNpy(t))).toEqual(Array.from(new Uint8Array(bytes)));
    }
    expect(parseNpy(fixture('output'), 'output').shape).toEqual([1, 2, 6, 8, 13]);
  });

  it('writes 1-D shapes as NumPy does and reads its own output back', () => {
    const t = { shape: [3], data: Float32Array.of(1, -2, 0.5) };
    const bytes = toNpy(t);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + bytes[8]))).toContain("'shape': (3,), }");
    expect((10 + bytes[8]) % 64).toBe(0);
    expect(parseNpy(bytes.slice().buffer, 'x')).toEqual(t);
    for (const shape of [[], [0, 3], [2, 1, 3], [1, 2, 3, 4, 5]]) {
      const u = { shape, data: Float32Array.from({ length: numel(shape) }, (_, i) => i / 7 - 1) };
      expect(parseNpy(toNpy(u).slice().buffer, 'x')).toEqual(u);
    }
  });

  it('reads every form of header NumPy and Python allow, and data at any offset', () => {
    const values = floats(1.5, -2, 3e-7, 4, 0, -0.25);
    const cases: Array<[string, ArrayBuffer, number[]]> = [
      ['format 2.0', npyBytes({ version: [2, 0], header: dict(`${F4}, 'shape': (2, 3), `, 116), data: values }),
        [2, 3]],
      ['format 3.0 (UTF-8)', npyBytes({ version: [3, 0], header: dict(`${F4}, 'shape': (6,)`), data: values }), [6]],
      ['keys in another order, double quotes, no trailing comma, newlines',
        npyBytes({ header: dict(`"shape": (3, 2),\n "fortran_order" : False ,\t"descr":"<f4"`), data: values }),
        [3, 2]],
      ['Python 2 long integers', npyBytes({ header: dict(`${F4}, 'shape': (2L, 3L), `), data: values }), [2, 3]],
      ['a header without padding', npyBytes({ header: `{${F4}, 'shape': (6,)}`, data: values }), [6]],
      ['data at an odd offset', npyBytes({ header: dict(`${F4}, 'shape': (6,), `, 119), data: values }), [6]],
    ];
    for (const [what, bytes, shape] of cases) {
      expect(parseNpy(bytes, 'input'), what).toEqual({ shape, data: new Float32Array(values.slice().buffer) });
    }
    const scalar = npyBytes({ header: dict(`${F4}, 'shape': ()`), data: floats(7) });
    expect(parseNpy(scalar, 'input')).toEqual({ shape: [], data: Float32Array.of(7) });
  });

  it('refuses each hostile or mistaken file with its reason, naming the tensor', async () => {
    const good = (shape = '(2, 3)') => dict(`${F4}, 'shape': ${shape}, `);
    const cases: Array<[string, ArrayBuffer, RegExp]> = [
      ...hostileNpyFiles(MAX_HEADER_BYTES),
      ['a file shorter than its preamble', npyBytes({ header: '' }).slice(0, 9), /ends within its first 10 bytes/],
      ['three bytes', new Uint8Array([1, 2, 3]).buffer, /^input: not a \.npy file/],
      ['version 1.1', npyBytes({ version: [1, 1], header: good(), data: new Uint8Array(24) }), /version 1\.1/],
      ['a missing key', npyBytes({ header: dict(`${F4}, `), data: new Uint8Array(4) }), /the key 'shape' is missing/],
      ['a negative dimension', npyBytes({ header: good('(-2, 3)') }), /'shape' entries must be non-negative integers/],
      ['a dimension beyond 2^53', npyBytes({ header: good('(99999999999999999999,)') }),
        /'shape' entries must be non-negative integers up to 2\^53, got '99999999999999999999'/],
      ['(n) for a shape', npyBytes({ header: good('(6)'), data: new Uint8Array(24) }),
        /is a number in Python, not a tuple/],
      ['a list for descr', npyBytes({ header: dict(`'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)`) }),
        /unexpected "\[" \(at character 10\)/],
      ['a backslash', npyBytes({ header: dict(`'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)`) }),
        /backslashes in header strings are not supported/],
      ['an unclosed string', npyBytes({ header: `{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}` }),
        /expected ',' or '}' \(at character 17\)/],
      ['a string never closed', npyBytes({ header: "{'descr" }), /a string is not closed \(at character 1\)/],
      ['a name other than True or False', npyBytes({ header: dict("'descr': '<f4', 'fortran_order': None, " +
        "'shape': (1,)") }), /unexpected name 'None'/],
      ['fortran_order as a number', npyBytes({ header: dict("'descr': '<f4', 'fortran_order': 0, 'shape': (1,)") }),
        /'fortran_order' must be True or False, got the integer '0'/],
      ['text after the dict', npyBytes({ header: dict(`${F4}, 'shape': (1,)} {`) }), /unexpected text after the dict/],
      ['a dict never closed', npyBytes({ header: `{${F4}, 'shape': (1,), ` }), /the header ends too early/],
      ['not UTF-8 in format 3.0', notUtf8(), /^input: the \.npy header is not valid UTF-8$/],
    ];
    const failures: string[] = [];
    for (const [what, bytes, pattern] of cases) {
      const got = await verdict(reader, 'parseNpy', [bytes, 'input']);
      if ('value' in got) failures.push(`${what}: accepted`);
      else if ('hang' in got) failures.push(`${what}: ${got.hang}`);
      else if (!pattern.test(got.error)) failures.push(`${what}: ${got.error}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a file over the size cap by its size, before reading it', () => {
    expect(MAX_NPY_BYTES).toBe(MEMORY_BUDGET / 3);
    expect(() => checkNpySize(MAX_NPY_BYTES, 'weight')).not.toThrow();
    expect(() => checkNpySize(MAX_NPY_BYTES + 1, 'weight')).toThrow(
      /^weight: the \.npy file is 512\.0 MiB \(536870913 bytes\), more than the 512\.0 MiB the playground reads$/);
    // Never touched: its pages are never even mapped.
    expect(() => parseNpy(new ArrayBuffer(MAX_NPY_BYTES + 1), 'input')).toThrow(/^input: the \.npy file is 512\.0 MiB/);
  });
});

describe('GPU runs', () => {
  it('time the first call apart, then warm runs; the resident run, which blocks the page, only after quick ones', async () => {
    const x = randomTensor([1, 1, 2, 2, 2], 1);
    const w = randomTensor([1, 1, 2, 2, 2], 2);
    const output = convTranspose3dReference(x, w);
    for (const [ms, timed] of [[10, true], [BLOCKING_TIMING_MS + 1, false]] as const) {
      // A stand-in backend on a clock of the test's own: each wait for the GPU takes `ms`, the first 100 ms more
      // (and compiles).
      let clock = 0;
      let compiles = 0;
      vi.spyOn(performance, 'now').mockImplementation(() => clock);
      const finish = vi.fn(() => { clock += ms; });
      const backend = {
        stats: () => ({ compiles }),
        convTranspose3d: () => ({
          read: async () => {
            clock += ms + (compiles ? 0 : 100);
            compiles = 1;
            return output;
          },
          dispose: () => undefined,
        }),
        upload: () => ({ dispose: () => undefined }),
        finish,
      } as unknown as Backend;
      try {
        const heard: string[] = [];
        const run = await runGpu(backend, { x, w, options: {} }, () => false, (what) => heard.push(what));
        const warm = (n: number) => new Array<number>(n).fill(ms);
        // 10 ms runs: 7 of each kind within the budget; 501 ms runs: 3 end to end (1.5 s) and none resident.
        const n = timed ? MAX_WARM_RUNS : MIN_WARM_RUNS;
        expect(run).toEqual({ output, firstMs: ms + 100, compiled: true, endToEnd: warm(n),
          resident: timed ? warm(n) : null });
        expect(finish).toHaveBeenCalledTimes(timed ? n : 0);
        expect(heard[0]).toBe('Timing the GPU: warm run 1…');
      } finally {
        vi.restoreAllMocks();
      }
    }
  });

  it('stop when cancelled between runs', async () => {
    let calls = 0;
    const output = convTranspose3dReference(randomTensor([1, 1, 1, 1, 1], 1), randomTensor([1, 1, 1, 1, 1], 2));
    const backend = {
      stats: () => ({ compiles: 0 }),
      convTranspose3d: () => ({ read: async () => { calls++; return output; }, dispose: () => undefined }),
    } as unknown as Backend;
    expect(await runGpu(backend, { x: output, w: output, options: {} }, () => calls >= 2)).toBeNull();
    expect(calls).toBe(2);
  });
});

describe('timings', () => {
  const base: Timings = { firstMs: 300, compiled: true, endToEnd: [12, 10, 11], resident: [5, 4, 6], cpuMs: 110,
    flops: 5.66e7, softwareRenderer: null };

  it('take the median; keep timing while it is cheap, a long call fewer times', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    const runsOf = (ms: number) => {
      const samples: number[] = [];
      while (wantsAnotherRun(samples)) samples.push(ms);
      return samples.length;
    };
    expect(runsOf(1)).toBe(MAX_WARM_RUNS);
    expect(runsOf(400)).toBe(MIN_WARM_RUNS);
    expect(runsOf(2000)).toBe(MIN_WARM_RUNS);
    expect(runsOf(2500)).toBe(2);
    expect(runsOf(7000)).toBe(1);
  });

  it('show warm medians, the CPU reference, and the first call apart with its compile time', () => {
    const rows = timingRows(base);
    expect(rows.map((r) => [r.what, r.ms])).toEqual([['GPU, end-to-end', 11], ['GPU, resident', 5],
      ['CPU reference', 110], ['GPU, first call', 300]]);
    expect(rows[0].gflops).toBeCloseTo(5.66e7 / 1e9 / 0.011);
    expect(rows[0].note).toBe('upload, compute, read back; median of 3 warm runs');
    expect(rows[3].gflops).toBeNull();
    expect(rows[3].note).toBe("includes compiling this configuration's shaders (about 289 ms more than a warm run): " +
      'once per configuration, later calls reuse them');
    expect(timingRows({ ...base, compiled: false })[3].note).toBe('the shaders were already compiled by an earlier run');
    const long = timingRows({ ...base, endToEnd: [900], resident: null, cpuMs: null });
    expect(long[0].note).toBe('upload, compute, read back; one warm run (the call is long)');
    expect([long[1].ms, long[1].missing, long[2].ms]).toEqual([null, '—', null]);
  });

  it('say how the GPU compares with the CPU reference, and why when the CPU reference is faster', () => {
    expect(speedVerdict(base)).toBe('The GPU is 10× faster than the CPU reference here, end to end.');
    expect(speedVerdict({ ...base, cpuMs: 33, softwareRenderer: 'SwiftShader' })).toBe('The GPU is 3.0× faster than the ' +
      "CPU reference here, end to end. This browser draws WebGL on the CPU (SwiftShader): these are a software " +
      "rasterizer's times, not a GPU's.");
    expect(speedVerdict({ ...base, cpuMs: null })).toBe('Waiting for the CPU reference to compare.');
    expect(speedVerdict({ ...base, cpuMs: 5.5, flops: 1.87e5 })).toBe('The CPU reference is 2.0× faster here: this call ' +
      "is small (0.187 MFLOP), so the GPU's fixed cost per call (upload, draw, read back) outweighs its arithmetic. " +
      'The U-Net, VAE and video presets show the GPU at work.');
    expect(speedVerdict({ ...base, cpuMs: 5.5, softwareRenderer: 'Mesa llvmpipe' })).toBe('The CPU reference is 2.0× ' +
      'faster here: this browser draws WebGL on the CPU (Mesa llvmpipe), not on a GPU.');
    expect(speedVerdict({ ...base, cpuMs: 5.5 })).toBe("The CPU reference is 2.0× faster here: this device's GPU is " +
      'slower than one CPU core for this call.');
  });

  it('name the software rasterizers by their renderer strings', () => {
    expect(softwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader ' +
      'driver)')).toBe('SwiftShader');
    expect(softwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('Mesa llvmpipe');
    expect(softwareRenderer('ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBeNull();
    expect(softwareRenderer('Apple GPU')).toBeNull();
  });

  it('find maps of one value, which get a note inside', () => {
    expect(constantValue(new Float32Array([1, 1, 1]))).toBe(1);
    expect(constantValue(new Float32Array([0, -0]))).toBe(0);
    expect(constantValue(new Float32Array([NaN, NaN]))).toBeNaN();
    expect(constantValue(new Float32Array([1, 2]))).toBeNull();
    expect(constantValue(new Float32Array([NaN, 1]))).toBeNull();
    expect(constantValue(new Float32Array(0))).toBeNull();
  });
});
