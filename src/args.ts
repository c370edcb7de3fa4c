// Every argument rule of conv_transpose3d lives here, so the CPU reference, the GPU path and the shape helpers
// reject exactly the same calls, with the same words, before any work is done.
import { ConvTranspose3dError } from './errors.js';
import { isWebgl2 } from './gl/context.js';
import { STORAGE_PREFERENCE } from './gl/storage.js';
import type { ConvTranspose3dOptions, Int3, Tensor, Triple } from './types.js';

/** A fully checked conv_transpose3d call, in plain numbers: what both the CPU and the GPU paths consume. */
export interface ConvSpec {
  /** Whether the caller passed a 5-D input (otherwise 4-D, and the output drops the batch axis too). */
  batched: boolean;
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  /** Input channels per group. */
  inPerGroup: number;
  /** Output channels per group (the weight's dim 1). */
  outPerGroup: number;
  inSize: Int3;
  kernel: Int3;
  stride: Int3;
  padding: Int3;
  outputPadding: Int3;
  dilation: Int3;
  outSize: Int3;
  hasBias: boolean;
  /** The output shape as the caller will see it (4-D for unbatched input). */
  outShape: number[];
}

const OPTION_NAMES = ['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'] as const;
const SNAKE_CASE_HINTS: Record<string, string> = { output_padding: 'outputPadding' };

/** Most array entries, and string characters, an error message shows. */
const SHOWN_ENTRIES = 8;
const SHOWN_CHARS = 64;

/**
 * Formats a value for an error message, compactly and without throwing on odd inputs: at most the first few entries
 * of a long array (then its length), nested arrays once (a cycle shows as `[…]`), strings cut short, BigInt as
 * BigInt. Getters are read once.
 *
 * @example
 * show([1, 2, -0]);              // '[1, 2, -0]'
 * show(new Array(3e7).fill(1));  // '[1, 1, 1, 1, 1, 1, 1, 1, … (30000000 entries)]'
 * show(2n ** 40n);               // '1099511627776n'
 */
export function show(value: unknown): string {
  try {
    return format(value, 0);
  } catch {
    // A Proxy or getter that throws while being read.
    return 'an unreadable value';
  }
}

