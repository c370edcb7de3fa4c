// How activations and weights become texel grids for the layout manager: pure index arithmetic, mirrored by the
// shaders in glsl/. Activations (N, C, D, H, W) pack 4 consecutive channels into one RGBA texel.
import { forEachRun, texelCount, type TextureLayout } from './layout.js';
import { numel, type ConvSpec } from './args.js';
import type { Int3 } from './types.js';

/** Channel blocks of 4. */
export function blocks(channels: number): number {
  return Math.ceil(channels / 4);
}

/** 5-D view `[N, C, D, H, W]` of a 1- to 5-D shape (leading axes are prepended as size 1; 1-D is channels). */
export function as5d(shape: readonly number[]): [number, number, number, number, number] {
  if (shape.length === 1) return [1, shape[0], 1, 1, 1];
  const s = [1, 1, 1, 1, 1, ...shape].slice(-5);
  return [s[0], s[1], s[2], s[3], s[4]];
}

/**
 * The texel grid of an activation: row `((n·⌈C/4⌉ + c/4)·D + d)·H + h`, column `w`, lane `c mod 4`.
 *
 * @example
 * activationGrid([2, 5, 3, 4, 6]); // { rows: 2·2·3·4 = 48, cols: 6 }
 */
export function activationGrid(shape5: readonly number[]): { rows: number; cols: number } {
  const [N, C, D, H, W] = shape5;
  return { rows: N * blocks(C) * D * H, cols: W };
}

/**
 * Calls `copy(src, texel, lanes, count, plane)` for each contiguous run of a row: `count` voxels along W whose
 * channel c0 + l starts at `src + l·plane` in NCDHW data and at float `4·texel + l` in the texels, l < lanes.
 * All lanes of a run are copied in one pass, rather than one pass over the same texels per lane (docs/performance.md).
 */
function runs(shape5: readonly number[], layout: TextureLayout,
  copy: (src: number, texel: number, lanes: number, count: number, plane: number) => void): void {
  const [, C, D, H, W] = shape5;
  const Cb = blocks(C);
  const plane = D * H * W;
  forEachRun(layout, (row, c0, c1, texel) => {
    const h = row % H;
    const d = Math.floor(row / H) % D;
    const cb = Math.floor(row / (H * D)) % Cb;
    const n = Math.floor(row / (H * D * Cb));
    copy((((n * C + cb * 4) * D + d) * H + h) * W + c0, texel, Math.min(4, C - cb * 4), c1 - c0, plane);
  });
}

/** Packs NCDHW data into the texel array of `layout` (padding lanes and texels are 0). */
export function packActivation(data: Float32Array, shape5: readonly number[], layout: TextureLayout): Float32Array {
  const out = new Float32Array(texelCount(layout) * 4);
  runs(shape5, layout, (src, texel, lanes, count, plane) => {
    let o = texel * 4;
    if (lanes === 4) {
      for (let k = src; k < src + count; k++, o += 4) {
        out[o] = data[k];
        out[o + 1] = data[k + plane];
        out[o + 2] = data[k + 2 * plane];
        out[o + 3] = data[k + 3 * plane];
      }
    } else {
      for (let k = src; k < src + count; k++, o += 4) {
        for (let l = 0; l < lanes; l++) out[o + l] = data[k + l * plane];
      }
    }
  });
  return out;
}

/** Inverse of {@link packActivation}. */
export function unpackActivation(texels: Float32Array, shape5: readonly number[], layout: TextureLayout):
  Float32Array {
  const out = new Float32Array(numel(shape5));
  runs(shape5, layout, (dst, texel, lanes, count, plane) => {
    let i = texel * 4;
    if (lanes === 4) {
      for (let k = dst; k < dst + count; k++, i += 4) {
        out[k] = texels[i];
        out[k + plane] = texels[i + 1];
        out[k + 2 * plane] = texels[i + 2];
        out[k + 3 * plane] = texels[i + 3];
      }
    } else {
      for (let k = dst; k < dst + count; k++, i += 4) {
        for (let l = 0; l < lanes; l++) out[k + l * plane] = texels[i + l];
      }
    }
  });
  return out;
}

