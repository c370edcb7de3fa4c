// The gather shader's plan: W windows, tap ranges and the choice of fragment shape, against brute force.
import { describe, expect, it } from 'vitest';
import { resolveShapes } from '../../src/args';
import {
  chooseFragment, convDefines, depthPairs, fragmentCost, MAX_WINDOW, MAX_WINDOW_TAPS, MIN_PHASE_DRAWS_COST, planConv,
  quadColumns, repackCost, sliceRow, sliceRowVoxels, windowPlan,
} from '../../src/convPlan';
import { channelPlan, phaseTaps, tapRange } from '../../src/packing';
import type { ConvTranspose3dOptions } from '../../src/types';

type Opts = Omit<ConvTranspose3dOptions, 'bias'>;
const spec = (input: number[], weight: number[], options: Opts = {}) => resolveShapes(input, weight, null, options);

/** Every (output position, tap) pair along W that the convolution uses, by the definition. */
function wTaps(k: number, s: number, d: number, pad: number, outW: number) {
  const pairs: { o: number; k: number; reach: number }[] = [];
  for (let o = 0; o < outW; o++) {
    for (let t = 0; t < k; t++) {
      const reach = o + pad - t * d;
      if (((reach % s) + s) % s === 0) pairs.push({ o, k: t, reach: reach / s });
    }
  }
  return pairs;
}

describe('tapRange (mirrored by the gather shader)', () => {
  it('finds exactly the taps that reach an input voxel, for every small axis', () => {
    for (let k = 1; k <= 5; k++) for (let s = 1; s <= 4; s++) for (let d = 1; d <= 3; d++) {
      const { step } = phaseTaps(k, s, d);
      for (let size = 1; size <= 5; size++) for (let p = 0; p < (size + k) * s + 3; p++) {
        const r = tapRange(p, k, s, d, size);
        const got: number[] = [];
        for (let i = r.lo; i <= r.hi; i++) {
          const tap = r.first + i * step;
          expect(tap).toBeLessThan(k);
          expect(r.u - i * ((step * d) / s)).toBe((p - tap * d) / s);
          got.push(tap);
        }
        const want: number[] = [];
        for (let t = 0; t < k; t++) {
          const reach = p - t * d;
          if (reach >= 0 && reach % s === 0 && reach / s < size) want.push(t);
        }
        expect(got).toEqual(want);
      }
    }
  });
});

