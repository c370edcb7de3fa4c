// conv3dTransposeGradient on tfjs's CPU backend: both gradients against the convolution they should equal and
// against central finite differences, and a filter trained through tf.conv3dTranspose.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients on its own (the @tensorflow/tfjs bundle does this import); the fit's loss and the
// unbatched call's reshape need them. None of them is Conv3DBackpropInputV2's, as the first test shows.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { conv3dTransposeGradient } from '../../src/tfjs/gradient';
import { randomTensor } from '../../src/support/seeded';

type Triple = [number, number, number];
type Shape5 = [number, number, number, number, number];

interface Case {
  name: string;
  batch: number;
  inC: number;
  outC: number;
  kernel: Triple;
  /** The spatial shape of the transposed convolution's output (the kernel's inputShape). */
  out: Triple;
  strides: number | Triple;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  // SAME with total padding 1, 2, 1 on the three axes: tfjs puts the odd pixel after, which the gradient must match.
  { name: 'stride 1, same, odd padding', batch: 1, inC: 3, outC: 5, kernel: [2, 3, 2], out: [5, 4, 3], strides: 1,
    pad: 'same' },
  // 8 - 3 is odd, so the last output row along D is reached by no tap: its gradient must not leak into the others.
  { name: 'stride 2, valid, batch 2', batch: 2, inC: 3, outC: 5, kernel: [3, 2, 3], out: [8, 6, 5], strides: 2,
    pad: 'valid' },
  { name: 'stride (1,2,3), same, odd padding, batch 2', batch: 2, inC: 5, outC: 3, kernel: [3, 3, 3], out: [4, 6, 8],
    strides: [1, 2, 3], pad: 'same' },
  { name: 'stride (1,2,3), valid', batch: 1, inC: 5, outC: 3, kernel: [2, 3, 2], out: [4, 7, 8], strides: [1, 2, 3],
    pad: 'valid' },
  // Kernel wider than the stride on every axis, so taps overlap; one input channel, one output channel.
  { name: 'stride 2, same, overlapping taps, one channel', batch: 1, inC: 1, outC: 1, kernel: [4, 3, 5],
    out: [6, 5, 7], strides: 2, pad: 'same' },
];

const triple = (s: number | Triple): Triple => (typeof s === 'number' ? [s, s, s] : s);

/** The shape of the transposed convolution's input: the output of the forward convolution over `out`. */
function dyShape(c: Case): Shape5 {
  const s = triple(c.strides);
  const sp = c.out.map((n, a) => Math.ceil((c.pad === 'same' ? n : n - c.kernel[a] + 1) / s[a]));
  return [c.batch, sp[0], sp[1], sp[2], c.inC];
}

const filterShape = (c: Case): Shape5 => [...c.kernel, c.outC, c.inC];
const outShape = (c: Case): Shape5 => [c.batch, ...c.out, c.outC];

function totalSamePadding(c: Case): Triple {
  const s = triple(c.strides);
  const d = dyShape(c);
  return c.out.map((n, a) => Math.max((d[a + 1] - 1) * s[a] + c.kernel[a] - n, 0)) as Triple;
}

function forward(c: Case, dy: Float32Array, filter: Float32Array): Float32Array {
  return tf.tidy(() => tf.conv3dTranspose(tf.tensor5d(dy, dyShape(c)), tf.tensor5d(filter, filterShape(c)),
    outShape(c), c.strides, c.pad).dataSync() as Float32Array);
}

/**
 * Central differences of f = <r, conv3dTranspose(dy, filter)>, one per element of `which`. f is linear in each
 * argument, so the difference quotient has no truncation error: what is left is rounding. The sum runs in float64
 * over the difference of the two float32 outputs, so that rounding is only the outputs' own (6e-8 of their size at
 * most, divided by 2h = 0.02), and the quotient divides by the step float32 really took, not by 2h.
 */
function finiteDifferences(c: Case, dy: Float32Array, filter: Float32Array, r: Float32Array,
  which: 'dy' | 'filter', h = 1e-2): Float64Array {
  const target = which === 'dy' ? dy : filter;
  const grad = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const plus = target.slice();
    const minus = target.slice();
    plus[i] = Math.fround(target[i] + h);
    minus[i] = Math.fround(target[i] - h);
    const yPlus = which === 'dy' ? forward(c, plus, filter) : forward(c, dy, plus);
    const yMinus = which === 'dy' ? forward(c, minus, filter) : forward(c, dy, minus);
    let sum = 0;
    for (let j = 0; j < r.length; j++) sum += (yPlus[j] - yMinus[j]) * r[j];
    grad[i] = sum / (plus[i] - minus[i]);
  }
  return grad;
}

