// The CPU engine's plan of one call, pure: the kernel's parameter block (src/cpu/kernel/conv.ts reads it by these
// offsets) and the sizes of the buffers the call needs. Addresses are filled in by the engine once allocated.
import { show, type ConvSpec } from '../args.js';
import { ConvTranspose3dError } from '../errors.js';

/** The kernel's index arithmetic is 32-bit: the sums it forms along an axis stay at or below this. */
export const MAX_KERNEL_INT = 2 ** 31 - 1;
const AXES = ['D', 'H', 'W'];

/** Output channels the kernel computes at once (two 128-bit vectors); weights are packed in blocks of this many. */
export const CHANNEL_BLOCK = 8;

/** Offsets, in i32s, of the parameter block's fields (the same constants as the kernel's). */
export const PARAM = {
  n: 0, groups: 1, inPerGroup: 2, outPerGroup: 3, d: 4, h: 5, w: 6, od: 7, oh: 8, ow: 9, kd: 10, kh: 11, kw: 12,
  sd: 13, sh: 14, sw: 15, pd: 16, ph: 17, pw: 18, dd: 19, dh: 20, dw: 21, x: 22, xPacked: 23, weight: 24,
  wPacked: 25, bias: 26, y: 27, blocks: 28, packWeight: 29,
} as const;
export const PARAM_COUNT = 30;

/** What a call needs besides its input, weight and bias, in float32 elements. */
export interface CpuCallPlan {
  params: Int32Array;
  /** The input repacked channels-last per group: as many elements as the input. */
  packedInputElements: number;
  /** The weight in blocks of {@link CHANNEL_BLOCK} output channels per tap, zero-padded to whole blocks. */
  packedWeightElements: number;
  outputElements: number;
  /** Work items: the repacking (input rows, then weight blocks when `packWeight`), then the output rows. */
  prepareItems: number;
  computeItems: number;
}

/**
 * The parameter block and sizes of a call (addresses zero until {@link setAddresses}); `packWeight` when the
 * call's prepare items pack the weight (the first call with a resident weight, or every call with a CPU one).
 *
 * @example
 * const plan = planCpuCall(spec, true);
 * plan.computeItems; // N · groups · ceil(Cout/groups / 8) · OD · OH
 */
export function planCpuCall(spec: ConvSpec, packWeight: boolean): CpuCallPlan {
  const blocks = Math.ceil(spec.outPerGroup / CHANNEL_BLOCK);
  const [d, h, w] = spec.inSize;
  const [od, oh, ow] = spec.outSize;
  const params = new Int32Array(PARAM_COUNT);
  const set = (field: keyof typeof PARAM, value: number) => { params[PARAM[field]] = value; };
  set('n', spec.batch);
  set('groups', spec.groups);
  set('inPerGroup', spec.inPerGroup);
  set('outPerGroup', spec.outPerGroup);
  params.set(spec.inSize, PARAM.d);
  params.set(spec.outSize, PARAM.od);
  params.set(spec.kernel, PARAM.kd);
  params.set(spec.stride, PARAM.sd);
  params.set(spec.padding, PARAM.pd);
  params.set(spec.dilation, PARAM.dd);
  set('blocks', blocks);
  set('packWeight', packWeight ? 1 : 0);
  const taps = spec.kernel[0] * spec.kernel[1] * spec.kernel[2];
  const rows = spec.batch * spec.groups * d * h;
  return {
    params,
    packedInputElements: spec.batch * spec.inChannels * d * h * w,
    packedWeightElements: spec.groups * blocks * taps * spec.inPerGroup * CHANNEL_BLOCK,
    outputElements: spec.batch * spec.outChannels * od * oh * ow,
    prepareItems: rows + (packWeight ? spec.groups * blocks : 0),
    computeItems: spec.batch * spec.groups * blocks * od * oh,
  };
}

/**
 * Throws `'too-large'` for a call whose index arithmetic would not fit the kernel's 32-bit integers: along each axis
 * an output position plus the stride and the padding, and the kernel's reach (dilation · (k − 1)) plus the stride,
 * must stay at or below 2³¹ − 1. The message names the largest of the three arguments on that axis.
 *
 * @example
 * checkKernelRange(spec); // throws for stride 2³¹ − 1 with an output of 2 along W
 */
export function checkKernelRange(spec: ConvSpec): void {
  for (let a = 0; a < 3; a++) {
    const reach = spec.dilation[a] * (spec.kernel[a] - 1);
    const near = spec.outSize[a] + spec.stride[a] + spec.padding[a];
    if (near <= MAX_KERNEL_INT && reach + spec.stride[a] <= MAX_KERNEL_INT) continue;
    const named = [['stride', spec.stride[a]], ['padding', spec.padding[a]], ['dilation', reach]] as const;
    const [argument] = named.reduce((m, x) => (x[1] > m[1] ? x : m));
    throw new ConvTranspose3dError(`conv_transpose3d: the CPU engine indexes in 32-bit integers, and along ${AXES[a]} ` +
      `stride ${show(spec.stride[a])}, padding ${show(spec.padding[a])}, dilation ${show(spec.dilation[a])} with ` +
      `kernel ${spec.kernel[a]} and output size ${spec.outSize[a]} reach past 2^31 − 1 (the WebGL engine or ` +
      'convTranspose3dReference computes this call)', 'too-large', argument);
  }
}

/** Byte addresses of a call's buffers in the engine's memory (`bias` 0 for none). */
export interface CallAddresses {
  x: number;
  xPacked: number;
  weight: number;
  wPacked: number;
  bias: number;
  y: number;
}

/** Writes the buffers' addresses into a plan's parameter block. */
export function setAddresses(params: Int32Array, a: CallAddresses): void {
  for (const key of Object.keys(a) as Array<keyof CallAddresses>) params[PARAM[key]] = a[key] | 0;
}
