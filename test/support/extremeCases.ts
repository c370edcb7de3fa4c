// Valid but extreme calls, and hostile arguments: magnitudes in the billions on tiny tensors, thousands of channels,
// empty batches over huge volumes, views into larger buffers, detached buffers, Proxies and lying getters. Each is
// either computed right (against the CPU reference on the values a consistent read gives, or values known by hand)
// or refused with a message that names the argument. Shared by the unit suite (Node) and the browser harness.
import fc from 'fast-check';
import type { BackendOptions } from '../../src/backend';
import { randomTensor } from '../../src/support/seeded';
import type { ConvTranspose3dOptions, Tensor } from '../../src/types';

export interface ExtremeCall {
  input: Tensor;
  weight: Tensor;
  options: ConvTranspose3dOptions;
}

export interface ExtremeCase {
  name: string;
  /** The call's arguments, made afresh (some change as they are read). */
  build(): ExtremeCall;
  /** The arguments as a correct call reads them (a consistent snapshot); by default `build()`. */
  plain?(): ExtremeCall;
  /** What is right: the CPU reference, known values, or a refusal whose message matches (a RegExp source). */
  want: { reference: true } | { values: number[]; shape: number[] } | { refused: string };
  /** Options of the backend the case runs on. */
  backend?: BackendOptions;
  /** Its arguments answer differently when read again: reading them to check them afterwards would change them. */
  hostile?: true;
}

const MAX_I32 = 2 ** 31 - 1;
const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });
const rnd = (shape: number[], seed: number): Tensor => randomTensor(shape, seed);
const call = (input: Tensor, weight: Tensor, options: ConvTranspose3dOptions = {}): ExtremeCall =>
  ({ input, weight, options });

/** A copy of `values` inside a larger buffer, at a byte offset, with NaN all around it. */
function viewInto(values: Float32Array, offset: number): Float32Array {
  const buffer = new Float32Array(values.length + offset + 5).fill(NaN).buffer;
  const view = new Float32Array(buffer, offset * 4, values.length);
  view.set(values);
  return view;
}

/** An array that reads as `first` for its first `reads` index reads, then as `later`. */
function changingArray(first: number[], later: number[], reads = first.length): number[] {
  let count = 0;
  return new Proxy(first.slice(), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) return count++ < reads ? first[+key] : later[+key];
      return Reflect.get(target, key, receiver);
    },
  });
}

/** An object whose `key` reads as `first` once, then as `later`. */
function changingProperty<T extends object>(base: T, key: string, first: unknown, later: unknown): T {
  let read = false;
  return Object.defineProperty({ ...base }, key, {
    enumerable: true,
    get() {
      const value = read ? later : first;
      read = true;
      return value;
    },
  });
}

/** A Float32Array whose `length` says what it does not hold. */
class LyingLength extends Float32Array {
  override get length(): number {
    return 27;
  }
}