/**
 * How the gather shader walks input-channel blocks for one output block of 4 channels.
 * For output block `cob` it visits input blocks `firstInputBlock(cob) + j`, `j < blocksPerOutput`. When groups cut
 * through texels (`aligned` false), the shader masks each product to the lanes of its own group, so that a NaN in
 * one group can never leak into another.
 */
export interface ChannelPlan {
  inBlocks: number;
  outBlocks: number;
  blocksPerOutput: number;
  aligned: boolean;
  /** One channel per group in and out: each output lane reads only its own input lane. */
  depthwise: boolean;
}

/** First input-channel block read for output block `cob` (mirrored in conv_transpose3d.frag.glsl). */
export function firstInputBlock(spec: Pick<ConvSpec, 'inPerGroup' | 'outPerGroup'>, cob: number): number {
  return Math.floor((Math.floor((4 * cob) / spec.outPerGroup) * spec.inPerGroup) / 4);
}

/** Plans the channel loop of the gather shader. */
export function channelPlan(spec: Pick<ConvSpec, 'inChannels' | 'outChannels' | 'groups' | 'inPerGroup' |
  'outPerGroup'>): ChannelPlan {
  const inBlocks = blocks(spec.inChannels);
  const outBlocks = blocks(spec.outChannels);
  const aligned = spec.groups === 1 || (spec.inPerGroup % 4 === 0 && spec.outPerGroup % 4 === 0);
  let blocksPerOutput = 1;
  for (let cob = 0; cob < outBlocks; cob++) {
    const lastGroup = Math.floor(Math.min(4 * cob + 3, spec.outChannels - 1) / spec.outPerGroup);
    const lastBlock = Math.floor(((lastGroup + 1) * spec.inPerGroup - 1) / 4);
    blocksPerOutput = Math.max(blocksPerOutput, lastBlock - firstInputBlock(spec, cob) + 1);
  }
  const depthwise = spec.groups > 1 && spec.inPerGroup === 1 && spec.outPerGroup === 1;
  return { inBlocks, outBlocks, blocksPerOutput, aligned, depthwise };
}

/**
 * The texel grid of the packed weights: row `((cob·B + j)·kD + kd)·kH + kh`, column `kw·4 + i`, where texel `i` is
 * column `i` of the 4×4 block (input lane `i` against the 4 output lanes). Depthwise blocks are diagonal and keep
 * only the diagonal: column `kw`.
 */
export function packedWeightGrid(plan: ChannelPlan, kernel: readonly number[]): { rows: number; cols: number } {
  return { rows: plan.outBlocks * plan.blocksPerOutput * kernel[0] * kernel[1],
    cols: kernel[2] * (plan.depthwise ? 1 : 4) };
}

/** Which taps of a weight's kernel (of size `rawKernel`) a packing keeps: `kernelOffset` on, per axis. */
export interface KernelCrop {
  rawKernel: Int3;
  kernelOffset: Int3;
}

/**
 * Packs a weight `(Cin, Cout/groups, kD, kH, kW)` straight into the texels of `layout`, a layout of
 * {@link packedWeightGrid}: what glsl/pack_weights.frag.glsl does to a weight already on the GPU (the two are
 * checked against each other by the browser tests). A weight from the CPU is packed here: one upload, no packing
 * draw, and on a first call one program fewer to compile. `spec.kernel` taps are packed, from `crop.kernelOffset`
 * on in a kernel of `crop.rawKernel` taps (by default the whole kernel).
 *
 * @example
 * const texels = packWeights(w.data, spec, channelPlan(spec), plan.packedWeight);
 */
