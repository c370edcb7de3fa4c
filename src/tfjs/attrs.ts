// TensorFlow's Conv3DBackpropInputV2 (what tf.nn.conv3d_transpose, Keras' Conv3DTranspose and tfjs's
// conv3dTranspose run) in this library's terms: its attributes read and checked as TensorFlow checks them, and the
// call they describe as a front padding and an output size per axis. Pure: unit-tested in Node.
//
// The op is the gradient of conv3d with respect to its input. Output position i along an axis receives dy[o]·w[k]
// for every i = o·stride + k·dilation − padBefore, the same sum as PyTorch's transposed convolution with padding
// padBefore, but its output size is given (input_sizes), so its back padding need not equal the front:
// TensorFlow's 'SAME' puts the odd one of an odd total at the back.
import { ConvTranspose3dError } from '../errors.js';
import { show } from '../args.js';
import type { Int3 } from '../types.js';

/** The call an op describes, in the library's terms: dy is its input, the op's output its output. */
export interface TfTransposeCall {
  dataFormat: 'NDHWC' | 'NCDHW';
  batch: number;
  /** Channels of dy (the forward convolution's outputs). */
  inChannels: number;
  /** Channels of the op's output (the forward convolution's inputs). */
  outChannels: number;
  /** dy's depth, height and width. */
  inSize: Int3;
  /** The op's output depth, height and width (its `input_sizes`). */
  outSize: Int3;
  kernel: Int3;
  stride: Int3;
  dilation: Int3;
  /** Positions cut from the front of each axis (TensorFlow's pad_before). */
  padFront: Int3;
}

/** The attributes and shapes of one Conv3DBackpropInputV2, as TensorFlow names them. */
export interface TfTransposeArgs {
  /** `input_sizes`: the op's output shape, 5-D, in `dataFormat` order. */
  outputShape: readonly number[];
  /** dy's shape, 5-D, in `dataFormat` order. */
  dyShape: readonly number[];
  /** The filter's shape: `[kD, kH, kW, outChannels, inChannels]`. */
  filterShape: readonly number[];
  /** 5 entries in `dataFormat` order (a graph's attribute), or 3 spatial ones or one for all (tfjs's kernel). */
  strides: readonly number[] | number;
  /** As `strides`; default 1. */
  dilations?: readonly number[] | number;
  /** `'SAME'` or `'VALID'`, either case. */
  padding: string;
  /** Default `'NDHWC'`. */
  dataFormat?: string;
}

const invalid = (message: string, argument: string) =>
  new ConvTranspose3dError(`Conv3DBackpropInputV2: ${message}`, 'invalid-argument', argument);

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** The spatial positions of a 5-D shape or attribute in `format`. */
const spatialOf = (v: readonly number[], format: TfTransposeCall['dataFormat']) =>
  (format === 'NDHWC' ? [v[1], v[2], v[3]] : [v[2], v[3], v[4]]) as Int3;

/** A strides or dilations attribute as 3 spatial values; a 5-entry one must be 1 on the batch and channel axes. */
function spatialAttr(value: readonly number[] | number | undefined, name: string,
  format: TfTransposeCall['dataFormat']): Int3 {
  if (value === undefined) return [1, 1, 1];
  const list = typeof value === 'number' ? [value, value, value] : [...value];
  if (!(list.length === 3 || list.length === 5) || !list.every(isPositiveInt)) {
    throw invalid(`${name} must be 5 positive integers (or 3, or one), got ${JSON.stringify(value)}`, name);
  }
  if (list.length === 3) return list as Int3;
  const [batchAxis, channelAxis] = format === 'NDHWC' ? [0, 4] : [0, 1];
  if (list[batchAxis] !== 1 || list[channelAxis] !== 1) {
    throw invalid(`${name} must be 1 on the batch and channel axes, got ${JSON.stringify(value)} (${format})`, name);
  }
  return spatialOf(list, format);
}

function shape5(value: readonly number[], name: string): number[] {
  if (value.length !== 5 || !value.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw invalid(`${name} must be 5-D with non-negative sizes, got ${JSON.stringify(value)}`, name);
  }
  return [...value];
}

/**
 * Reads and checks one Conv3DBackpropInputV2 as TensorFlow does, and returns the call it describes: the front
 * padding TensorFlow computes (`'VALID'`: 0; `'SAME'`: half the total padding, rounded down) and dy's size checked
 * against the output size (TensorFlow's "Computed out_backprop size" check).
 *
 * @example
 * tfTransposeCall({ outputShape: [1, 8, 8, 8, 5], dyShape: [1, 4, 4, 4, 3], filterShape: [3, 3, 3, 5, 3],
 *   strides: [1, 2, 2, 2, 1], padding: 'SAME' }).padFront; // [0, 0, 0]: a total padding of 1 per axis, at the back
 */