describe('windowPlan', () => {
  it('holds all taps of a stride-1 kernel in one window', () => {
    const w = windowPlan(spec([1, 4, 5, 5, 5], [4, 4, 3, 3, 3]), 8);
    expect(w).toEqual({ taps: 3, chunks: 1, shift: 1, size: 10, even: true, masked: true });
  });

  it('knows when no W tap of a real output leaves the input (kernel = stride, no padding)', () => {
    expect(windowPlan(spec([1, 4, 4, 4, 4], [4, 4, 2, 2, 2], { stride: 2 }), 4))
      .toEqual({ taps: 1, chunks: 1, shift: 1, size: 4, even: true, masked: false });
  });

  it('marks phases with fewer taps than the window (kernel 3, stride 2) as uneven, but not each phase alone', () => {
    const sp = spec([1, 4, 4, 4, 4], [4, 4, 3, 3, 3], { stride: 2 });
    expect(windowPlan(sp, 8)).toMatchObject({ taps: 2, even: false });
    expect(windowPlan(sp, 8, MAX_WINDOW_TAPS, 0)).toMatchObject({ taps: 2, chunks: 1, even: true });
    expect(windowPlan(sp, 8, MAX_WINDOW_TAPS, 1)).toMatchObject({ taps: 1, chunks: 1, size: 8, even: true });
  });

  it('steps a dilated kernel by its dilation and splits long or wide windows', () => {
    expect(windowPlan(spec([1, 4, 9, 9, 9], [4, 4, 3, 3, 3], { dilation: 2 }), 8))
      .toMatchObject({ taps: 3, shift: 2, size: 12, chunks: 1 });
    expect(windowPlan(spec([1, 4, 9, 9, 9], [4, 4, 1, 1, 9]), 8))
      .toMatchObject({ taps: MAX_WINDOW_TAPS, chunks: 3, even: false });
    const wide = windowPlan(spec([1, 4, 9, 9, 30], [4, 4, 1, 1, 4], { dilation: 6 }), 8);
    expect(wide.size).toBeLessThanOrEqual(MAX_WINDOW);
    expect(wide).toMatchObject({ taps: 2, chunks: 2, shift: 6, even: true });
  });

  it('agrees with the definition on every small W axis', () => {
    for (let k = 1; k <= 5; k++) for (let s = 1; s <= 3; s++) for (let d = 1; d <= 3; d++) {
      for (let pad = 0; pad <= d * (k - 1); pad++) for (let inW = 1; inW <= 4; inW++) {
        let sp;
        try {
          sp = spec([1, 1, 1, 1, inW], [1, 1, 1, 1, k],
            { stride: [1, 1, s], dilation: [1, 1, d], padding: [0, 0, pad] });
        } catch {
          continue;  // an output narrower than one voxel
        }
        for (const voxels of [1, 3, 8]) {
          const w = windowPlan(sp, voxels);
          const pairs = wTaps(k, s, d, pad, sp.outSize[2]);
          expect(w.masked).toBe(pairs.some((q) => q.reach < 0 || q.reach >= inW));
          for (let a = 0; a < s; a++) {
            // One W phase alone: exactly its taps, and masked only for its own outputs.
            const wa = windowPlan(sp, voxels, MAX_WINDOW_TAPS, a);
            const mine = pairs.filter((q) => q.o % s === a);
            const tapsOfPhase = wTaps(k, s, d, pad, a + 1).filter((q) => q.o === a).length;
            expect(wa.masked).toBe(mine.some((q) => q.reach < 0 || q.reach >= inW));
            expect(wa.taps * wa.chunks).toBeGreaterThanOrEqual(tapsOfPhase);
            if (tapsOfPhase > 0) expect(wa.even).toBe(wa.taps * wa.chunks === tapsOfPhase);
            else expect(wa.chunks).toBe(0);
          }
          const perPhase = new Map<number, number>();
          for (const q of pairs.filter((p) => p.o < s)) {
            perPhase.set((q.o + pad) % s, (perPhase.get((q.o + pad) % s) ?? 0) + 1);
          }
          expect(w.taps * w.chunks).toBeGreaterThanOrEqual(Math.max(...perPhase.values(), 0));
          expect(w.size).toBe(voxels + (w.taps - 1) * w.shift);
          expect(w.size).toBeLessThanOrEqual(MAX_WINDOW);
        }
      }
    }
  });
});