export const EXTREME_CASES: ExtremeCase[] = [
  {
    name: 'stride 30000 along W on 1-element tensors',
    build: () => call(t([1, 1, 1, 1, 1], [3]), t([1, 1, 1, 1, 1], [2]), { stride: [1, 1, 30000] }),
    want: { values: [6], shape: [1, 1, 1, 1, 1] },
  },
  {
    name: 'stride 2^31 − 1 on every axis with outputPadding 5 (216 outputs, one tap lands)',
    build: () => call(t([1, 1, 1, 1, 1], [3]), t([1, 1, 1, 1, 1], [2]), { stride: MAX_I32, outputPadding: 5 }),
    want: { reference: true },
  },
  {
    name: 'stride 1e8 on every axis of 1-element tensors',
    build: () => call(t([1, 1, 1, 1, 1], [-1.5]), t([1, 1, 1, 1, 1], [4]), { stride: 1e8 }),
    want: { values: [-6], shape: [1, 1, 1, 1, 1] },
  },
  {
    name: 'stride 1e8 over two inputs with padding 5e7: no tap lands, the output is the bias',
    build: () => call(rnd([1, 2, 1, 1, 2], 1), rnd([2, 3, 1, 1, 1], 2),
      { stride: [1, 1, 1e8], padding: [0, 0, 5e7], outputPadding: [0, 0, 3], bias: t([3], [1, -2, 0.5]) }),
    want: { values: [1, 1, 1, 1, -2, -2, -2, -2, 0.5, 0.5, 0.5, 0.5], shape: [1, 3, 1, 1, 4] },
  },
  {
    name: 'dilation 2^30 with padding 2^30 along W: only the middle tap lands',
    build: () => call(t([1, 1, 1, 1, 2], [1, 10]), t([1, 1, 1, 1, 3], [5, 2, 7]),
      { dilation: [1, 1, 2 ** 30], padding: [0, 0, 2 ** 30], stride: [1, 1, 3] }),
    want: { values: [2, 0, 0, 20], shape: [1, 1, 1, 1, 4] },
  },
  {
    name: 'dilation 2^30 and padding 2^30 on every axis, stride 3',
    build: () => call(rnd([1, 2, 2, 2, 2], 3), rnd([2, 3, 3, 3, 3], 4),
      { dilation: 2 ** 30, padding: 2 ** 30, stride: 3, bias: rnd([3], 5) }),
    want: { reference: true },
  },
  {
    name: 'dilation and padding 2^30 − 1 along W: the kernel is cropped to the one tap that lands',
    build: () => call(rnd([1, 1, 1, 1, 3], 6), rnd([1, 1, 1, 1, 3], 7),
      { dilation: [1, 1, 2 ** 30 - 1], padding: [0, 0, 2 ** 30 - 1], outputPadding: [0, 0, 1] }),
    want: { reference: true },
  },
  {
    name: 'padding larger than the reach of any tap: the output is the bias alone',
    build: () => call(t([1, 1, 1, 1, 1], [7]), t([1, 2, 1, 1, 1], [1, 1]),
      { stride: 3, padding: 1, outputPadding: 2, bias: t([2], [0.25, -4]) }),
    want: { values: [0.25, -4], shape: [1, 2, 1, 1, 1] },
  },
  {
    name: 'stride 2^30 over three inputs of which one lands: the input is cropped to it',
    build: () => call(rnd([1, 2, 1, 1, 3], 8), rnd([2, 2, 1, 1, 2], 9),
      { stride: [1, 1, 2 ** 30], padding: [0, 0, 2 ** 30 - 1], outputPadding: [0, 0, 1] }),
    want: { reference: true },
  },
  {
    name: 'stride 1024 along W over two inputs that both land (a 1024-entry tap table)',
    build: () => call(rnd([1, 1, 1, 2, 2], 40), rnd([1, 2, 1, 2, 2], 41), { stride: [1, 1, 1024] }),
    want: { reference: true },
  },
  {
    name: 'stride 2^30 with dilation 2^30 − 1: two inputs and two taps land, refused (more phases than the tables hold)',
    build: () => call(rnd([1, 1, 1, 1, 2], 10), rnd([1, 1, 1, 1, 2], 11),
      { stride: [1, 1, 2 ** 30], dilation: [1, 1, 2 ** 30 - 1], padding: [0, 0, 2 ** 30 - 1] }),
    want: { refused: '^conv_transpose3d: stride\\[2\\] = 1073741824, padding\\[2\\] = 1073741823 and dilation\\[2\\] = ' +
      '1073741823 \\(width, input size 2\\) give 1073741824 stride phases, more than the 1024' },
  },
  {
    name: 'a kernel wider than MAX_TEXTURE_SIZE (300 taps, textures capped at 256)',
    build: () => call(rnd([1, 2, 1, 2, 3], 12), rnd([2, 2, 1, 1, 300], 13), { padding: [0, 0, 2] }),
    want: { reference: true },
    backend: { maxTextureSize: 256 },
  },
  {
    name: '4096 depthwise groups on a 1-voxel volume',
    build: () => call(rnd([1, 4096, 1, 1, 1], 14), rnd([4096, 1, 1, 1, 1], 15), { groups: 4096 }),
    want: { reference: true },
  },
  {
    name: '1024 groups of 2 → 3 channels, cutting through texels, on a 1×1×2 volume',
    build: () => call(rnd([1, 2048, 1, 1, 2], 16), rnd([2048, 3, 1, 1, 2], 17),
      { groups: 1024, bias: rnd([3072], 18) }),
    want: { reference: true },
  },
  {
    name: '5000 output channels from one input voxel',
    build: () => call(rnd([1, 1, 1, 1, 1], 19), rnd([1, 5000, 1, 1, 1], 20)),
    want: { reference: true },
  },
  {
    name: 'an empty batch over a depth of 1e8',
    build: () => call(t([0, 1, 1e8, 1, 1], []), rnd([1, 2, 1, 1, 1], 21)),
    want: { values: [], shape: [0, 2, 1e8, 1, 1] },
  },
  {
    name: 'an empty batch whose volume would be 2^60 voxels',
    build: () => call(t([0, 1, 2 ** 20, 2 ** 20, 2 ** 20], []), rnd([1, 1, 1, 1, 1], 22), { stride: 1 }),
    want: { values: [], shape: [0, 1, 2 ** 20, 2 ** 20, 2 ** 20] },
  },
  {
    name: 'views at a byte offset into larger buffers full of NaN',
    build: () => {
      const [x, w, b] = [rnd([1, 3, 2, 3, 2], 23), rnd([3, 2, 2, 2, 2], 24), rnd([2], 25)];
      return call({ shape: x.shape, data: viewInto(x.data, 3) }, { shape: w.shape, data: viewInto(w.data, 7) },
        { stride: 2, bias: { shape: b.shape, data: viewInto(b.data, 1) } });
    },
    plain: () => call(rnd([1, 3, 2, 3, 2], 23), rnd([3, 2, 2, 2, 2], 24), { stride: 2, bias: rnd([2], 25) }),
    want: { reference: true },
  },
  {
    name: 'an input whose buffer was transferred away (detached) is refused',
    build: () => {
      const x = rnd([1, 1, 2, 2, 2], 26);
      structuredClone(x.data.buffer, { transfer: [x.data.buffer] });
      return call(x, rnd([1, 1, 2, 2, 2], 27));
    },
    want: { refused: '^conv_transpose3d: input\\.data has 0 elements \\(its buffer is detached' },
  },
  {
    name: 'a shape Proxy that reads [1, 1, 2, 2, 2] once and [1, 1, 4, 4, 4] after',
    build: () => call({ shape: changingArray([1, 1, 2, 2, 2], [1, 1, 4, 4, 4]), data: rnd([8], 28).data },
      rnd([1, 2, 3, 3, 3], 29), { stride: 2 }),
    plain: () => call(t([1, 1, 2, 2, 2], [...rnd([8], 28).data]), rnd([1, 2, 3, 3, 3], 29), { stride: 2 }),
    want: { reference: true },
    hostile: true,
  },
  {
    name: 'a data getter that gives a shorter array on its second read',
    build: () => call(changingProperty({ shape: [1, 2, 2, 2, 2], data: new Float32Array(0) }, 'data',
      rnd([16], 30).data, new Float32Array(3)), rnd([2, 2, 2, 2, 2], 31)),
    plain: () => call({ shape: [1, 2, 2, 2, 2], data: rnd([16], 30).data }, rnd([2, 2, 2, 2, 2], 31)),
    want: { reference: true },
    hostile: true,
  },
  {
    name: 'a bias getter that gives another tensor on its second read',
    build: () => call(rnd([1, 2, 2, 2, 2], 32), rnd([2, 4, 2, 2, 2], 33),
      changingProperty({ stride: 2 }, 'bias', rnd([4], 34), t([1], [NaN]))),
    plain: () => call(rnd([1, 2, 2, 2, 2], 32), rnd([2, 4, 2, 2, 2], 33), { stride: 2, bias: rnd([4], 34) }),
    want: { reference: true },
    hostile: true,
  },
  {
    name: 'a stride getter that gives 2 then 3',
    build: () => call(rnd([1, 1, 3, 3, 3], 35), rnd([1, 1, 3, 3, 3], 36),
      changingProperty({ padding: 1 }, 'stride', 2, 3)),
    plain: () => call(rnd([1, 1, 3, 3, 3], 35), rnd([1, 1, 3, 3, 3], 36), { padding: 1, stride: 2 }),
    want: { reference: true },
    hostile: true,
  },
  {
    name: 'a stride array Proxy that reads [2, 2, 2] once and [1, 1, 1] after',
    build: () => call(rnd([1, 1, 2, 2, 2], 37), rnd([1, 1, 2, 2, 2], 38),
      { stride: changingArray([2, 2, 2], [1, 1, 1]) as [number, number, number] }),
    plain: () => call(rnd([1, 1, 2, 2, 2], 37), rnd([1, 1, 2, 2, 2], 38), { stride: 2 }),
    want: { reference: true },
    hostile: true,
  },
  {
    name: 'a Float32Array subclass whose length lies (27, holding 9) is refused',
    build: () => call({ shape: [1, 1, 3, 3, 3], data: new LyingLength(9).fill(1) }, rnd([1, 1, 1, 1, 1], 39)),
    want: { refused: '^conv_transpose3d: input\\.data has 9 elements but input\\.shape \\[1, 1, 3, 3, 3\\] needs 27$' },
  },
];


