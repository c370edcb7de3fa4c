// The coverage map: how many kernel taps reach each output voxel. Pure index arithmetic; it explains checkerboard
// artifacts and gives the exact answer for all-ones tensors.
import type { ConvSpec } from './args';

/** Along one axis: how many kernel taps reach each output position (`o + p − k·d = i·s`, `0 ≤ i < in`). */
export function axisCoverage(inLen: number, kernel: number, stride: number, padding: number, dilation: number,
  outLen: number): Int32Array {
  const count = new Int32Array(outLen);
  for (let i = 0; i < inLen; i++) {
    for (let k = 0; k < kernel; k++) {
      const o = i * stride + k * dilation - padding;
      if (o >= 0 && o < outLen) count[o]++;
    }
  }
  return count;
}

/**
 * The coverage map: for each output voxel `[d, h, w]` (row-major), how many kernel taps reach it, i.e. how many
 * (input voxel, tap) pairs add into it. With all-ones input and weight and no bias, every output channel equals
 * this count times the input channels per group. Uneven counts are where checkerboard artifacts come from.
 */
export function coverageMap(spec: Pick<ConvSpec, 'inSize' | 'kernel' | 'stride' | 'padding' | 'dilation' |
  'outSize'>): Int32Array {
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