export function tfTransposeCall(args: TfTransposeArgs): TfTransposeCall {
  const format = (args.dataFormat ?? 'NDHWC').toUpperCase();
  if (format !== 'NDHWC' && format !== 'NCDHW') {
    throw invalid(`data_format must be NDHWC or NCDHW, got ${JSON.stringify(args.dataFormat)}`, 'data_format');
  }
  const dataFormat = format as TfTransposeCall['dataFormat'];
  const padding = String(args.padding).toUpperCase();
  if (padding === 'EXPLICIT') {
    throw invalid("padding 'EXPLICIT' is not an option of this op in TensorFlow (its 3-D convolutions take 'SAME' " +
      "or 'VALID')", 'padding');
  }
  if (padding !== 'SAME' && padding !== 'VALID') {
    throw invalid(`padding must be 'SAME' or 'VALID', got ${JSON.stringify(args.padding)}`, 'padding');
  }
  const stride = spatialAttr(args.strides, 'strides', dataFormat);
  const dilation = spatialAttr(args.dilations, 'dilations', dataFormat);
  const out = shape5(args.outputShape, 'input_sizes');
  const dy = shape5(args.dyShape, 'out_backprop');
  const filter = shape5(args.filterShape, 'filter');
  const channel = dataFormat === 'NDHWC' ? 4 : 1;
  const [kD, kH, kW, filterOut, filterIn] = filter;
  if (filter.some((s) => s === 0)) throw invalid(`filter must have no zero-sized axis, got ${show(filter)}`, 'filter');
  if (dy[channel] !== filterIn) {
    throw invalid(`out_backprop has ${dy[channel]} channels (shape ${show(dy)}, ${dataFormat}) but filter of shape ` +
      `${show(filter)} expects ${filterIn} (its last axis)`, 'filter');
  }
  if (out[channel] !== filterOut) {
    throw invalid(`input_sizes has ${out[channel]} channels (${show(out)}, ${dataFormat}) but filter of shape ` +
      `${show(filter)} makes ${filterOut} (its fourth axis)`, 'input_sizes');
  }
  if (out[0] !== dy[0]) {
    throw invalid(`input_sizes has batch ${out[0]} but out_backprop has ${dy[0]}`, 'input_sizes');
  }
  const kernel: Int3 = [kD, kH, kW];
  const outSize = spatialOf(out, dataFormat);
  const inSize = spatialOf(dy, dataFormat);
  const padFront = [0, 0, 0] as Int3;
  for (let a = 0; a < 3; a++) {
    if (outSize[a] < 1) throw invalid(`input_sizes must have positive spatial sizes, got ${show(out)}`, 'input_sizes');
    const reach = (kernel[a] - 1) * dilation[a] + 1;
    if (padding === 'VALID' && outSize[a] < reach) {
      throw invalid(`input_sizes ${show(out)} is shorter on spatial axis ${a} (${outSize[a]}) than the filter reaches ` +
        `with VALID padding (kernel ${kernel[a]}, dilation ${dilation[a]}: ${reach})`, 'input_sizes');
    }
    const expected = padding === 'SAME' ? Math.ceil(outSize[a] / stride[a])
      : Math.ceil((outSize[a] - reach + 1) / stride[a]);
    if (inSize[a] !== expected) {
      throw invalid(`out_backprop has size ${inSize[a]} on spatial axis ${a} (shape ${show(dy)}), but an output of ` +
        `size ${outSize[a]} with kernel ${kernel[a]}, stride ${stride[a]}, dilation ${dilation[a]} and ` +
        `${padding} padding gives ${Math.max(expected, 0)}`, 'out_backprop');
    }
    if (padding === 'SAME') padFront[a] = Math.floor(Math.max(0, (inSize[a] - 1) * stride[a] + reach - outSize[a]) / 2);
  }
  return { dataFormat, batch: dy[0], inChannels: filterIn, outChannels: filterOut, inSize, outSize, kernel, stride,
    dilation, padFront };
}

/**
 * Refuses tensors this op cannot take before any work: TensorFlow defines it on floats, and tfjs's float tensors
 * are float32.
 *
 * @example
 * checkDtypes('float32', 'int32'); // throws, naming filter
 */
export function checkDtypes(dy: string, filter: string): void {
  for (const [name, dtype] of [['out_backprop', dy], ['filter', filter]]) {
    if (dtype !== 'float32') throw invalid(`${name} must be float32, got ${dtype}`, name);
  }
}

/** Strides of a row-major array of `shape`. */
function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** Where the library's axes sit in the op's row-major arrays (see {@link tfArrays}). */
export interface TfArrays {
  /** dy's shape, in the op's data format. */
  dyShape: number[];
  /** The op's output shape, in its data format. */
  outputShape: number[];
  /** Flat strides in dy of the library's input axes (n, c, d, h, w). */
  dy: number[];
  /** Flat strides in the filter `[kD, kH, kW, out, in]` of the library's weight axes (in, out, kd, kh, kw). */
  filter: number[];
  /** Which of the library's output axes (n, c, d, h, w: 0 to 4) each axis of the op's output is. */
  outputAxes: number[];
}

/**
 * How the op's arrays map onto the library's NCDHW tensors and `[in, out, kD, kH, kW]` weight: no data moves here,
 * the conversions read through these strides.
 *
 * @example
 * tfArrays(call).outputAxes; // [0, 2, 3, 4, 1] for NDHWC: the output's axes are n, d, h, w, c
 */
export function tfArrays(call: TfTransposeCall): TfArrays {
  const { batch: N, inChannels: Ci, outChannels: Co, inSize, outSize, kernel } = call;
  const ndhwc = call.dataFormat === 'NDHWC';
  const dyShape = ndhwc ? [N, ...inSize, Ci] : [N, Ci, ...inSize];
  const outputShape = ndhwc ? [N, ...outSize, Co] : [N, Co, ...outSize];
  const s = rowMajorStrides(dyShape);
  const f = rowMajorStrides([...kernel, Co, Ci]);
  return {
    dyShape, outputShape,
    dy: ndhwc ? [s[0], s[4], s[1], s[2], s[3]] : s,
    filter: [f[4], f[3], f[0], f[1], f[2]],
    outputAxes: ndhwc ? [0, 2, 3, 4, 1] : [0, 1, 2, 3, 4],
  };
}