describe('chooseFragment', () => {
  it('prefers the shape with the fewest fetches, counting the quads a draw shades', () => {
    // D stride 1, 52 output positions along D: two voxels along D (4 along W) read each input row for two D taps.
    const docs = spec([20, 16, 50, 10, 20], [16, 33, 3, 3, 3]);
    const ch = channelPlan(docs);
    const chosen = chooseFragment(docs, ch, 8);
    expect(chosen).toEqual({ voxels: 4, depth: 2, blocks: 1, taps: MAX_WINDOW_TAPS, windowTexels: MAX_WINDOW });
    for (const other of [{ voxels: 8, blocks: 1 }, { voxels: 6, blocks: 1 }, { voxels: 4, blocks: 2 },
      { voxels: 4, blocks: 1 }]) {
      expect(fragmentCost(docs, ch, chosen))
        .toBeLessThan(fragmentCost(docs, ch, { ...other, depth: 1, taps: MAX_WINDOW_TAPS, windowTexels: MAX_WINDOW }));
    }
    // With one voxel along D: OW = 22, stride 1, 8 voxels leave 3 slice columns, so rows are paired on a line (6
    // wide, no idle lanes).
    const one = { depth: 1 };
    expect(chooseFragment(docs, ch, 8, one).voxels).toBe(8);
    const plan = planConv(docs, { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8 }, one);
    expect([plan.chunksPerPhase, plan.slice.rowsPerLine, plan.slice.width]).toEqual([3, 2, 6]);
    // Mesa llvmpipe shades 4×4 blocks: four rows a line make lines 12 wide, a whole number of blocks.
    const llvmpipe = planConv(docs, { maxTextureSize: 8192, maxLayers: 2048, maxOutputs: 8, quadWidth: 4 }, one);
    expect([llvmpipe.chunksPerPhase, llvmpipe.slice.rowsPerLine, llvmpipe.slice.width]).toEqual([3, 4, 12]);
    // video-up: 4 positions along D, so a pair's rows past the input (a quarter of them) cost more than the reuse
    // saves: one voxel along D (measured 1.13–1.17× faster than pairs on SwiftShader).
    const video = spec([1, 64, 4, 32, 32], [64, 64, 3, 3, 3], { stride: [1, 2, 2], padding: 1, outputPadding: [0, 1, 1] });
    expect(chooseFragment(video, channelPlan(video), 8).depth).toBe(1);
    // Pairs only where D has stride and dilation 1, and not depthwise.
    for (const [input, weight, options] of [[[1, 8, 6, 6, 6], [8, 8, 3, 3, 3], { stride: [2, 1, 1] }],
      [[1, 8, 6, 6, 6], [8, 8, 3, 3, 3], { dilation: [2, 1, 1] }], [[1, 8, 6, 6, 6], [8, 1, 3, 3, 3], { groups: 8 }],
      [[1, 8, 6, 6, 6], [8, 8, 1, 3, 3], {}]] as [number[], number[], Opts][]) {
      const s = spec(input, weight, options);
      expect(depthPairs(s, channelPlan(s)), JSON.stringify(options)).toBe(false);
      expect(chooseFragment(s, channelPlan(s), 8, { depth: 2 }).depth).toBe(1);
    }
    // W stride 2, 17 voxels per phase: each phase is drawn alone, so 8 voxels (3 columns a phase, shaded as 4)
    // lose to 5 (4 columns, all used).
    const odd = spec([1, 16, 4, 4, 17], [16, 16, 4, 4, 4], { stride: 2, padding: 1 });
    expect(chooseFragment(odd, channelPlan(odd), 8).voxels).toBe(5);
  });

  it('counts every column pair (or block of 4) a phase draw touches', () => {
    expect([1, 2, 3, 4, 5].map((q) => quadColumns(q, 1))).toEqual([2, 2, 4, 4, 6]);
    // Phase 1 of q = 3 covers columns 3–5: pairs (2, 3) and (4, 5).
    expect(quadColumns(3, 2)).toBe(8);
    expect(quadColumns(1, 2)).toBe(4);
    expect(quadColumns(4, 2)).toBe(8);
    // Blocks 4 wide: phase 1 of q = 3 covers columns 3–5, blocks 0–3 and 4–7.
    expect(quadColumns(3, 2, 4)).toBe(12);
    expect(quadColumns(4, 2, 4)).toBe(8);
    // By brute force: every block holding a column of some phase, once per phase.
    for (const width of [2, 4]) for (let q = 1; q <= 9; q++) for (let s = 1; s <= 4; s++) {
      let want = 0;
      for (let a = 0; a < s; a++) {
        want += width * new Set(Array.from({ length: q }, (_, i) => Math.floor((a * q + i) / width))).size;
      }
      expect(quadColumns(q, s, width)).toBe(want);
    }
  });

  it('keeps 4 voxels × 2 channel blocks on a tie, and respects the render targets and the W phase', () => {
    const unet = spec([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });
    expect(chooseFragment(unet, channelPlan(unet), 8)).toMatchObject({ voxels: 4, blocks: 2 });
    expect(chooseFragment(unet, channelPlan(unet), 4).voxels * chooseFragment(unet, channelPlan(unet), 4).blocks)
      .toBeLessThanOrEqual(4);
    const narrow = spec([1, 8, 4, 4, 2], [8, 8, 2, 2, 2], { stride: 2 });
    expect(chooseFragment(narrow, channelPlan(narrow), 8).voxels).toBeLessThanOrEqual(2);
  });

  it('gives depthwise and unaligned grouped convolutions one channel block, and honours a request', () => {
    const dw = spec([1, 64, 8, 32, 32], [64, 1, 3, 3, 3], { stride: 2, groups: 64 });
    expect(chooseFragment(dw, channelPlan(dw), 8).blocks).toBe(1);
    const g3 = spec([1, 6, 3, 3, 3], [6, 3, 3, 3, 3], { groups: 2 });
    expect(chooseFragment(g3, channelPlan(g3), 8, { blocks: 2 }).blocks).toBe(1);
    const unet = spec([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });
    expect(chooseFragment(unet, channelPlan(unet), 8, { voxels: 2, blocks: 4 }))
      .toMatchObject({ voxels: 2, blocks: 4 });
  });

  it('takes one W tap per window on request (the llvmpipe default), as a window plan of single taps', () => {
    const docs = spec([2, 16, 5, 5, 20], [16, 33, 3, 3, 3]);
    const shape = chooseFragment(docs, channelPlan(docs), 8, { taps: 1 });
    expect(shape.taps).toBe(1);
    expect(windowPlan(docs, shape.voxels, shape.taps))
      .toMatchObject({ taps: 1, chunks: 3, size: shape.voxels, even: true });
    expect(chooseFragment(docs, channelPlan(docs), 8, { taps: 99 }).taps).toBe(MAX_WINDOW_TAPS);
  });
});