export function packWeights(data: Float32Array, spec: Pick<ConvSpec, 'inChannels' | 'outChannels' | 'inPerGroup' |
  'outPerGroup' | 'kernel'>, plan: ChannelPlan, layout: TextureLayout,
  crop: KernelCrop = { rawKernel: spec.kernel, kernelOffset: [0, 0, 0] }): Float32Array {
  const out = new Float32Array(texelCount(layout) * 4);
  const [KD, KH] = spec.kernel;
  const [RD, RH, RW] = crop.rawKernel;
  const [offD, offH, offW] = crop.kernelOffset;
  const { inChannels: CIN, outChannels: COUT, inPerGroup: CIG, outPerGroup: COG } = spec;
  const lanes = plan.depthwise ? 1 : 4;
  forEachRun(layout, (row, c0, c1, texel) => {
    const kh = row % KH;
    const kd = Math.floor(row / KH) % KD;
    const j = Math.floor(row / (KH * KD)) % plan.blocksPerOutput;
    const cob = Math.floor(row / (KH * KD * plan.blocksPerOutput));
    for (let col = c0; col < c1; col++) {
      const kw = Math.floor(col / lanes);
      // Input channel of texel lane i: the diagonal's own channel when depthwise, else lane i of block j.
      const ci0 = plan.depthwise ? 4 * cob : 4 * (firstInputBlock(spec, cob) + j) + (col % lanes);
      for (let r = 0; r < 4; r++) {
        const co = 4 * cob + r;
        const ci = plan.depthwise ? ci0 + r : ci0;
        if (ci >= CIN || co >= COUT || Math.floor(ci / CIG) !== Math.floor(co / COG)) continue;
        out[(texel + col - c0) * 4 + r] = data[(((ci * COG + (co % COG)) * RD + kd + offD) * RH + kh + offH) * RW +
          kw + offW];
      }
    }
  });
  return out;
}

/**
 * Per axis, the first kernel tap reaching an output position `o` with `(o + padding) mod stride = r`
 * (`kernel` when none does), the step between taps (taps solve `k·dilation ≡ r (mod stride)`) and how many taps
 * phase `r` has.
 *
 * @example
 * phaseTaps(3, 2, 1); // { firstTap: [0, 1], step: 2, taps: [2, 1] } — even phases use taps 0, 2; odd phases tap 1
 */
export function phaseTaps(kernel: number, stride: number, dilation: number):
  { firstTap: number[]; step: number; taps: number[] } {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = stride / gcd(stride, dilation);
  const firstTap = new Array<number>(stride).fill(kernel);
  for (let k = Math.min(kernel, step) - 1; k >= 0; k--) firstTap[(k * dilation) % stride] = k;
  return { firstTap, step, taps: firstTap.map((f) => Math.ceil((kernel - f) / step)) };
}

/** `x mod m` in [0, m), for negative x too. */
export function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** The stride-phase tables of one axis ({@link phaseTaps}). */
export type PhaseTaps = ReturnType<typeof phaseTaps>;

/**
 * The taps along one axis that reach position `p = o + padding` of an output voxel, as the gather shader finds
 * them (`tapRange` in glsl/conv_transpose3d.frag.glsl mirrors this): the phase's first tap `first` reaches input
 * `u`; tap `first + i·step` reaches input `u − i·shift`, and taps `i` in `[lo, hi]` are inside the input
 * (none when `hi < lo`). `p` may be negative. `taps` are the axis's tables, when already at hand.
 *
 * @example
 * tapRange(3, 3, 2, 1, 4); // kernel 3, stride 2, dilation 1, input 4, o + pad = 3: { first: 1, u: 1, lo: 0, hi: 0 }
 */
export function tapRange(p: number, kernel: number, stride: number, dilation: number, size: number,
  taps: PhaseTaps = phaseTaps(kernel, stride, dilation)): { first: number; u: number; lo: number; hi: number } {
  const { firstTap, step, taps: phaseCounts } = taps;
  const phase = mod(p, stride);
  const first = firstTap[phase];
  const shift = (step * dilation) / stride;
  const u = Math.floor((p - first * dilation) / stride);
  const hi = u < 0 ? -1 : Math.min(phaseCounts[phase] - 1, Math.floor(u / shift));
  const lo = u < size ? 0 : Math.floor((u - size + shift) / shift);
  return { first, u, lo, hi };
}
