// Support code for the tests, the benchmark and the playground, not part of the published API: nothing in
// src/index.ts imports it. Seeded pseudo-random numbers and tensors, the same on every run and in every engine.
import { numel } from '../tensor.js';
import type { Tensor } from '../types.js';

/** mulberry32: a small, fast, seedable generator with good enough statistics for test data. Values in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded values in [-1, 1), with an occasional exact zero and integer. */
export function randomTensor(shape: number[], seed: number): Tensor {
  const r = rng(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) {
    const u = r();
    data[i] = u < 0.05 ? 0 : u < 0.1 ? Math.round(r() * 6 - 3) : r() * 2 - 1;
  }
  return { shape, data };
}
