// A call's plan, the gather's #defines and the passes drawn: the choices the planner makes by definition (direct
// output, per-phase draws), and the slice row order both shaders mirror.
import { describe, expect, it } from 'vitest';
import { resolveShapes } from '../../src/args';
import { MIN_PHASE_DRAWS_COST, planConv, repackCost, sliceRow, sliceRowVoxels, type PlanLimits } from '../../src/convPlan';
import { fragmentCost } from '../../src/fragment';
import { texelCount } from '../../src/layout';
import { callPasses } from '../../src/passes';
import { gatherDefines } from '../../src/shaderDefines';
import type { ConvTranspose3dOptions } from '../../src/types';

type Opts = Omit<ConvTranspose3dOptions, 'bias'>;
const spec = (input: number[], weight: number[], options: Opts = {}) => resolveShapes(input, weight, null, options);
const limits: PlanLimits = { maxTextureSize: 4096, maxLayers: 256, maxOutputs: 8, quadWidth: 2, windowTexels: 16 };
const cost = (plan: ReturnType<typeof planConv>) => fragmentCost(plan.spec, plan.channels, plan.fragment, 2);

const tiny = spec([1, 4, 1, 1, 1], [4, 4, 1, 1, 1]);
const small = spec([2, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 });
const large = spec([32, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 });
const unet = spec([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });

describe('planConv', () => {
  it('writes the output directly by default exactly where one voxel a fragment costs no more than the repack', () => {
    for (const s of [tiny, small, large, unet]) {
      const [slices, direct] = [false, true].map((d) => planConv(s, limits, { directOutput: d }));
      expect(direct.fragment).toMatchObject({ voxels: 1, depth: 1, blocks: 1 });
      expect(direct.phaseWindows).toBeNull();
      expect(direct.slice).toEqual(direct.output);
      const margin = cost(direct) - cost(slices) - repackCost(direct.output);
      expect(planConv(s, limits).direct, `margin ${margin}`).toBe(margin <= 0);
    }
    // A call with no work goes direct; the benchmark's small-odd and unet-up do not.
    expect([tiny, small, unet].map((s) => planConv(s, limits).direct)).toEqual([true, false, false]);
  });

  it('keeps slices where a shape is pinned or per-phase draws are asked for; the option decides over both', () => {
    expect(planConv(tiny, limits, { fragment: { voxels: 1 } }).direct).toBe(false);
    expect(planConv(tiny, limits, { fragment: { depth: 1 } }).direct).toBe(false);
    expect(planConv(tiny, limits, { fragment: { windowTexels: 10 } }).direct).toBe(true);
    expect(planConv(tiny, limits, { phaseDraws: true }).direct).toBe(false);
    expect(planConv(tiny, limits, { phaseDraws: false }).direct).toBe(true);
    expect(planConv(tiny, limits, { directOutput: false }).direct).toBe(false);
    expect(planConv(unet, limits, { phaseDraws: true, directOutput: true })).toMatchObject({ direct: true,
      phaseWindows: null });
  });

  it('draws the gather per W phase by default exactly for calls estimated at MIN_PHASE_DRAWS_COST or more', () => {
    for (const s of [small, large]) {
      const plan = planConv(s, limits);
      expect(plan.phaseWindows === null, `cost ${cost(plan)}`).toBe(cost(plan) < MIN_PHASE_DRAWS_COST);
    }
    expect(planConv(large, limits).phaseWindows).toHaveLength(2);
    expect(planConv(small, limits, { phaseDraws: true }).phaseWindows).toHaveLength(2);
    expect(planConv(large, limits, { phaseDraws: false }).phaseWindows).toBeNull();
    // One draw for stride 1, and where rows sit side by side in the slices.
    expect(planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3]), limits).phaseWindows).toBeNull();
    const packed = planConv(spec([1, 8, 8, 8, 2], [8, 8, 3, 3, 3], { stride: 2 }),
      { ...limits, maxTextureSize: 32, maxLayers: 8 });
    expect(packed.slice.rowsPerLine).toBeGreaterThan(1);
    expect(packed.phaseWindows).toBeNull();
  });
});

