// The gather's cost model and fragment choice: tap ranges and W windows against the definition, and the choice of
// fragment shape against every candidate.
import { describe, expect, it } from 'vitest';
import { resolveShapes } from '../../src/args';
import {
  chooseFragment, depthPairs, fragmentCost, fragmentOutputs, MAX_WINDOW, MAX_WINDOW_TAPS, quadColumns,
  sliceRowsPerLine, windowPlan, type FragmentLimits, type FragmentShape,
} from '../../src/fragment';
import { channelPlan, phaseTaps, tapRange } from '../../src/packing';
import type { ConvTranspose3dOptions } from '../../src/types';

type Opts = Omit<ConvTranspose3dOptions, 'bias'>;
const spec = (input: number[], weight: number[], options: Opts = {}) => resolveShapes(input, weight, null, options);
/** A fragment shape with `voxels` voxels along W and the widest windows. */
const shape = (voxels: number) => ({ voxels, taps: MAX_WINDOW_TAPS, windowTexels: MAX_WINDOW });
const LIMITS: FragmentLimits = { maxOutputs: 8, quadWidth: 2, windowTexels: MAX_WINDOW };

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
    const w = windowPlan(spec([1, 4, 5, 5, 5], [4, 4, 3, 3, 3]), shape(8));
    expect(w).toEqual({ taps: 3, windows: 1, shift: 1, size: 10, even: true, masked: true });
  });

  it('knows when no W tap of a real output leaves the input (kernel = stride, no padding)', () => {
    expect(windowPlan(spec([1, 4, 4, 4, 4], [4, 4, 2, 2, 2], { stride: 2 }), shape(4)))
      .toEqual({ taps: 1, windows: 1, shift: 1, size: 4, even: true, masked: false });
  });

  it('marks phases with fewer taps than the window (kernel 3, stride 2) as uneven, but not each phase alone', () => {
    const sp = spec([1, 4, 4, 4, 4], [4, 4, 3, 3, 3], { stride: 2 });
    expect(windowPlan(sp, shape(8))).toMatchObject({ taps: 2, even: false });
    expect(windowPlan(sp, shape(8), 0)).toMatchObject({ taps: 2, windows: 1, even: true });
    expect(windowPlan(sp, shape(8), 1)).toMatchObject({ taps: 1, windows: 1, size: 8, even: true });
  });

  it('steps a dilated kernel by its dilation and splits long or wide windows', () => {
    expect(windowPlan(spec([1, 4, 9, 9, 9], [4, 4, 3, 3, 3], { dilation: 2 }), shape(8)))
      .toMatchObject({ taps: 3, shift: 2, size: 12, windows: 1 });
    expect(windowPlan(spec([1, 4, 9, 9, 9], [4, 4, 1, 1, 9]), shape(8)))
      .toMatchObject({ taps: MAX_WINDOW_TAPS, windows: 3, even: false });
    const wide = windowPlan(spec([1, 4, 9, 9, 30], [4, 4, 1, 1, 4], { dilation: 6 }), shape(8));
    expect(wide.size).toBeLessThanOrEqual(MAX_WINDOW);
    expect(wide).toMatchObject({ taps: 2, windows: 2, shift: 6, even: true });
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
          const w = windowPlan(sp, shape(voxels));
          const pairs = wTaps(k, s, d, pad, sp.outSize[2]);
          expect(w.masked).toBe(pairs.some((q) => q.reach < 0 || q.reach >= inW));
          for (let a = 0; a < s; a++) {
            // One W phase alone: exactly its taps, and masked only for its own outputs.
            const wa = windowPlan(sp, shape(voxels), a);
            const mine = pairs.filter((q) => q.o % s === a);
            const tapsOfPhase = wTaps(k, s, d, pad, a + 1).filter((q) => q.o === a).length;
            expect(wa.masked).toBe(mine.some((q) => q.reach < 0 || q.reach >= inW));
            expect(wa.taps * wa.windows).toBeGreaterThanOrEqual(tapsOfPhase);
            if (tapsOfPhase > 0) expect(wa.even).toBe(wa.taps * wa.windows === tapsOfPhase);
            else expect(wa.windows).toBe(0);
          }
          const perPhase = new Map<number, number>();
          for (const q of pairs.filter((p) => p.o < s)) {
            perPhase.set((q.o + pad) % s, (perPhase.get((q.o + pad) % s) ?? 0) + 1);
          }
          expect(w.taps * w.windows).toBeGreaterThanOrEqual(Math.max(...perPhase.values(), 0));
          expect(w.size).toBe(voxels + (w.taps - 1) * w.shift);
          expect(w.size).toBeLessThanOrEqual(MAX_WINDOW);
        }
      }
    }
  });
});

