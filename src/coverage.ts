// The coverage map: how many kernel taps reach each output voxel. Pure index arithmetic; it explains checkerboard
// artifacts and gives the exact answer for all-ones tensors.
import type { Int3 } from './types.js';

/**
 * The input positions that tap `t` puts inside the output along one axis: input `i` lands at
 * `o = i·stride + t·dilation − padding`, in `[0, outLen)` for `i` from `lo` to `hi` within `[0, inLen)` (none when
 * `hi < lo`); `o` of `lo` is `lo·stride − start`. In BigInt, exact for any safe integers.
 *
 * @example
 * tapInputs(1, 2, 3, 2 ** 30, 2 ** 30, 4); // tap 1 of dilation 2^30, padding 2^30: { lo: 0n, hi: 1n, start: 0n }
 */
export function tapInputs(t: number, inLen: number, stride: number, padding: number, dilation: number,
  outLen: number): { lo: bigint; hi: bigint; start: bigint } {
  const s = BigInt(stride);
  const start = BigInt(padding) - BigInt(t) * BigInt(dilation);
  const lo = start > 0n ? (start + s - 1n) / s : 0n;
  const end = start + BigInt(outLen) - 1n;
  const last = end < 0n ? -1n : end / s;
  const hi = last < BigInt(inLen) - 1n ? last : BigInt(inLen) - 1n;
  return { lo, hi, start };
}

/**
 * Calls `visit(o, t, i)` for every tap `t` and input position `i` that reach output position `o` of one axis
 * (`o = i·stride + t·dilation − padding`, `0 ≤ o < outLen`), tap by tap. Work in proportion to the kernel and the
 * pairs that land, never to the stride, padding or dilation ({@link tapInputs}).
 */
export function forEachLanding(outLen: number, inLen: number, kernel: number, stride: number, padding: number,
  dilation: number, visit: (o: number, t: number, i: number) => void): void {
  for (let t = 0; t < kernel; t++) {
    const { lo, hi, start } = tapInputs(t, inLen, stride, padding, dilation, outLen);
    const last = Number(hi);
    for (let i = Number(lo), o = Number(lo * BigInt(stride) - start); i <= last; i++, o += stride) {
      visit(o, t, i);
    }
  }
}

/** Along one axis: how many kernel taps reach each output position (`o + p − k·d = i·s`, `0 ≤ i < in`). */
export function axisCoverage(inLen: number, kernel: number, stride: number, padding: number, dilation: number,
  outLen: number): Int32Array {
  const count = new Int32Array(outLen);
  forEachLanding(outLen, inLen, kernel, stride, padding, dilation, (o) => count[o]++);
  return count;
}

/** The sizes and parameters of a call that its coverage map depends on, per axis `[depth, height, width]`. */
export interface CoverageShape {
  /** The input's spatial size. */
  inSize: Int3;
  /** The kernel's size. */
  kernel: Int3;
  /** As the call's `stride`. */
  stride: Int3;
  /** As the call's `padding`. */
  padding: Int3;
  /** As the call's `dilation`. */
  dilation: Int3;
  /** The output's spatial size (see `convTranspose3dOutputShape`). */
  outSize: Int3;
}

/**
 * The coverage map: for each output voxel `[d, h, w]` (row-major), how many kernel taps reach it, i.e. how many
 * (input voxel, tap) pairs add into it. With all-ones input and weight and no bias, every output channel equals
 * this count times the input channels per group. Uneven counts are where checkerboard artifacts come from.
 */
export function coverageMap(spec: CoverageShape): Int32Array {
  const axes = [0, 1, 2].map((a) => axisCoverage(spec.inSize[a], spec.kernel[a], spec.stride[a], spec.padding[a],
    spec.dilation[a], spec.outSize[a]));
  const [D, H, W] = spec.outSize;
  const map = new Int32Array(D * H * W);
  for (let d = 0, i = 0; d < D; d++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++, i++) map[i] = axes[0][d] * axes[1][h] * axes[2][w];
    }
  }
  return map;
}
