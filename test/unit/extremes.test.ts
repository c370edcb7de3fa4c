// Valid but extreme calls and hostile arguments, in Node: every check, the planner and the CPU reference either give
// the right answer or refuse with a message, and none of them works in proportion to a stride, padding or dilation.
// A hang fails the test through its timeout instead of stalling the run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCall, resolveShapes, type ConvSpec } from '../../src/args';
import { planConv, type PlanLimits } from '../../src/convPlan';
import { forEachLanding } from '../../src/coverage';
import { ConvTranspose3dError } from '../../src/errors';
import { gatherAxis, gatherSpec } from '../../src/gatherSpec';
import { MAX_SHADER_INT, MAX_STRIDE_PHASES } from '../../src/limits';
import { phaseTaps, tapRange } from '../../src/packing';
import { convTranspose3dReference } from '../../src/reference';
import { gatherDefines } from '../../src/shaderDefines';
import type { ConvTranspose3dOptions } from '../../src/types';
import { EXTREME_AXIS, EXTREME_CASES, axisLength, valuesOf } from '../support/extremeCases';

const LIMITS: PlanLimits = { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8, quadWidth: 2, windowTexels: 16 };
const GUARD = { timeout: 20_000 };

/** The (o, t, i) triples of one axis by the definition, taps counted in the caller's kernel. */
function landings(inLen: number, k: number, s: number, p: number, d: number, outLen: number): string[] {
  const out: string[] = [];
  forEachLanding(outLen, inLen, k, s, p, d, (o, t, i) => out.push(`${o}:${t}:${i}`));
  return out.sort();
}

/**
 * The same triples as the gather finds them from its view of the axis, shifted back to the caller's kernel: for
 * each output, the taps of its stride phase inside the input (tapRange, which the shader mirrors) where the view's
 * stride fits the tap tables, else by the definition applied to the view.
 */
function gatherLandings(inLen: number, k: number, s: number, p: number, d: number, outLen: number): string[] {
  const g = gatherAxis(inLen, k, s, p, d, outLen);
  const out: string[] = [];
  if (g.stride > MAX_STRIDE_PHASES) {
    forEachLanding(outLen, g.input, g.kernel, g.stride, g.padding, g.dilation,
      (o, t, i) => out.push(`${o}:${t + g.kernelOffset}:${i + g.inputOffset}`));
    return out.sort();
  }
  const tables = phaseTaps(g.kernel, g.stride, g.dilation);
  const shift = (tables.step * g.dilation) / g.stride;
  for (let o = 0; o < outLen; o++) {
    const r = tapRange(o + g.padding, g.kernel, g.stride, g.dilation, g.input, tables);
    for (let n = Math.max(r.lo, 0); n <= r.hi; n++) {
      out.push(`${o}:${r.first + n * tables.step + g.kernelOffset}:${r.u - n * shift + g.inputOffset}`);
    }
  }
  return out.sort();
}

describe('extreme calls', () => {
  for (const c of EXTREME_CASES) {
    it(c.name, GUARD, () => {
      const built = c.build();
      const before = c.hostile ? null : valuesOf(built);
      const limits = { ...LIMITS, ...(c.backend?.maxTextureSize ? { maxTextureSize: c.backend.maxTextureSize } : {}) };
      const run = () => {
        const { spec } = checkCall(built.input, built.weight, built.options);
        if (spec.batch > 0) planConv(spec, limits);
        return spec;
      };
      if ('refused' in c.want) {
        expect(run).toThrowError(new RegExp(c.want.refused));
        return;
      }
      const spec = run();
      const plain = c.plain?.() ?? built;
      const want = convTranspose3dReference(plain.input, plain.weight, plain.options);
      if ('values' in c.want) {
        expect(want.shape).toEqual(c.want.shape);
        expect([...want.data]).toEqual(c.want.values);
      }
      expect(spec.outShape).toEqual(want.shape);
      // The reference run on the arguments themselves reads them once, as the GPU path does.
      const again = c.build();
      const got = convTranspose3dReference(again.input, again.weight, again.options);
      expect(got.shape).toEqual(want.shape);
      expect([...got.data]).toEqual([...want.data]);
      if (before) expect(valuesOf(built)).toEqual(before);
    });
  }
});

