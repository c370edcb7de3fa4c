import { checkTensor, show } from './args';
import type { Tensor } from './types';

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Makes a {@link Tensor}. `data` may be omitted (zeros), a Float32Array (used as is, not copied) or any array of
 * numbers (converted to float32).
 *
 * @example
 * const x = tensor([1, 1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
 */
export function tensor(shape: number[], data?: Float32Array | ArrayLike<number>): Tensor {
  if (!Array.isArray(shape)) throw new Error(`tensor: shape must be an array of sizes, got ${show(shape)}`);
  const size = numel(shape);
  let values: Float32Array;
  if (data === undefined) {
    if (!shape.every((s) => Number.isSafeInteger(s) && s >= 0) || !Number.isSafeInteger(size)) {
      throw new Error(`tensor: shape must hold non-negative integers, got ${show(shape)}`);
    }
    values = new Float32Array(size);
  } else if (data instanceof Float32Array) {
    values = data;
  } else if (typeof data === 'object' && data !== null && typeof data.length === 'number') {
    values = Float32Array.from(data);
  } else {
    throw new Error(`tensor: data must be a Float32Array or an array of numbers, got ${show(data)}`);
  }
  const t = { shape: shape.slice(), data: values };
  checkTensor(t, 'tensor');
  return t;
}