describe('gatherDefines', () => {
  it('gives each W phase drawn alone its own window', () => {
    const plan = planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3], { stride: 2, padding: 1 }), limits,
      { phaseDraws: true });
    expect(plan.slice).toMatchObject({ rowsPerLine: 1, segmentsPerRow: 1 });
    expect(plan.phaseWindows!.map((w) => w.taps)).toEqual([1, 2]);
    expect(gatherDefines(plan, { phase: 1 })).toMatchObject({ PHASE_W: 1, TWC: 2, TAPS_EVEN: true });
    expect(gatherDefines(plan)).toMatchObject({ PHASE_W: -1, TWC: 2, TAPS_EVEN: false });
  });

  it('lets a W tap outside the input multiply zeros only when the weight is known to be finite', () => {
    // Padding 1, kernel 4, stride 2: ow = 0 reaches input column −1 at tap 3 (every phase is masked).
    const plan = planConv(spec([1, 8, 4, 4, 8], [8, 8, 4, 4, 4], { stride: 2, padding: 1 }), limits,
      { phaseDraws: true });
    expect(plan.phaseWindows!.every((w) => w.masked && w.even)).toBe(true);
    expect(gatherDefines(plan, { phase: 0 })).toMatchObject({ W_MASK: true, ZERO_OUTSIDE: false });
    expect(gatherDefines(plan, { phase: 0, finiteWeight: true })).toMatchObject({ W_MASK: false, ZERO_OUTSIDE: true });
    // A phase with a missing tap still discards it by selection (its input may be Inf), finite weight or not.
    const uneven = planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3], { stride: 2, padding: 1 }), limits,
      { phaseDraws: false });
    expect(uneven.window.even).toBe(false);
    expect(gatherDefines(uneven, { finiteWeight: true })).toMatchObject({ W_MASK: true,
      ZERO_OUTSIDE: uneven.window.masked });
    // Nothing outside the input (no padding, kernel 2, stride 2): nothing to select either way.
    const exact = planConv(spec([1, 8, 4, 4, 8], [8, 8, 2, 2, 2], { stride: 2 }), limits, { phaseDraws: true });
    expect(gatherDefines(exact, { phase: 0 })).toMatchObject({ W_MASK: false, ZERO_OUTSIDE: false });
  });

  it('walks D by taps with one voxel along D, and by the KD + 1 rows of a pair with two', () => {
    const docs = spec([2, 16, 5, 5, 20], [16, 33, 3, 3, 3]);
    expect(gatherDefines(planConv(docs, limits, { fragment: { depth: 2 } }))).toMatchObject({ ND: 2, D_PASSES: 1,
      D_KERNEL: 3, D_ROWS: 4, W_MASK: true });
    expect(gatherDefines(planConv(docs, limits, { fragment: { depth: 1 } }))).toMatchObject({ ND: 1, D_PASSES: 3,
      D_KERNEL: 1, D_ROWS: 1 });
    const plan = planConv(docs, limits);
    expect(gatherDefines(plan).NOUT).toBe(plan.fragment.voxels * plan.fragment.depth * plan.fragment.blocks);
  });
});

