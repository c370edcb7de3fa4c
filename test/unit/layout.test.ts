// The layout manager and the packing index arithmetic, checked exhaustively on small grids.
import { describe, expect, it } from 'vitest';
import { forEachRun, gridCell, planLayout, texelCount, texelLocation, type TextureLayout } from '../../src/layout';
import {
  activationGrid, as5d, channelPlan, firstInputBlock, packActivation, packedWeightGrid, packWeights, phaseTaps,
  unpackActivation,
} from '../../src/packing';
import { activationLayout, callTexels, planConv } from '../../src/convPlan';
import { resolveShapes } from '../../src/args';
import { numel } from '../../src/tensor';

function checkBijection(l: TextureLayout, maxTextureSize: number): void {
  expect(l.width).toBeLessThanOrEqual(maxTextureSize);
  expect(l.height).toBeLessThanOrEqual(maxTextureSize);
  const seen = new Set<string>();
  for (let row = 0; row < l.rows; row++) {
    for (let col = 0; col < l.cols; col++) {
      const [x, y, layer] = texelLocation(l, row, col);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(l.width);
      expect(y).toBeLessThan(l.height);
      expect(layer).toBeLessThan(l.layers);
      const key = `${x},${y},${layer}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(gridCell(l, x, y, layer)).toEqual([row, col]);
    }
  }
  let cells = 0;
  for (let layer = 0; layer < l.layers; layer++) {
    for (let y = 0; y < l.height; y++) {
      for (let x = 0; x < l.width; x++) if (gridCell(l, x, y, layer)) cells++;
    }
  }
  expect(cells).toBe(l.rows * l.cols);
}

describe('planLayout', () => {
  it('gives each row a line while the layers suffice', () => {
    const l = planLayout(100, 20, { maxTextureSize: 64, maxLayers: 256 });
    expect(l).toMatchObject({ rowsPerLine: 1, segmentsPerRow: 1, width: 20, height: 64, layers: 2 });
    checkBijection(l, 64);
  });
  it('packs short rows side by side when layers run out', () => {
    const l = planLayout(100, 20, { maxTextureSize: 64, maxLayers: 1 });
    expect(l).toMatchObject({ rowsPerLine: 2, segmentsPerRow: 1, width: 40, height: 50, layers: 1 });
    checkBijection(l, 64);
    checkBijection(planLayout(50, 3, { maxTextureSize: 8, maxLayers: 4 }), 8);
  });
  it('pairs rows on request, unless they would not fit side by side', () => {
    const l = planLayout(101, 3, { maxTextureSize: 64, maxLayers: 8 }, 2);
    expect(l).toMatchObject({ rowsPerLine: 2, width: 6, lines: 51, height: 51, layers: 1 });
    checkBijection(l, 64);
    expect(planLayout(10, 40, { maxTextureSize: 64, maxLayers: 8 }, 2)).toMatchObject({ rowsPerLine: 1, width: 40 });
  });
  it('cuts long rows into segments', () => {
    const l = planLayout(6, 100, { maxTextureSize: 64, maxLayers: 256 });
    expect(l).toMatchObject({ rowsPerLine: 1, segmentsPerRow: 2, segmentWidth: 64, width: 64, lines: 12 });
    checkBijection(planLayout(6, 100, { maxTextureSize: 48, maxLayers: 256 }), 48);
    checkBijection(l, 64);
  });
  it('spills into layers', () => {
    const l = planLayout(300, 7, { maxTextureSize: 16, maxLayers: 256 });
    expect(l.layers).toBe(Math.ceil(300 / 16));
    const odd = planLayout(300, 7, { maxTextureSize: 100, maxLayers: 256 });
    expect(odd).toMatchObject({ height: 64, layers: 5 }); // layer heights are powers of two
    checkBijection(odd, 100);
    const cut = planLayout(3, 250, { maxTextureSize: 100, maxLayers: 256 });
    expect(cut).toMatchObject({ segmentWidth: 64, segmentsPerRow: 4 });
    checkBijection(cut, 100);
    checkBijection(l, 16);
  });
  it('handles odd shapes exhaustively', () => {
    for (const [rows, cols, max] of [[1, 1, 4], [5, 9, 4], [17, 3, 8], [3, 17, 8], [33, 8, 8], [7, 64, 64]]) {
      checkBijection(planLayout(rows, cols, { maxTextureSize: max, maxLayers: 1024 }), max);
      for (const maxLayers of [1, 2, 3]) {
        let l: TextureLayout | null = null;
        try {
          l = planLayout(rows, cols, { maxTextureSize: max, maxLayers });
        } catch (e) {
          expect(String(e)).toMatch(/texture layers/);
        }
        if (l) checkBijection(l, max);
      }
    }
  });
  it('refuses only what cannot fit', () => {
    expect(() => planLayout(1000, 1000, { maxTextureSize: 64, maxLayers: 4 })).toThrowError(/texture layers/);
    expect(() => planLayout(5000, 60, { maxTextureSize: 64, maxLayers: 4 })).toThrowError(/texture layers/);
    expect(() => planLayout(2 ** 24, 1, { maxTextureSize: 16384, maxLayers: 2048 })).toThrowError(/2\^24/);
  });
  it('realistic tensors fit a 64-texel limit', () => {
    const limits = { maxTextureSize: 64, maxLayers: 2048 };
    const l = activationLayout([1, 32, 64, 64, 64], limits);
    expect(l.width).toBeLessThanOrEqual(64);
    expect(texelCount(l)).toBeGreaterThanOrEqual(8 * 64 * 64 * 64);
    const wide = activationLayout([1, 3, 2, 2, 300], limits); // W > limit
    expect(wide.segmentsPerRow).toBe(5);
  });
  it('activations put rows side by side rather than use layers, where a line can hold them', () => {
    const limits = { maxTextureSize: 8192, maxLayers: 2048 };
    // docs-example's input: 40000 rows of 20 texels, 8 a line in one 2-D texture (no array)
    expect(activationLayout([20, 16, 50, 10, 20], limits)).toMatchObject({ rowsPerLine: 8, width: 160, height: 5000,
      layers: 1 });
    expect(activationLayout([1, 16, 8, 8, 20], limits)).toMatchObject({ rowsPerLine: 1, layers: 1 });
    // 100 rows of 5 texels in 16-texel lines: one layer would need 8 rows a line (40 texels), so layers it is
    expect(activationLayout([1, 4, 1, 100, 5], { maxTextureSize: 16, maxLayers: 64 })).toMatchObject({
      rowsPerLine: 1, height: 16, layers: 7 });
  });
  it('runs cover every cell once, contiguously', () => {
    const l = planLayout(11, 70, { maxTextureSize: 32, maxLayers: 64 });
    let total = 0;
    forEachRun(l, (row, c0, c1, texel) => {
      expect(texel).toBe(((): number => {
        const [x, y, layer] = texelLocation(l, row, c0);
        return (layer * l.height + y) * l.width + x;
      })());
      const [xEnd] = texelLocation(l, row, c1 - 1);
      expect(xEnd - texelLocation(l, row, c0)[0]).toBe(c1 - c0 - 1);
      total += c1 - c0;
    });
    expect(total).toBe(11 * 70);
  });
});

describe('activation packing', () => {
  it('round-trips NCDHW data with odd channel counts through small textures', () => {
    for (const shape of [[2, 5, 3, 4, 6], [1, 1, 1, 1, 1], [3, 7, 2, 3, 40], [9]]) {
      const s5 = as5d(shape);
      const grid = activationGrid(s5);
      const l = planLayout(grid.rows, grid.cols, { maxTextureSize: 16, maxLayers: 256 });
      const data = Float32Array.from({ length: numel(s5) }, (_, i) => i + 1);
      const texels = packActivation(data, s5, l);
      expect(unpackActivation(texels, s5, l)).toEqual(data);
      // padding lanes of the last channel block stay zero
      const nonzero = texels.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      expect(nonzero).toBe(data.length);
    }
  });
  it('puts channel c of voxel (n, d, h, w) in lane c mod 4 of row ((n·Cb + c/4)·D + d)·H + h', () => {
    const s5 = [2, 6, 2, 3, 4];
    const l = planLayout(2 * 2 * 2 * 3, 4, { maxTextureSize: 8, maxLayers: 16 });
    const data = Float32Array.from({ length: 2 * 6 * 24 }, (_, i) => i);
    const texels = packActivation(data, s5, l);
    const [n, c, d, h, w] = [1, 5, 1, 2, 3];
    const [x, y, layer] = texelLocation(l, ((n * 2 + 1) * 2 + d) * 3 + h, w);
    expect(texels[((layer * l.height + y) * l.width + x) * 4 + 1]).toBe(data[(((n * 6 + c) * 2 + d) * 3 + h) * 4 + w]);
  });
});

describe('channel plan', () => {
  const spec = (cin: number, cout: number, groups: number) =>
    resolveShapes([1, cin, 2, 2, 2], [cin, cout / groups, 1, 1, 1], null, { groups });
  it('covers every same-group (ci, co) pair, for many group shapes', () => {
    for (const [cin, cout, groups] of [[8, 8, 1], [5, 7, 1], [6, 6, 2], [9, 15, 3], [8, 8, 8], [5, 15, 5],
      [12, 4, 4], [16, 32, 4], [6, 12, 6], [10, 4, 2]]) {
      const s = spec(cin, cout, groups);
      const plan = channelPlan(s);
      expect(plan.aligned).toBe(groups === 1 || (s.inPerGroup % 4 === 0 && s.outPerGroup % 4 === 0));
      for (let co = 0; co < cout; co++) {
        const g = Math.floor(co / s.outPerGroup);
        const first = firstInputBlock(s, Math.floor(co / 4));
        for (let ci = g * s.inPerGroup; ci < (g + 1) * s.inPerGroup; ci++) {
          const j = Math.floor(ci / 4) - first;
          expect(j, `cin ${cin} cout ${cout} groups ${groups} ci ${ci} co ${co}`).toBeGreaterThanOrEqual(0);
          expect(j).toBeLessThan(plan.blocksPerOutput);
        }
      }
    }
  });
  it('depthwise needs one input block per output block', () => {
    expect(channelPlan(spec(8, 8, 8))).toMatchObject({ blocksPerOutput: 1, depthwise: true });
    expect(channelPlan(spec(8, 16, 8)).depthwise).toBe(false);
    expect(channelPlan(spec(64, 64, 1)).blocksPerOutput).toBe(16);
  });
});

describe('weight packing (the CPU twin of glsl/pack_weights.frag.glsl)', () => {
  it('puts every weight where the gather reads it, once, and zeros elsewhere', () => {
    for (const [cin, cout, groups, k] of [[8, 8, 1, [3, 2, 2]], [5, 7, 1, [1, 2, 3]], [6, 6, 2, [2, 2, 2]],
      [9, 15, 3, [1, 1, 2]], [8, 8, 8, [3, 1, 2]], [5, 15, 5, [2, 1, 1]], [10, 4, 2, [1, 3, 1]]] as const) {
      const s = resolveShapes([1, cin, 2, 2, 2], [cin, cout / groups, ...k], null, { groups });
      const plan = channelPlan(s);
      const grid = packedWeightGrid(plan, s.kernel);
      const l = planLayout(grid.rows, grid.cols, { maxTextureSize: 8, maxLayers: 64 });
      const [KD, KH, KW] = s.kernel;
      const data = Float32Array.from({ length: cin * s.outPerGroup * KD * KH * KW }, (_, i) => i + 1);
      const texels = packWeights(data, s, plan, l);
      expect(texels.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0), `${cin} ${cout} ${groups}`).toBe(data.length);
      for (let co = 0; co < cout; co++) {
        const g = Math.floor(co / s.outPerGroup);
        const cob = Math.floor(co / 4);
        for (let ci = g * s.inPerGroup; ci < (g + 1) * s.inPerGroup; ci++) {
          const j = Math.floor(ci / 4) - firstInputBlock(s, cob);
          for (let t = 0; t < KD * KH * KW; t++) {
            const [kd, kh, kw] = [Math.floor(t / (KH * KW)), Math.floor(t / KW) % KH, t % KW];
            const row = ((cob * plan.blocksPerOutput + (plan.depthwise ? 0 : j)) * KD + kd) * KH + kh;
            const col = plan.depthwise ? kw : kw * 4 + (ci % 4);
            const [x, y, layer] = texelLocation(l, row, col);
            expect(texels[((layer * l.height + y) * l.width + x) * 4 + (co % 4)])
              .toBe(data[((ci * s.outPerGroup + co % s.outPerGroup) * KD * KH + kd * KH + kh) * KW + kw]);
          }
        }
      }
    }
  });
});

describe('stride phases', () => {
  it('lists exactly the taps with k·dilation ≡ r (mod stride), and counts them', () => {
    for (let k = 1; k <= 7; k++) {
      for (let s = 1; s <= 5; s++) {
        for (let d = 1; d <= 6; d++) {
          const { firstTap, step, taps } = phaseTaps(k, s, d);
          for (let r = 0; r < s; r++) {
            const want = Array.from({ length: k }, (_, t) => t).filter((t) => (t * d) % s === r);
            const got: number[] = [];
            for (let t = firstTap[r]; t < k; t += step) got.push(t);
            expect(got, `k ${k} s ${s} d ${d} r ${r}`).toEqual(want);
            expect(taps[r], `k ${k} s ${s} d ${d} r ${r}`).toBe(want.length);
          }
        }
      }
    }
  });
});

describe('planConv', () => {
  it('fits every tensor of a U-Net step in 64-texel textures', () => {
    const s = resolveShapes([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], [32], { stride: 2 });
    const p = planConv(s, { maxTextureSize: 64, maxLayers: 2048, maxOutputs: 8, quadWidth: 2, windowTexels: 16 });
    for (const l of [p.input, p.rawWeight, p.packedWeight, p.output, p.bias!]) {
      expect(l.width).toBeLessThanOrEqual(64);
      expect(l.height).toBeLessThanOrEqual(64);
    }
    expect(p.output.rows).toBe(8 * 32 * 32);
  });
});

describe('callTexels', () => {
  it('counts the uploads asked for, the packed weights, every slice and the output', () => {
    const spec = resolveShapes([1, 8, 4, 4, 4], [8, 4, 3, 3, 3], [4], { stride: 2 });
    const plan = planConv(spec, { maxTextureSize: 64, maxLayers: 256, maxOutputs: 8, quadWidth: 2, windowTexels: 16 },
      { directOutput: false });
    const always = texelCount(plan.packedWeight) + texelCount(plan.slice) * plan.fragment.voxels *
      plan.fragment.blocks + texelCount(plan.output);
    expect(callTexels(plan, { input: false, bias: false })).toBe(always);
    expect(callTexels(plan, { input: true, bias: true })).toBe(always + texelCount(plan.input) +
      texelCount(plan.bias!));
  });
  it('counts no slices where the gather writes the output itself', () => {
    const spec = resolveShapes([1, 8, 4, 4, 4], [8, 4, 3, 3, 3], [4], { stride: 2 });
    const plan = planConv(spec, { maxTextureSize: 64, maxLayers: 256, maxOutputs: 8, quadWidth: 2, windowTexels: 16 },
      { directOutput: true });
    expect(callTexels(plan, { input: true, bias: false })).toBe(texelCount(plan.packedWeight) +
      texelCount(plan.output) + texelCount(plan.input));
  });
});