function format(value: unknown, depth: number): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) {
    if (depth > 1) return '[…]';
    const length = value.length;
    const shown = Array.from({ length: Math.min(length, SHOWN_ENTRIES) }, (_, i) => format(value[i], depth + 1));
    return `[${shown.join(', ')}${length > SHOWN_ENTRIES ? `, … (${length} entries)` : ''}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (typeof value === 'string') {
    return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
  }
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return Object.prototype.toString.call(value);
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The argument a message is about: its first word (`input.shape …` → input; `unknown option …` → options). */
function argumentOf(message: string): string {
  const word = /^[A-Za-z]+/.exec(message)?.[0] ?? 'options';
  return word === 'unknown' ? 'options' : word;
}

function fail(message: string): never {
  throw new ConvTranspose3dError(`conv_transpose3d: ${message}`, 'invalid-argument', argumentOf(message));
}

/** An invalid-argument error of a helper (`tensor`, `createBackend`, `configure`): `argument` is at fault. */
function invalid(message: string, argument: string): ConvTranspose3dError {
  return new ConvTranspose3dError(message, 'invalid-argument', argument);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/**
 * A plain copy of an array, each entry read once (a Proxy or getter cannot change it afterwards); null when `value`
 * is not an array.
 */
function copyArray(value: unknown): unknown[] | null {
  if (!Array.isArray(value)) return null;
  const length = value.length;
  const copy = new Array<unknown>(length);
  for (let i = 0; i < length; i++) copy[i] = value[i];
  return copy;
}

// Typed arrays are read through the built-in accessors, which a subclass or an own property cannot override.
const TYPED_ARRAY = Object.getPrototypeOf(Float32Array.prototype) as object;
const accessor = (proto: object, key: string) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const lengthOf = accessor(TYPED_ARRAY, 'length');
const bufferOf = accessor(TYPED_ARRAY, 'buffer');
const byteOffsetOf = accessor(TYPED_ARRAY, 'byteOffset');
const bufferBytes = accessor(ArrayBuffer.prototype, 'byteLength');

/**
 * The values of a Float32Array as a plain Float32Array over the same memory, its true length and offset read by the
 * built-in accessors; null when `data` is not one (a Proxy, or another typed array).
 */
function float32View(data: unknown): Float32Array | null {
  if (!(data instanceof Float32Array)) return null;
  // A detached buffer holds no elements (a view cannot be made over it).
  if (isDetached(data)) return new Float32Array(0);
  try {
    const buffer = bufferOf.call(data) as ArrayBufferLike;
    return new Float32Array(buffer, byteOffsetOf.call(data) as number, lengthOf.call(data) as number);
  } catch {
    return null;
  }
}

/** Whether a typed array's buffer is detached (transferred away): its bytes are gone. */
function isDetached(data: Float32Array): boolean {
  let buffer: ArrayBufferLike;
  try {
    buffer = bufferOf.call(data) as ArrayBufferLike;
  } catch {
    return false;
  }
  if (!(buffer instanceof ArrayBuffer)) return false;
  if ('detached' in ArrayBuffer.prototype) return (buffer as ArrayBuffer & { detached: boolean }).detached;
  return bufferBytes.call(buffer) === 0;
}

/**
 * The snapshot ({@link snapshotTensor}) of a tensor given to a backend's `upload()`, which takes ranks 1 to 5.
 *
 * @example
 * const t = snapshotUpload(weight);
 */
export function snapshotUpload(tensor: unknown): Tensor {
  const t = snapshotTensor(tensor, 'tensor');
  if (t.shape.length < 1 || t.shape.length > 5) {
    throw invalid(`conv_transpose3d: upload takes tensors of rank 1 to 5, got shape ${show(t.shape)}`, 'tensor');
  }
  return t;
}

/**
 * How an error names a call: its input and output shapes.
 *
 * @example
 * describeCall(spec); // 'conv_transpose3d with input [1, 16, 8, 8, 8] and output [1, 8, 17, 17, 17]'
 */
export function describeCall(spec: ConvSpec): string {
  const input = spec.batched ? [spec.batch, spec.inChannels, ...spec.inSize] : [spec.inChannels, ...spec.inSize];
  return `conv_transpose3d with input ${show(input)} and output ${show(spec.outShape)}`;
}

/**
 * Checks that `t` is a well-formed {@link Tensor} (integer non-negative shape, Float32Array data of the right
 * length) and returns a snapshot of it: its shape copied into a plain array, its data a plain Float32Array over the
 * caller's memory. Each property is read once, so a getter, Proxy or subclass that answers differently later
 * changes nothing: everything after the check uses the snapshot. `name` is the argument's name in messages.
 *
 * @example
 * const { shape, data } = snapshotTensor(x, 'input');
 */
export function snapshotTensor(t: unknown, name: string): Tensor {
  if (typeof t !== 'object' || t === null) fail(`${name} must be a tensor { shape, data }, got ${show(t)}`);
  const { shape: shapeValue, data: dataValue } = t as Partial<Tensor>;
  const shape = copyArray(shapeValue);
  if (!shape) fail(`${name}.shape must be an array of sizes, got ${show(shapeValue)}`);
  for (const s of shape) {
    if (!isInt(s) || s < 0) fail(`${name}.shape must hold non-negative integers, got ${show(shape)}`);
  }
  const sizes = shape as number[];
  const data = float32View(dataValue);
  if (!data) fail(`${name}.data must be a Float32Array, got ${show(dataValue)}`);
  const count = numel(sizes);
  if (!Number.isSafeInteger(count)) fail(`${name}.shape ${show(sizes)} has too many elements`);
  if (data.length !== count) {
    const why = isDetached(dataValue as Float32Array) ? ' (its buffer is detached: it was transferred away)' : '';
    fail(`${name}.data has ${data.length} elements${why} but ${name}.shape ${show(sizes)} needs ${count}`);
  }
  return { shape: sizes, data };
}

/** {@link snapshotTensor}'s check, returning the shape alone. */
export function checkTensor(t: unknown, name: string): number[] {
  return snapshotTensor(t, name).shape;
}

/** Normalizes an int-or-3-tuple argument, PyTorch style, checking each value against `min`. */
export function triple(value: Triple | undefined, name: string, fallback: number, min: number, rule: string): Int3 {
  if (value === undefined) return [fallback, fallback, fallback];
  let t: unknown[];
  if (Array.isArray(value)) {
    if (value.length !== 3) {
      fail(`${name} must be an integer or a list of 3 integers (depth, height, width), got ${show(value)} ` +
        `with ${value.length} values`);
    }
    t = value;
  } else {
    t = [value, value, value];
  }
  if (!t.every(isInt)) fail(`${name} must hold integers, got ${show(value)}`);
  const ints = t as number[];
  if (ints.some((v) => v < min)) fail(`${name} must be ${rule}, got ${show(value)}`);
  return [ints[0], ints[1], ints[2]];
}

/** `(in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`, PyTorch's output length of one axis. */
export function outputLength(inLen: number, k: number, stride: number, padding: number, dilation: number,
  outputPadding: number): number {
  // In BigInt: products of safe integers are not exact in doubles, and a rounded length could pass as valid.
  const b = BigInt;
  return Number((b(inLen) - 1n) * b(stride) - 2n * b(padding) + b(dilation) * (b(k) - 1n) + b(outputPadding) + 1n);
}

/**
 * Checks every argument of a conv_transpose3d call and returns the call in plain numbers.
 * Throws an `Error` naming the argument and the offending values; touches no data.
 *
 * @example
 * resolveShapes([1, 64, 16, 16, 16], [64, 32, 2, 2, 2], null, { stride: 2 }).outShape; // [1, 32, 32, 32, 32]
 */
export function resolveShapes(inputShape: number[], weightShape: number[], biasShape: number[] | null,
  options: Omit<ConvTranspose3dOptions, 'bias'>): ConvSpec {
  if (inputShape.length !== 4 && inputShape.length !== 5) {
    fail(`input must be 4-D (C, D, H, W) or 5-D (N, C, D, H, W), got shape ${show(inputShape)} ` +
      `(${inputShape.length}-D)`);
  }
  if (weightShape.length !== 5) {
    fail(`weight must be 5-D (Cin, Cout/groups, kD, kH, kW), got shape ${show(weightShape)} (${weightShape.length}-D)`);
  }
  if (weightShape.some((s) => s === 0)) {
    fail(`weight must have no zero-sized dimension, got shape ${show(weightShape)}`);
  }
  const batched = inputShape.length === 5;
  const full = batched ? inputShape : [1, ...inputShape];
  const [batch, inChannels, ...spatial] = full;
  const inSize = spatial as Int3;

  const groups = options.groups ?? 1;
  if (!isInt(groups)) fail(`groups must be an integer, got ${show(groups)}`);
  if (groups < 1) fail(`groups must be positive, got ${show(groups)}`);
  const stride = triple(options.stride, 'stride', 1, 1, 'positive');
  const padding = triple(options.padding, 'padding', 0, 0, 'non-negative');
  const dilation = triple(options.dilation, 'dilation', 1, 1, 'positive');
  const outputPadding = triple(options.outputPadding, 'outputPadding', 0, 0, 'non-negative');

  const [wIn, outPerGroup, ...k] = weightShape;
  const kernel = k as Int3;
  if (wIn % groups !== 0) {
    fail(`groups=${groups} must divide weight.shape[0] (in channels), got weight shape ${show(weightShape)}`);
  }
  if (inChannels !== wIn) {
    fail(`input has ${inChannels} channels (shape ${show(inputShape)}) but weight of shape ${show(weightShape)} ` +
      `expects ${wIn}`);
  }
  const outChannels = outPerGroup * groups;
  if (biasShape !== null && (biasShape.length !== 1 || biasShape[0] !== outChannels)) {
    fail(`bias must be 1-D with ${outChannels} elements (weight.shape[1]·groups = ${outPerGroup}·${groups}), ` +
      `got shape ${show(biasShape)}`);
  }
  for (let a = 0; a < 3; a++) {
    if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
      fail(`outputPadding must be smaller than either stride or dilation on each axis, got outputPadding ` +
        `${show(outputPadding)} with stride ${show(stride)} and dilation ${show(dilation)}`);
    }
  }
  if (inSize.some((s) => s === 0)) {
    fail(`input must have non-zero depth, height and width (only the batch may be empty), got shape ` +
      `${show(inputShape)}`);
  }
  const outSize = [0, 1, 2].map((a) =>
    outputLength(inSize[a], kernel[a], stride[a], padding[a], dilation[a], outputPadding[a])) as Int3;
  if (outSize.some((s) => s < 1)) {
    fail(`output size ${show(outSize)} is too small for input size ${show(inSize)} with kernel ${show(kernel)}, ` +
      `stride ${show(stride)}, padding ${show(padding)}, dilation ${show(dilation)}, outputPadding ` +
      `${show(outputPadding)}: each must be at least 1`);
  }
  const outShape = outputShapeOf(batched, batch, outChannels, outSize);
  return {
    batched, batch, inChannels, outChannels, groups, inPerGroup: inChannels / groups, outPerGroup,
    inSize, kernel, stride, padding, outputPadding, dilation, outSize, hasBias: biasShape !== null, outShape,
  };
}

/** The output shape (4-D for an unbatched input), refused past 2^32 elements. */
function outputShapeOf(batched: boolean, batch: number, outChannels: number, outSize: Int3): number[] {
  const outShape = batched ? [batch, outChannels, ...outSize] : [outChannels, ...outSize];
  const outCount = numel(outShape);
  if (!Number.isSafeInteger(outCount) || outCount > 2 ** 32) {
    fail(`output shape ${show(outShape)} has ${outCount} elements, more than 2^32`);
  }
  return outShape;
}

/** The sizes of a call whose output size is given and whose padding is cut from the front only. */
export interface ExplicitSizes {
  stride: Int3;
  dilation: Int3;
  /** Positions cut from the front of each axis. */
  padFront: Int3;
  /** The output's depth, height and width. */
  outSize: Int3;
  groups?: number;
}

/**
 * The spec of a call given as TensorFlow and ONNX give it: output position o receives input i through tap k where
 * o = i·stride + k·dilation − padFront, and the output has `outSize` positions per axis, so the padding cut from
 * the back is whatever is left (possibly more or less than the front's). PyTorch's rules apply otherwise; its
 * output_padding is the difference from PyTorch's size with padding `padFront`, and may be negative or exceed the
 * stride here. The planner and the shaders only ever use the front padding and the output size.
 *
 * @example
 * // TensorFlow's 'SAME' at stride 2, kernel 3, output 8: one position of padding, at the back.
 * resolveExplicitShapes([1, 3, 4, 4, 4], [3, 5, 3, 3, 3], null,
 *   { stride: [2, 2, 2], dilation: [1, 1, 1], padFront: [0, 0, 0], outSize: [8, 8, 8] }).outputPadding; // [-1, -1, -1]
 */
export function resolveExplicitShapes(inputShape: number[], weightShape: number[], biasShape: number[] | null,
  sizes: ExplicitSizes): ConvSpec {
  const spec = resolveShapes(inputShape, weightShape, biasShape,
    { stride: sizes.stride, dilation: sizes.dilation, padding: sizes.padFront, groups: sizes.groups });
  const outSize = sizes.outSize.slice() as Int3;
  if (!outSize.every((s) => isInt(s) && s >= 1)) {
    throw invalid(`conv_transpose3d: output size must be positive integers, got ${show(outSize)}`, 'outSize');
  }
  const outputPadding = outSize.map((s, a) => s - spec.outSize[a]) as Int3;
  const outShape = outputShapeOf(spec.batched, spec.batch, spec.outChannels, outSize);
  return { ...spec, outSize, outputPadding, outShape };
}

/**
 * Rejects option objects with unknown keys (a snake_case `output_padding` would otherwise be silently ignored) and
 * returns a snapshot: a plain object holding each option read once, arrays copied.
 */
export function checkOptions(options: unknown): ConvTranspose3dOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail(`options must be an object, got ${show(options)}`);
  }
  const keys = Object.keys(options);
  for (const key of keys) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      const hint = SNAKE_CASE_HINTS[key] ? ` (did you mean ${SNAKE_CASE_HINTS[key]}?)` : '';
      fail(`unknown option ${show(key)}${hint}; known options are ${OPTION_NAMES.join(', ')}`);
    }
  }
  const snapshot: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (options as Record<string, unknown>)[key];
    snapshot[key] = key === 'bias' ? value : copyArray(value) ?? value;
  }
  return snapshot as ConvTranspose3dOptions;
}

/** Checks a whole call of CPU tensors and returns it in plain numbers (see {@link checkCall}). */
export function resolveCall(input: unknown, weight: unknown, options: unknown): ConvSpec {
  return checkCall(input, weight, options).spec;
}

/**
 * The shape `conv_transpose3d` returns for these shapes and options (throws like the call itself would).
 *
 * @example
 * convTranspose3dOutputShape([20, 16, 50, 10, 20], [16, 33, 3, 3, 3], { stride: 2 }); // [20, 33, 101, 21, 41]
 */
export function convTranspose3dOutputShape(inputShape: number[], weightShape: number[],
  options: Omit<ConvTranspose3dOptions, 'bias'> & { bias?: Tensor | null } = {}): number[] {
  const opts = checkOptions(options);
  const shapeOnly = (s: unknown, name: string) => checkShape(s, name);
  const biasShape = opts.bias ? snapshotTensor(opts.bias, 'bias').shape : null;
  return resolveShapes(shapeOnly(inputShape, 'input.shape'), shapeOnly(weightShape, 'weight.shape'), biasShape,
    opts).outShape;
}

function checkShape(s: unknown, name: string): number[] {
  if (!Array.isArray(s) || !s.every((v) => isInt(v) && v >= 0)) {
    fail(`${name} must be an array of non-negative integers, got ${show(s)}`);
  }
  return s.slice();
}

/**
 * PyTorch's `nn.ConvTranspose3d._output_padding`: the `outputPadding` that makes the output exactly `outputSize`
 * (3 spatial sizes, or the full 4-/5-D shape, whose leading sizes are then ignored as in PyTorch).
 * Throws when the size is out of the reachable range `[min, min + stride − 1]` per axis.
 *
 * @example
 * outputPaddingForSize([2, 4, 3, 3, 3], [3, 3, 3], [8, 8, 8], { stride: 2 }); // [1, 1, 1]
 */
export function outputPaddingForSize(inputShape: number[], kernelSize: Triple, outputSize: number[],
  options: { stride?: Triple; padding?: Triple; dilation?: Triple } = {}): Int3 {
  const shape = checkShape(inputShape, 'input.shape');
  if (shape.length !== 4 && shape.length !== 5) {
    fail(`input must be 4-D or 5-D, got shape ${show(shape)}`);
  }
  const kernel = triple(kernelSize, 'kernelSize', 1, 1, 'positive');
  const stride = triple(options.stride, 'stride', 1, 1, 'positive');
  const padding = triple(options.padding, 'padding', 0, 0, 'non-negative');
  const dilation = triple(options.dilation, 'dilation', 1, 1, 'positive');
  const nonSpatial = shape.length - 3;
  let size = checkShape(outputSize, 'outputSize');
  if (size.length === nonSpatial + 3) size = size.slice(nonSpatial);
  if (size.length !== 3) {
    fail(`outputSize must have 3 or ${nonSpatial + 3} elements for a ${shape.length}-D input, got ${show(outputSize)}`);
  }
  const inSize = shape.slice(nonSpatial);
  const min = [0, 1, 2].map((a) => outputLength(inSize[a], kernel[a], stride[a], padding[a], dilation[a], 0));
  const max = min.map((m, a) => m + stride[a] - 1);
  if (size.some((s, a) => s < min[a] || s > max[a])) {
    fail(`outputSize: requested an output size of ${show(size)}, but valid sizes range from ${show(min)} to ` +
      `${show(max)} (for an input of spatial size ${show(inSize)})`);
  }
  return [size[0] - min[0], size[1] - min[1], size[2] - min[2]];
}

/**
 * A conv_transpose3d call checked once: its spec and snapshots of its tensor arguments (see {@link snapshotTensor}),
 * which are all the work after the check may use.
 */
export interface CheckedCall<T> {
  spec: ConvSpec;
  input: T;
  weight: T;
  bias: T | null;
}

/**
 * Checks a whole call once and keeps what it checked together: the spec and the snapshots it was computed from.
 * Every argument is read once. `snapshot` validates one tensor argument and returns what the call will use:
 * {@link snapshotTensor} for CPU tensors, the backend's own check for GPU tensors.
 *
 * @example
 * const { spec, input } = checkCall(x, w, { stride: 2 });
 */
export function checkCall<T extends { shape: number[] } = Tensor>(input: unknown, weight: unknown, options: unknown,
  snapshot: (t: unknown, name: string) => T = snapshotTensor as unknown as (t: unknown, name: string) => T):
  CheckedCall<T> {
  const opts = checkOptions(options);
  const x = snapshot(input, 'input');
  const w = snapshot(weight, 'weight');
  const bias = opts.bias === undefined || opts.bias === null ? null : snapshot(opts.bias, 'bias');
  const spec = resolveShapes(x.shape, w.shape, bias ? bias.shape : null, opts);
  return { spec, input: x, weight: w, bias };
}

/** The checks of `tensor(shape, data)`'s arguments; returns the data as float32 (a Float32Array is used as is). */
export function checkTensorData(shape: unknown, data: unknown): Float32Array {
  if (!Array.isArray(shape)) throw invalid(`tensor: shape must be an array of sizes, got ${show(shape)}`, 'shape');
  if (!shape.every((s) => isInt(s) && s >= 0) || !Number.isSafeInteger(numel(shape))) {
    throw invalid(`tensor: shape must hold non-negative integers, got ${show(shape)}`, 'shape');
  }
  if (data === undefined) return new Float32Array(numel(shape));
  if (data instanceof Float32Array) return data;
  if (typeof data !== 'object' || data === null || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw invalid(`tensor: data must be a Float32Array or an array of numbers, got ${show(data)}`, 'data');
  }
  // Each value is read once: checked and converted in one pass.
  const values = data as ArrayLike<unknown>;
  const length = values.length;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw invalid(`tensor: data must hold numbers, got ${show(v)} at index ${i}`, 'data');
    out[i] = v;
  }
  return out;
}

/** A rule for one field of an object option: what it accepts, in code and in words. */
interface FieldRule { ok: (v: unknown) => boolean; rule: string }

const intFrom = (lo: number, hi: number): FieldRule =>
  ({ ok: (v) => isInt(v) && v >= lo && v <= hi, rule: `an integer from ${lo} to ${hi}` });

/** The `fragment` option's fields (FragmentShape in fragment.ts). */
const FRAGMENT_RULES: Record<string, FieldRule> = {
  voxels: intFrom(1, 8),
  depth: { ok: (v) => v === 1 || v === 2, rule: '1 or 2' },
  blocks: { ok: (v) => v === 1 || v === 2 || v === 4, rule: '1, 2 or 4' },
  taps: intFrom(1, 4),
  windowTexels: intFrom(1, 16),
};

/** The `policy` option's fields (RendererPolicy in gl/context.ts). */
const POLICY_RULES: Record<string, FieldRule> = {
  quadWidth: { ok: (v) => isInt(v) && v >= 1 && v <= 64 && (v & (v - 1)) === 0, rule: 'a power of two from 1 to 64' },
  windowTexels: intFrom(1, 16),
  unrollLoops: { ok: (v) => typeof v === 'boolean', rule: 'true or false' },
};

/**
 * Checks an object option whose keys each have a rule; `what` names it in messages (`createBackend: fragment`).
 * Returns a plain copy, each key read once.
 */
function checkFields(value: unknown, what: string, name: string, rules: Record<string, FieldRule>):
  Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be an object, got ${show(value)}`, name);
  }
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(value));
  for (const [key, v] of Object.entries(copy)) {
    if (!(key in rules)) {
      throw invalid(`${what} has an unknown key ${show(key)}; known keys are ${Object.keys(rules).join(', ')}`, name);
    }
    if (v !== undefined && !rules[key].ok(v)) {
      throw invalid(`${what}.${key} must be ${rules[key].rule}, got ${show(v)}`, name);
    }
  }
  return copy;
}