/** Calls of many kinds: the benchmark's, and small ones with every argument. */
const CALLS: [number[], number[], Opts][] = [
  [[20, 16, 50, 10, 20], [16, 33, 3, 3, 3], {}],
  [[1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 }],
  [[1, 32, 8, 32, 32], [32, 16, 4, 4, 4], { stride: 2, padding: 1 }],
  [[1, 64, 4, 32, 32], [64, 64, 3, 3, 3], { stride: [1, 2, 2], padding: 1, outputPadding: [0, 1, 1] }],
  [[2, 8, 6, 6, 6], [8, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
  [[1, 64, 8, 16, 16], [64, 16, 3, 3, 3], { stride: 2, groups: 4 }],
  [[1, 64, 8, 32, 32], [64, 1, 3, 3, 3], { stride: 2, groups: 64 }],
  [[1, 32, 8, 16, 16], [32, 32, 3, 3, 3], { dilation: 2, padding: 2 }],
  [[1, 6, 3, 3, 3], [6, 3, 3, 3, 3], { groups: 2 }],
  [[1, 16, 4, 4, 17], [16, 16, 4, 4, 4], { stride: 2, padding: 1 }],
  [[1, 8, 4, 4, 2], [8, 8, 2, 2, 2], { stride: 2 }],
  [[1, 4, 1, 1, 1], [4, 4, 1, 1, 1], {}],
];

describe('chooseFragment', () => {
  it('picks a shape of least estimated cost among every shape the call and the device allow', () => {
    for (const limits of [LIMITS, { maxOutputs: 4, quadWidth: 4, windowTexels: 10 }]) {
      for (const [input, weight, options] of CALLS) {
        const s = spec(input, weight, options);
        const ch = channelPlan(s);
        const chosen = chooseFragment(s, ch, limits);
        const cost = (f: FragmentShape) => fragmentCost(s, ch, f, limits.quadWidth);
        const perPhase = Math.ceil(s.outSize[2] / s.stride[2]);
        expect(fragmentOutputs(chosen)).toBeLessThanOrEqual(limits.maxOutputs);
        expect(chosen.voxels).toBeLessThanOrEqual(Math.max(1, perPhase));
        expect(chosen.windowTexels).toBe(limits.windowTexels);
        if (chosen.depth === 2) expect(depthPairs(s, ch)).toBe(true);
        // Several channel blocks only where they read the same input channels.
        if (chosen.blocks > 1) expect(s.groups === 1 || (ch.aligned && (s.outPerGroup / 4) % chosen.blocks === 0)).toBe(true);
        for (const depth of depthPairs(s, ch) ? [1, 2] : [1]) for (const blocks of [1, 2, 4]) {
          if (blocks > ch.outBlocks || !(s.groups === 1 || blocks === 1 || (ch.aligned && (s.outPerGroup / 4) %
            blocks === 0))) continue;
          for (let voxels = 1; voxels <= Math.min(8, perPhase) && voxels * depth * blocks <= limits.maxOutputs; voxels++) {
            const other = { voxels, depth, blocks, taps: MAX_WINDOW_TAPS, windowTexels: limits.windowTexels };
            expect(cost(chosen), JSON.stringify({ input, other })).toBeLessThanOrEqual(cost(other) * (1 + 1e-9));
          }
        }
      }
    }
  });

  it('honours a request where the call allows it, and the nearest allowed shape where it does not', () => {
    const unet = spec([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], { stride: 2 });
    expect(chooseFragment(unet, channelPlan(unet), LIMITS, { voxels: 2, blocks: 4 }))
      .toMatchObject({ voxels: 2, blocks: 4 });
    expect(chooseFragment(unet, channelPlan(unet), LIMITS, { taps: 1, windowTexels: 6 }))
      .toMatchObject({ taps: 1, windowTexels: 6 });
    // Groups of 3 channels cut through texels: one block; a W phase of 1 voxel: one voxel.
    const g3 = spec([1, 6, 3, 3, 3], [6, 3, 3, 3, 3], { groups: 2 });
    expect(chooseFragment(g3, channelPlan(g3), LIMITS, { blocks: 2 }).blocks).toBe(1);
    const narrow = spec([1, 8, 4, 4, 1], [8, 8, 2, 2, 1], { stride: 2 });
    expect(chooseFragment(narrow, channelPlan(narrow), LIMITS, { voxels: 8 }).voxels).toBe(1);
    // Two voxels along D only where D has stride and dilation 1, 2–7 taps and no depthwise groups.
    for (const [input, weight, options] of [[[1, 8, 6, 6, 6], [8, 8, 3, 3, 3], { stride: [2, 1, 1] }],
      [[1, 8, 6, 6, 6], [8, 8, 3, 3, 3], { dilation: [2, 1, 1] }], [[1, 8, 6, 6, 6], [8, 1, 3, 3, 3], { groups: 8 }],
      [[1, 8, 6, 6, 6], [8, 8, 1, 3, 3], {}]] as [number[], number[], Opts][]) {
      const s = spec(input, weight, options);
      expect(depthPairs(s, channelPlan(s)), JSON.stringify(options)).toBe(false);
      expect(chooseFragment(s, channelPlan(s), LIMITS, { depth: 2 }).depth).toBe(1);
    }
  });

  it('takes one W tap per window on request, as a window plan of single taps', () => {
    const docs = spec([2, 16, 5, 5, 20], [16, 33, 3, 3, 3]);
    const one = chooseFragment(docs, channelPlan(docs), LIMITS, { taps: 1 });
    expect(one.taps).toBe(1);
    expect(windowPlan(docs, one)).toMatchObject({ taps: 1, windows: 3, size: one.voxels, even: true });
  });
});

describe('the pixel blocks a draw shades', () => {
  it('counts every block of columns a phase draw touches', () => {
    expect([1, 2, 3, 4, 5].map((q) => quadColumns(q, 1, 2))).toEqual([2, 2, 4, 4, 6]);
    // Phase 1 of q = 3 covers columns 3–5: pairs (2, 3) and (4, 5); blocks 4 wide: 0–3 and 4–7.
    expect(quadColumns(3, 2, 2)).toBe(8);
    expect(quadColumns(3, 2, 4)).toBe(12);
    // By brute force: every block holding a column of some phase, once per phase.
    for (const width of [2, 4]) for (let q = 1; q <= 9; q++) for (let s = 1; s <= 4; s++) {
      let want = 0;
      for (let a = 0; a < s; a++) {
        want += width * new Set(Array.from({ length: q }, (_, i) => Math.floor((a * q + i) / width))).size;
      }
      expect(quadColumns(q, s, width)).toBe(want);
    }
  });

  it('puts the fewest rows side by side that make a stride-1 slice line a whole number of blocks', () => {
    for (const width of [2, 4]) for (let chunks = 1; chunks <= 12; chunks++) for (const stride of [1, 2]) {
      const s = spec([1, 4, 2, 2, 8], [4, 4, 1, 1, 1], { stride: [1, 1, stride] });
      const rows = sliceRowsPerLine(s, chunks, width);
      if (stride > 1) {
        expect(rows).toBe(1);
        continue;
      }
      expect((chunks * rows) % width).toBe(0);
      if (rows > 1) expect((chunks * (rows / 2)) % width).not.toBe(0);
    }
  });
});