describe('the gather\'s view of an axis', () => {
  it('keeps only the inputs and taps that land, in small numbers', () => {
    const axis = (input: number, inputOffset: number, kernel: number, kernelOffset: number, stride: number,
      padding: number, dilation: number) => ({ input, inputOffset, kernel, kernelOffset, stride, padding, dilation });
    expect(gatherAxis(2, 3, 3, 2 ** 30, 2 ** 30, 4)).toEqual(axis(2, 0, 1, 1, 3, 0, 1));
    expect(gatherAxis(1, 1, 30000, 0, 1, 1)).toEqual(axis(1, 0, 1, 0, 1, 0, 1));
    expect(gatherAxis(3, 2, 2 ** 30, 2 ** 30 - 1, 1, 4)).toEqual(axis(1, 1, 2, 0, 1, -1, 1));
    // Nothing lands: an axis on which nothing can.
    expect(gatherAxis(1, 1, 3, 1, 1, 1)).toEqual(axis(1, 0, 1, 0, 1, 1, 1));
    // An ordinary axis is left as it is.
    expect(gatherAxis(6, 3, 2, 1, 1, 12)).toEqual(axis(6, 0, 3, 0, 2, 1, 1));
  });

  it('lands exactly the (output, tap, input) triples of the definition, for parameters up to 2^31', GUARD, () => {
    let run = 0;
    fc.assert(fc.property(EXTREME_AXIS, ({ inLen, k, s, d, p, op }) => {
      const outLen = axisLength(inLen, k, s, d, p, op);
      fc.pre(outLen >= 1 && outLen <= 64);
      run++;
      expect(gatherLandings(inLen, k, s, p, d, outLen)).toEqual(landings(inLen, k, s, p, d, outLen));
    }), { numRuns: 3000, seed: 15 });
    expect(run).toBeGreaterThan(1000);
  });

  it('fails, as it must, when a tap that lands is cropped away', () => {
    // The property above compares against the definition: an axis view off by one tap would break it.
    const shifted = (inLen: number, k: number, s: number, p: number, d: number, outLen: number) =>
      gatherLandings(inLen, k, s, p + 1, d, outLen);
    expect(shifted(2, 3, 3, 2 ** 30, 2 ** 30, 4)).not.toEqual(landings(2, 3, 3, 2 ** 30, 2 ** 30, 4));
  });
});

describe('calls with huge parameters and small outputs', () => {
  const one = { shape: [1, 1, 1, 1, 1], data: new Float32Array([1]) };
  it('plan as fast as small ones: no work in proportion to a stride', GUARD, () => {
    for (const stride of [1000, 30000, 1e8, 4e9, 2 ** 31 - 1, Number.MAX_SAFE_INTEGER]) {
      const { spec } = checkCall(one, one, { stride: [1, 1, stride] });
      const plan = planConv(spec, LIMITS);
      expect(plan.spec.stride).toEqual([1, 1, 1]);
      expect(plan.slice.rows * plan.slice.cols).toBe(1);
      expect(gatherDefines(plan).FIRST_TAPS_W).toBe('0');
    }
  });

  it('keep every shader integer within 2^24, or are refused naming the argument', GUARD, () => {
    const args = fc.tuple(EXTREME_AXIS, EXTREME_AXIS, EXTREME_AXIS).map((axes) => ({
      input: axes.map((a) => a.inLen), kernel: axes.map((a) => a.k),
      options: { stride: axes.map((a) => a.s), dilation: axes.map((a) => a.d), padding: axes.map((a) => a.p),
        outputPadding: axes.map((a) => a.op) } as Omit<ConvTranspose3dOptions, 'bias'>,
    }));
    let planned = 0;
    let refused = 0;
    fc.assert(fc.property(args, (a) => {
      let spec: ConvSpec;
      try {
        spec = resolveShapes([1, 1, ...a.input], [1, 1, ...a.kernel], null, a.options);
      } catch (e) {
        expect((e as Error).message).toMatch(/^conv_transpose3d: (outputPadding|output size|output shape)/);
        return;
      }
      fc.pre(spec.outSize.every((n) => n <= 64));
      try {
        const plan = planConv(spec, LIMITS);
        planned++;
        const defines = gatherDefines(plan);
        for (const [key, v] of Object.entries(defines)) {
          if (typeof v === 'number') expect(Math.abs(v), key).toBeLessThanOrEqual(MAX_SHADER_INT);
        }
        for (let axis = 0; axis < 3; axis++) {
          expect(plan.spec.outSize[axis] - 1 + defines[(['PAD_D', 'PAD_H', 'PAD_W'] as const)[axis]])
            .toBeLessThanOrEqual(MAX_SHADER_INT);
        }
      } catch (e) {
        refused++;
        expect((e as Error).message).toMatch(/^conv_transpose3d: stride\[\d\] = \d+, padding\[\d\] = \d+ and dilation/);
      }
    }), { numRuns: 2000, seed: 15 });
    expect(planned).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
  });

  it('an empty batch costs nothing in the reference whatever the other sizes', GUARD, () => {
    const y = convTranspose3dReference({ shape: [0, 1, 1e8, 1, 1], data: new Float32Array(0) }, one);
    expect(y.shape).toEqual([0, 1, 1e8, 1, 1]);
    expect(y.data.length).toBe(0);
  });

  it('refuse, before planning, a call the gather cannot address', () => {
    const { spec } = checkCall({ shape: [1, 1, 1, 1, 2], data: new Float32Array(2) },
      { shape: [1, 1, 1, 1, 2], data: new Float32Array(2) },
      { stride: [1, 1, 2 ** 30], dilation: [1, 1, 2 ** 30 - 1], padding: [0, 0, 2 ** 30 - 1] });
    expect(() => gatherSpec(spec)).toThrowError(ConvTranspose3dError);
  });
});