describe('per-phase gather draws', () => {
  const limits = { maxTextureSize: 4096, maxLayers: 256, maxOutputs: 8 };
  it('draw each W phase with its own window when phase columns are one texture column range', () => {
    const plan = planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3], { stride: 2, padding: 1 }), limits, {}, true);
    expect(plan.slice).toMatchObject({ rowsPerLine: 1, segmentsPerRow: 1 });
    expect(plan.phaseWindows!.map((w) => w.taps)).toEqual([1, 2]);
    expect(convDefines(plan, 1)).toMatchObject({ PHASE_W: 1, TWC: 2, TAPS_EVEN: true });
    expect(convDefines(plan)).toMatchObject({ PHASE_W: -1, TWC: 2, TAPS_EVEN: false });
  });

  it('let a W tap outside the input multiply zeros only when the weight is known to be finite', () => {
    // Padding 1, kernel 4, stride 2: ow = 0 reaches input column −1 at tap 3 (every phase is masked).
    const plan = planConv(spec([1, 8, 4, 4, 8], [8, 8, 4, 4, 4], { stride: 2, padding: 1 }), limits, {}, true);
    expect(plan.phaseWindows!.every((w) => w.masked && w.even)).toBe(true);
    expect(convDefines(plan, 0)).toMatchObject({ W_MASK: true, ZERO_OUTSIDE: false });
    expect(convDefines(plan, 0, true)).toMatchObject({ W_MASK: false, ZERO_OUTSIDE: true });
    // A phase with a missing tap still discards it by selection (its input may be Inf), finite weight or not.
    const uneven = planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3], { stride: 2, padding: 1 }), limits, {}, false);
    expect(uneven.window.even).toBe(false);
    expect(convDefines(uneven, -1, true)).toMatchObject({ W_MASK: true, ZERO_OUTSIDE: uneven.window.masked });
    // Nothing outside the input (no padding, kernel 2, stride 2): nothing to select either way.
    const unet = planConv(spec([1, 8, 4, 4, 8], [8, 8, 2, 2, 2], { stride: 2 }), limits, {}, true);
    expect(convDefines(unet, 0, false)).toMatchObject({ W_MASK: false, ZERO_OUTSIDE: false });
  });

  it('writes the output directly by default only where one voxel a fragment costs no more than the repack', () => {
    const tiny = spec([1, 4, 1, 1, 1], [4, 4, 1, 1, 1]);
    const small = spec([2, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 });
    const unet = spec([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });
    // Extra cost of one voxel a fragment, less what the repack costs.
    const margin = (s: ReturnType<typeof spec>) => {
      const [slices, direct] = [false, true].map((d) => planConv(s, limits, {}, undefined, d));
      expect(direct.fragment).toMatchObject({ voxels: 1, depth: 1, blocks: 1 });
      expect(direct.phaseWindows).toBeNull();
      expect(direct.slice).toEqual(direct.output);
      expect(convDefines(direct)).toMatchObject({ DIRECT_OUT: true, S_ROWS: direct.output.rows });
      expect(convDefines(slices)).toMatchObject({ DIRECT_OUT: false });
      return fragmentCost(s, direct.channels, direct.fragment) - fragmentCost(s, slices.channels, slices.fragment) -
        repackCost(direct.output);
    };
    expect(margin(tiny)).toBeLessThanOrEqual(0);
    expect(planConv(tiny, limits).direct).toBe(true);
    // small-odd of the benchmark: measured 1.24× slower direct.
    expect(margin(small)).toBeGreaterThan(0);
    expect(planConv(small, limits).direct).toBe(false);
    expect(margin(unet)).toBeGreaterThan(0);
    expect(planConv(unet, limits).direct).toBe(false);
    // A pinned shape or per-phase draws ask for slices; the option decides over the default.
    expect(planConv(tiny, limits, { voxels: 1 }).direct).toBe(false);
    expect(planConv(tiny, limits, { depth: 1 }).direct).toBe(false);
    expect(planConv(tiny, limits, { windowTexels: 10 }).direct).toBe(true);
    expect(planConv(tiny, limits, {}, true).direct).toBe(false);
    expect(planConv(tiny, limits, {}, false).direct).toBe(true);
    expect(planConv(tiny, limits, {}, undefined, false).direct).toBe(false);
    expect(planConv(unet, limits, {}, true, true).direct).toBe(true);
    expect(planConv(unet, limits, {}, true, true).phaseWindows).toBeNull();
  });

  it('split by default only calls estimated to cost at least MIN_PHASE_DRAWS_COST', () => {
    const small = spec([2, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 });
    const large = spec([32, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 });
    for (const s of [small, large]) {
      const plan = planConv(s, limits);
      const cost = fragmentCost(s, plan.channels, plan.fragment);
      expect(plan.phaseWindows === null, `cost ${cost}`).toBe(cost < MIN_PHASE_DRAWS_COST);
    }
    expect(planConv(small, limits).phaseWindows).toBeNull();
    expect(planConv(large, limits).phaseWindows).toHaveLength(2);
    expect(planConv(small, limits, {}, true).phaseWindows).toHaveLength(2);
    expect(planConv(large, limits, {}, false).phaseWindows).toBeNull();
  });

  it('use one draw for stride 1, and where rows sit side by side in the slices', () => {
    expect(planConv(spec([1, 8, 4, 4, 8], [8, 8, 3, 3, 3]), limits).phaseWindows).toBeNull();
    const packed = planConv(spec([1, 8, 8, 8, 2], [8, 8, 3, 3, 3], { stride: 2 }),
      { maxTextureSize: 32, maxLayers: 8, maxOutputs: 8 });
    expect(packed.slice.rowsPerLine).toBeGreaterThan(1);
    expect(packed.phaseWindows).toBeNull();
  });
});

describe('sliceRow (mirrored by the gather and repack shaders)', () => {
  it('gives every output row of voxels its own slice row, inverted by sliceRowVoxels', () => {
    const limits = { maxTextureSize: 64, maxLayers: 64, maxOutputs: 8 };
    for (const [input, weight, options, depth] of [
      [[2, 12, 3, 4, 5], [12, 8, 3, 3, 3], { stride: [2, 3, 1], padding: 1, outputPadding: [1, 0, 0] }, 1],
      [[1, 8, 3, 3, 3], [8, 36, 2, 2, 2], { stride: 2 }, 1],
      [[3, 4, 2, 5, 2], [4, 4, 1, 3, 1], { stride: [1, 2, 1], dilation: [1, 2, 1] }, 1],
      // Two voxels along D a fragment, OD = 5: the last pair has one voxel.
      [[2, 8, 5, 3, 4], [8, 8, 3, 2, 3], { stride: [1, 2, 1], padding: 1 }, 2],
      [[1, 8, 4, 3, 4], [8, 12, 4, 2, 3], { stride: [1, 2, 2], padding: [2, 0, 1] }, 2],
    ] as [number[], number[], Opts, number][]) {
      const s = spec(input, weight, options);
      const plan = planConv(s, limits, { depth });
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