/** Parameters up to 2^31, the edges often. */
const BIG = fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 30, 2 ** 30 - 1, 2 ** 31 - 1, 1e8));
const SMALL = fc.integer({ min: 1, max: 4 });

/** PyTorch's output length of one axis, exactly. */
export function axisLength(inLen: number, k: number, s: number, d: number, p: number, op: number): number {
  const b = BigInt;
  return Number((b(inLen) - 1n) * b(s) - 2n * b(p) + b(d) * b(k - 1) + b(op) + 1n);
}

/**
 * One valid axis with parameters up to 2^31 and, mostly, a small output: the padding is drawn near half the span the
 * stride and dilation open (so it takes most of it back), the output padding below the stride or the dilation.
 */
export const EXTREME_AXIS = fc.record({
  inLen: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 5 }), s: fc.oneof(SMALL, BIG),
  d: fc.oneof(SMALL, BIG), back: fc.integer({ min: -3, max: 6 }), op: fc.oneof(fc.integer({ min: 0, max: 3 }), BIG),
  smallPadding: fc.boolean(),
}).map(({ inLen, k, s, d, back, op, smallPadding }) => {
  const span = (inLen - 1) * s + d * (k - 1);
  const p = smallPadding ? Math.max(0, back) : Math.max(0, Math.floor(span / 2) - back);
  return { inLen, k, s, d, p, op: op < Math.max(s, d) ? op : 0 };
});

