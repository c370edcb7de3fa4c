// How the gather sees a call: along each spatial axis, only the input positions and kernel taps that can land in
// the output, in the smallest numbers that give the same sums. A stride, padding or dilation in the millions then
// costs the planner and the shaders nothing when the output is small, and calls whose numbers cannot be made small
// enough are refused before any GPU work. Pure, so it is unit-tested in Node.
import { show, type ConvSpec } from './args.js';
import { tapInputs } from './coverage.js';
import { MAX_SHADER_INT, MAX_STRIDE_PHASES } from './limits.js';
import type { Int3 } from './types.js';
import { ConvTranspose3dError } from './errors.js';

/**
 * One spatial axis as the gather computes it: output position `o` receives input position `i` (position
 * `inputOffset + i` of the caller's input, `0 ≤ i < input`) through tap `t` (tap `kernelOffset + t` of the caller's
 * weight, `0 ≤ t < kernel`) when `o + padding = i·stride + t·dilation`. `padding` may be negative.
 */
export interface GatherAxis {
  input: number;
  inputOffset: number;
  kernel: number;
  kernelOffset: number;
  stride: number;
  padding: number;
  dilation: number;
}

/**
 * The gather's view of one axis (see {@link GatherAxis}): the kernel cropped to the taps from the first that lands
 * in the output to the last, the input to the positions from the first that lands to the last; the dilation 1 when
 * one tap is left, the stride 1 when one input position is (they then play no part). When nothing lands, an axis
 * on which nothing can (so the output is the bias alone). Exact for any safe integers (BigInt inside); work in
 * proportion to the kernel, never to the stride, padding or dilation.
 *
 * @example
 * gatherAxis(2, 3, 3, 2 ** 30, 2 ** 30, 4);
 * // only tap 1 lands: { input: 2, inputOffset: 0, kernel: 1, kernelOffset: 1, stride: 3, padding: 0, dilation: 1 }
 * gatherAxis(3, 2, 2 ** 30, 2 ** 30 - 1, 1, 4);
 * // only input 1 lands: { input: 1, inputOffset: 1, kernel: 2, kernelOffset: 0, stride: 1, padding: -1, dilation: 1 }
 */
export function gatherAxis(inLen: number, kernel: number, stride: number, padding: number, dilation: number,
  outLen: number): GatherAxis {
  const inputs = (t: number): [bigint, bigint] => {
    const { lo, hi } = tapInputs(t, inLen, stride, padding, dilation, outLen);
    return [lo, hi];
  };
  const lands = (t: number) => {
    const [lo, hi] = inputs(t);
    return lo <= hi;
  };
  let first = 0;
  while (first < kernel && !lands(first)) first++;
  if (first === kernel) {
    return { input: 1, inputOffset: 0, kernel: 1, kernelOffset: 0, stride: 1, padding: 1, dilation: 1 };
  }
  let last = kernel - 1;
  while (!lands(last)) last--;
  let [iLo, iHi] = inputs(first);
  for (let t = first + 1; t <= last; t++) {
    const [lo, hi] = inputs(t);
    if (lo <= hi) [iLo, iHi] = [lo < iLo ? lo : iLo, hi > iHi ? hi : iHi];
  }
  const [taps, positions] = [last - first + 1, Number(iHi - iLo) + 1];
  return {
    input: positions, inputOffset: Number(iLo), kernel: taps, kernelOffset: first,
    stride: positions === 1 ? 1 : stride,
    padding: Number(BigInt(padding) - BigInt(first) * BigInt(dilation) - iLo * BigInt(stride)),
    dilation: taps === 1 ? 1 : dilation,
  };
}

/**
 * A call as the gather computes it ({@link gatherAxis} per axis), and where its input and kernel sit in the
 * caller's.
 */