describe('callPasses', () => {
  it('draws the gather into slices (per W phase: each phase its own columns, all covered once), then the repack', () => {
    const plan = planConv(large, limits);
    const { compute, intermediates, packWeights } = callPasses(plan, { finiteWeight: false });
    expect(compute.map((p) => p.shader)).toEqual(['gather', 'gather', 'repack']);
    expect(compute.map((p) => p.target)).toEqual(['slices', 'slices', 'output']);
    expect(compute.map((p) => p.defines.PHASE_W)).toEqual([0, 1, undefined]);
    expect(compute.map((p) => p.columns)).toEqual([[0, plan.chunksPerPhase], [plan.chunksPerPhase,
      2 * plan.chunksPerPhase], undefined]);
    expect(2 * plan.chunksPerPhase).toBe(plan.slice.width);
    expect(compute[0].outputs).toBe(plan.fragment.voxels * plan.fragment.depth * plan.fragment.blocks);
    expect(compute[0].inputs).toEqual({ u_x: 'input', u_w: 'packedWeight', u_bias: 'input' });
    expect(compute[2]).toMatchObject({ inputs: { u_slices: 'slices' }, layout: plan.output, outputs: 1 });
    expect(intermediates).toHaveLength(1);
    expect(texelCount(intermediates[0].layout)).toBe(texelCount(plan.slice) * compute[0].outputs);
    expect(packWeights).toMatchObject({ shader: 'packWeights', target: 'packedWeight', layout: plan.packedWeight });
  });

  it('draws one gather straight into the output where the plan writes it directly, reading the bias if any', () => {
    const plan = planConv(resolveShapes([1, 4, 1, 1, 1], [4, 4, 1, 1, 1], [4], {}), limits);
    expect(plan.direct).toBe(true);
    const { compute, intermediates } = callPasses(plan, { finiteWeight: true });
    expect(compute).toHaveLength(1);
    expect(compute[0]).toMatchObject({ shader: 'gather', target: 'output', outputs: 1, layout: plan.output,
      inputs: { u_x: 'input', u_w: 'packedWeight', u_bias: 'bias' } });
    expect(compute[0].defines).toMatchObject({ DIRECT_OUT: true, HAS_BIAS: true, ZERO_OUTSIDE: false });
    expect(intermediates).toEqual([]);
  });
});

describe('sliceRow (mirrored by the gather and repack shaders)', () => {
  it('gives every output row of voxels its own slice row, inverted by sliceRowVoxels', () => {
    const limits: PlanLimits = { maxTextureSize: 64, maxLayers: 64, maxOutputs: 8, quadWidth: 2, windowTexels: 16 };
    for (const [input, weight, options, depth] of [
      [[2, 12, 3, 4, 5], [12, 8, 3, 3, 3], { stride: [2, 3, 1], padding: 1, outputPadding: [1, 0, 0] }, 1],
      [[1, 8, 3, 3, 3], [8, 36, 2, 2, 2], { stride: 2 }, 1],
      [[3, 4, 2, 5, 2], [4, 4, 1, 3, 1], { stride: [1, 2, 1], dilation: [1, 2, 1] }, 1],
      // Two voxels along D a fragment, OD = 5: the last pair has one voxel.
      [[2, 8, 5, 3, 4], [8, 8, 3, 2, 3], { stride: [1, 2, 1], padding: 1 }, 2],
      [[1, 8, 4, 3, 4], [8, 12, 4, 2, 3], { stride: [1, 2, 2], padding: [2, 0, 1] }, 2],
    ] as [number[], number[], Opts, number][]) {
      const s = spec(input, weight, options);
      const plan = planConv(s, limits, { fragment: { depth } });
      expect(plan.fragment.depth).toBe(depth);
      // The fragment's voxels along D are od and od + stride: a row holds the first.
      const first = (od: number) => (od % s.stride[0]) + Math.floor(Math.floor(od / s.stride[0]) / depth) * depth *
        s.stride[0];
      const seen = new Set<number>();
      for (let n = 0; n < s.batch; n++) for (let g = 0; g < plan.blockGroups; g++) {
        for (let od = 0; od < s.outSize[0]; od++) for (let oh = 0; oh < s.outSize[1]; oh++) {
          const row = sliceRow(plan, n, g, od, oh);
          expect(row).toBeLessThan(plan.slice.rows);
          expect(sliceRowVoxels(plan, row)).toEqual([n, g, first(od), oh]);
          seen.add(row);
        }
      }
      expect(seen.size).toBe(s.batch * plan.blockGroups * Math.ceil(s.outSize[0] / depth) * s.outSize[1]);
      for (let row = 0; row < plan.slice.rows; row++) {
        if (seen.has(row)) continue;
        const [, , od, oh] = sliceRowVoxels(plan, row);
        expect(od >= s.outSize[0] || oh >= s.outSize[1]).toBe(true);
      }
      // Neighbouring rows of one group share the stride phases of od and oh.
      if (plan.blockGroups === 1) {
        const [, , od0, oh0] = sliceRowVoxels(plan, 0);
        const [, , od1, oh1] = sliceRowVoxels(plan, 1);
        expect([od1 % s.stride[0], oh1 % s.stride[1]]).toEqual([od0 % s.stride[0], oh0 % s.stride[1]]);
      }
    }
  });
});