const STORAGE_REQUESTS: readonly string[] = ['auto', ...STORAGE_PREFERENCE];

/** The engines a backend can run on (`'auto'` picks per device and call shape). */
const ENGINES = ['auto', 'webgl', 'cpu'];
/** Most worker threads the CPU engine takes. */
export const MAX_THREADS = 64;

/**
 * The checks of a backend's options (`createBackend`, and `configure` for the shared backend: `caller` names which
 * in messages), before any context is made, on a plain copy (each option read once) which it returns. Limits that
 * depend on the device (storage support) are checked when its capabilities are read.
 */
export function checkBackendOptions<T>(options: T, caller = 'createBackend'): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${caller}: options must be an object, got ${show(options)}`, 'options');
  }
  const o: Record<string, unknown> = Object.fromEntries(Object.entries(options as object));
  for (const name of ['maxBytes', 'poolBytes']) {
    const value = o[name];
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))) {
      throw invalid(`${caller}: ${name} must be a non-negative number of bytes, got ${show(value)}`, name);
    }
  }
  for (const name of ['maxTextureSize', 'maxTextureLayers']) {
    const value = o[name];
    if (value !== undefined && (!isInt(value) || value < 1)) {
      throw invalid(`${caller}: ${name} must be a positive integer, got ${show(value)}`, name);
    }
  }
  for (const name of ['phaseDraws', 'directOutput']) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') {
      throw invalid(`${caller}: ${name} must be true, false or undefined, got ${show(o[name])}`, name);
    }
  }
  if (o.storage !== undefined && !STORAGE_REQUESTS.includes(o.storage as string)) {
    throw invalid(`${caller}: storage must be ${STORAGE_REQUESTS.map((m) => `'${m}'`).join(', ')}; got ` +
      `${show(o.storage)}`, 'storage');
  }
  if (o.engine !== undefined && !ENGINES.includes(o.engine as string)) {
    throw invalid(`${caller}: engine must be ${ENGINES.map((m) => `'${m}'`).join(', ')}; got ${show(o.engine)}`,
      'engine');
  }
  if (o.threads !== undefined && (!isInt(o.threads) || (o.threads as number) < 1 || (o.threads as number) > MAX_THREADS)) {
    throw invalid(`${caller}: threads must be an integer from 1 to ${MAX_THREADS}, got ${show(o.threads)}`, 'threads');
  }
  if (o.choices !== undefined && (typeof o.choices !== 'object' || o.choices === null || Array.isArray(o.choices) ||
    !Object.values(o.choices).every((v) => v === 'webgl' || v === 'cpu'))) {
    throw invalid(`${caller}: choices must map call shapes to 'webgl' or 'cpu', got ${show(o.choices)}`, 'choices');
  }
  if (o.gl !== undefined && o.engine === 'cpu') {
    throw invalid(`${caller}: gl is a WebGL engine's option; engine 'cpu' takes none`, 'gl');
  }
  if (o.gl !== undefined && caller !== 'configure' && !isWebgl2(o.gl)) {
    throw invalid(`${caller}: gl must be a WebGL2 context, got ${show(o.gl)}`, 'gl');
  }
  const fragment = checkFields(o.fragment, `${caller}: fragment`, 'fragment', FRAGMENT_RULES);
  const policy = checkFields(o.policy, `${caller}: policy`, 'policy', POLICY_RULES);
  return { ...o, ...(fragment ? { fragment } : {}), ...(policy ? { policy } : {}) } as T;
}

/** The checks of `configure()`'s options: the shared backend's options, and `cpuFallback`; returns a plain copy. */
export function checkConfig<T>(options: T): T {
  const copy = checkBackendOptions(options, 'configure');
  const { cpuFallback, gl } = copy as Record<string, unknown>;
  if (cpuFallback !== undefined && typeof cpuFallback !== 'boolean') {
    throw invalid(`configure: cpuFallback must be true or false, got ${show(cpuFallback)}`, 'cpuFallback');
  }
  if (gl !== undefined) {
    throw invalid('configure: gl is not an option here: the shared backend makes its own context', 'gl');
  }
  return copy;
}