export interface GatherSpec {
  /** The call with each axis's input size, kernel, stride, padding and dilation as the gather sees them. */
  spec: ConvSpec;
  /** The caller's kernel size. */
  rawKernel: Int3;
  /** Per axis, the caller's tap that the gather's tap 0 is. */
  kernelOffset: Int3;
  /** The caller's input size (D, H, W). */
  rawInput: Int3;
  /** Per axis, the caller's input position that the gather's position 0 is. */
  inputOffset: Int3;
}

const AXES = ['depth', 'height', 'width'];

/**
 * The gather's view of a checked call, checked against the shaders' integer ranges ({@link MAX_SHADER_INT},
 * {@link MAX_STRIDE_PHASES}). Throws a {@link ConvTranspose3dError} (`'too-large'`) naming the arguments when a
 * call cannot be computed exactly on the GPU.
 *
 * @example
 * gatherSpec(spec).spec.stride; // [2, 2, 1]: an input of width 1 makes the width's stride irrelevant
 */
export function gatherSpec(spec: ConvSpec): GatherSpec {
  const axes = [0, 1, 2].map((a) => gatherAxis(spec.inSize[a], spec.kernel[a], spec.stride[a], spec.padding[a],
    spec.dilation[a], spec.outSize[a]));
  const pick = (f: (x: GatherAxis) => number) => axes.map(f) as Int3;
  for (let a = 0; a < 3; a++) {
    const axis = axes[a];
    const what = `stride[${a}] = ${show(spec.stride[a])}, padding[${a}] = ${show(spec.padding[a])} and ` +
      `dilation[${a}] = ${show(spec.dilation[a])} (${AXES[a]}, input size ${spec.inSize[a]})`;
    if (axis.stride > MAX_STRIDE_PHASES) {
      throw new ConvTranspose3dError(`conv_transpose3d: ${what} give ${show(axis.stride)} stride phases, more than ` +
        `the ${MAX_STRIDE_PHASES} the WebGL path's tap tables hold (a stride that large is computed where one input ` +
        'position alone reaches the output); convTranspose3dReference computes this call on the CPU', 'too-large',
        'stride');
    }
    const reach = spec.outSize[a] - 1 + shaderPadding(axis).padding;
    if (reach > MAX_SHADER_INT) {
      const largest = spec.padding[a] >= Math.max(spec.stride[a], spec.dilation[a]) ? 'padding'
        : spec.stride[a] >= spec.dilation[a] ? 'stride' : 'dilation';
      throw new ConvTranspose3dError(`conv_transpose3d: ${what} make the gather's index arithmetic reach ` +
        `${show(reach)}, past 2^24 − 1, the largest integer the WebGL path computes exactly; ` +
        'convTranspose3dReference computes this call on the CPU', 'too-large', largest);
    }
  }
  return {
    spec: { ...spec, inSize: pick((x) => x.input), kernel: pick((x) => x.kernel), stride: pick((x) => x.stride),
      padding: pick((x) => x.padding), dilation: pick((x) => x.dilation) },
    rawKernel: [...spec.kernel],
    kernelOffset: pick((x) => x.kernelOffset),
    rawInput: [...spec.inSize],
    inputOffset: pick((x) => x.inputOffset),
  };
}

/**
 * The padding the shaders add, made non-negative: `padding + units·stride`, with `units` whole strides (then
 * subtracted from every input position found) enough that `o + padding − t·dilation ≥ 0` for every output `o ≥ 0`
 * and tap `t ≤ kernel`, so that the shaders' divisions see no negative dividend.
 *
 * @example
 * shaderPadding({ kernel: 3, kernelOffset: 0, stride: 2, padding: 1, dilation: 1 }); // { padding: 3, units: 1 }
 */
export function shaderPadding(axis: Pick<GatherAxis, 'kernel' | 'stride' | 'padding' | 'dilation'>):
  { padding: number; units: number } {
  const { kernel, stride, padding, dilation } = axis;
  const units = Math.max(0, Math.ceil((kernel * dilation - padding) / stride));
  return { padding: padding + units * stride, units };
}