/** Snapshots of everything a call's arguments hold, to check afterwards that nothing was modified. */
export function valuesOf(c: ExtremeCall): Float32Array[] {
  const bias = c.options.bias;
  return [c.input.data, c.weight.data, ...(bias ? [bias.data] : [])].map((d) => {
    try {
      return Float32Array.from(d);
    } catch {
      return new Float32Array(0);  // a detached buffer
    }
  });
}

/** A whole call of extreme axes ({@link EXTREME_AXIS}): shapes, options, and the output's spatial size. */
export interface ExtremeShape {
  input: number[];
  weight: number[];
  options: Omit<ConvTranspose3dOptions, 'bias'>;
  outSize: number[];
}

/** Calls of 1–5 channels in and out (in 1 or 2 groups) over three {@link EXTREME_AXIS} axes. */
export const EXTREME_CALL: fc.Arbitrary<ExtremeShape> = fc.record({
  axes: fc.tuple(EXTREME_AXIS, EXTREME_AXIS, EXTREME_AXIS), groups: fc.constantFrom(1, 2),
  inPerGroup: fc.integer({ min: 1, max: 3 }), outPerGroup: fc.integer({ min: 1, max: 3 }),
  batch: fc.integer({ min: 1, max: 2 }),
}).map(({ axes, groups, inPerGroup, outPerGroup, batch }) => ({
  input: [batch, groups * inPerGroup, ...axes.map((a) => a.inLen)],
  weight: [groups * inPerGroup, outPerGroup, ...axes.map((a) => a.k)],
  options: { groups, stride: axes.map((a) => a.s), dilation: axes.map((a) => a.d), padding: axes.map((a) => a.p),
    outputPadding: axes.map((a) => a.op) } as Omit<ConvTranspose3dOptions, 'bias'>,
  outSize: axes.map((a) => axisLength(a.inLen, a.k, a.s, a.d, a.p, a.op)),
}));