/** The largest error relative to the largest gradient element: elements near zero make element-wise ratios noise. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(scale).toBeGreaterThan(0);
  return err / scale;
}

// With the rounding above, the quotients land within about 1e-5 of the gradients here; a wrong formula (the filter
// gradient with x and dy swapped, say) is off by order 1. 1e-3 leaves a wide margin on both sides.
const TOLERANCE = 1e-3;

function dataOf(c: Case, seed: number) {
  return {
    dy: randomTensor(dyShape(c), seed).data,
    filter: randomTensor(filterShape(c), seed + 1).data,
    r: randomTensor(outShape(c), seed + 2).data,
  };
}

/** Both gradients of <r, conv3dTranspose(dy, filter)> through the engine, r as the upstream gradient. */
function tfjsGradients(c: Case, dy: Float32Array, filter: Float32Array, r: Float32Array) {
  return tf.tidy(() => {
    const [gDy, gFilter] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf.conv3dTranspose(x as tf.Tensor5D, w as tf.Tensor5D, outShape(c), c.strides, c.pad))(
      [tf.tensor5d(dy, dyShape(c)), tf.tensor5d(filter, filterShape(c))], tf.tensor5d(r, outShape(c)));
    const conv = tf.conv3d(tf.tensor5d(r, outShape(c)), tf.tensor5d(filter, filterShape(c)), c.strides, c.pad);
    expect(gDy.shape).toEqual(dyShape(c));
    expect(gFilter.shape).toEqual(filterShape(c));
    return { dy: gDy.dataSync(), filter: gFilter.dataSync(), conv: conv.dataSync() };
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs without the gradient', () => {
  it('cannot differentiate conv3dTranspose', () => {
    expect(tf.getGradient('Conv3DBackpropInputV2')).toBeUndefined();
    const c = CASES[0];
    const { dy, filter, r } = dataOf(c, 1);
    expect(() => tfjsGradients(c, dy, filter, r)).toThrow(/gradient function not found for Conv3DBackpropInputV2/);
  });
});

describe('conv3dTransposeGradient', () => {
  beforeAll(() => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    tf.registerGradient(conv3dTransposeGradient(tf));
    // tfjs warns when it overrides a gradient: there must have been none to override.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
  // The registry is global to the process (it survives even a second copy of tfjs): leave it as found.
  afterAll(() => tf.unregisterGradient('Conv3DBackpropInputV2'));

  it('imports nothing at run time, so it never loads a tfjs of its own', () => {
    const source = readFileSync(new URL('../../src/tfjs/gradient.ts', import.meta.url), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    expect(js).toContain('Conv3DBackpropFilterV2');
    expect(js).not.toMatch(/^\s*import\b|\bimport\s*\(|\brequire\s*\(/m);
  });

  it('the cases cover SAME with odd total padding', () => {
    const odd = CASES.filter((c) => c.pad === 'same' && totalSamePadding(c).some((p) => p % 2 === 1));
    expect(odd.length).toBeGreaterThanOrEqual(2);
  });

  CASES.forEach((c, k) => {
    const seed = 100 * (k + 1);
    it(`${c.name}: dy ${dyShape(c).join('×')}, filter ${filterShape(c).join('×')}`, () => {
      const { dy, filter, r } = dataOf(c, seed);
      const got = tfjsGradients(c, dy, filter, r);
      // The same computation, so the same bits.
      expect(got.dy).toEqual(got.conv);
      expect(relativeError(got.dy, finiteDifferences(c, dy, filter, r, 'dy'))).toBeLessThan(TOLERANCE);
      expect(relativeError(got.filter, finiteDifferences(c, dy, filter, r, 'filter'))).toBeLessThan(TOLERANCE);
    });
  });

  it('an unbatched (rank-4) input gets the batched gradients without its batch axis', () => {
    const c = CASES[2];
    const one = { ...c, batch: 1 };
    const { dy, filter, r } = dataOf(one, 7);
    const want = tfjsGradients(one, dy, filter, r);
    const unbatched = (s: Shape5): [number, number, number, number] => [s[1], s[2], s[3], s[4]];
    const got = tf.tidy(() => {
      const [gDy, gFilter] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.conv3dTranspose(x as tf.Tensor4D, w as tf.Tensor5D, unbatched(outShape(one)), c.strides, c.pad))(
        [tf.tensor4d(dy, unbatched(dyShape(one))), tf.tensor5d(filter, filterShape(c))],
        tf.tensor4d(r, unbatched(outShape(one))));
      expect(gDy.shape).toEqual(unbatched(dyShape(one)));
      return { dy: gDy.dataSync(), filter: gFilter.dataSync() };
    });
    expect(got.dy).toEqual(want.dy);
    expect(got.filter).toEqual(want.filter);
  });

  it('trains a filter with tf.train.sgd: 20 steps cut the loss by 10× or more', () => {
    const tensorsBefore = tf.memory().numTensors;
    const c: Case = { name: 'fit', batch: 2, inC: 3, outC: 2, kernel: [3, 3, 3], out: [6, 6, 6], strides: 2,
      pad: 'same' };
    const x = tf.tensor5d(randomTensor(dyShape(c), 11).data, dyShape(c));
    const target = tf.tidy(() => tf.conv3dTranspose(x,
      tf.tensor5d(randomTensor(filterShape(c), 12).data, filterShape(c)), outShape(c), c.strides, c.pad));
    // tidy disposes the zeros the variable starts from; variables outlive it.
    const filter = tf.tidy(() => tf.variable<tf.Rank.R5>(tf.zeros(filterShape(c))));
    // Stable up to a rate past 12 here; 4 cuts the loss about 90×, so the bound is far from both edges.
    const optimizer = tf.train.sgd(4);
    const loss = () => tf.losses.meanSquaredError(target,
      tf.conv3dTranspose(x, filter, outShape(c), c.strides, c.pad)) as tf.Scalar;
    const losses: number[] = [];
    for (let step = 0; step <= 20; step++) {
      const value = optimizer.minimize(loss, true)!;
      losses.push(value.dataSync()[0]);
      value.dispose();
    }
    expect(losses[0]).toBeGreaterThan(0);
    expect(losses[20]).toBeLessThan(losses[0] / 10);
    tf.dispose([x, target, filter]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
