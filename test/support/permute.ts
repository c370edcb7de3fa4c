// Reordering a row-major tensor's axes, for tests that move data between PyTorch's layouts and TensorFlow's.
import type { Tensor } from '../../src/types';

/**
 * `data` of row-major `shape` with its axes reordered: axis i of the result is axis `order[i]` of the input.
 *
 * @example
 * permuteAxes(x.data, [1, 3, 4, 4, 4], [0, 2, 3, 4, 1]).shape; // [1, 4, 4, 4, 3]: NCDHW to NDHWC
 */
export function permuteAxes(data: ArrayLike<number>, shape: readonly number[], order: readonly number[]): Tensor {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = order.map((a) => shape[a]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let p = 0; p < out.length; p++) {
    out[p] = data[order.reduce((f, a, i) => f + index[i] * strides[a], 0)];
    for (let i = outShape.length - 1; i >= 0 && ++index[i] === outShape[i]; i--) index[i] = 0;
  }
  return { shape: outShape, data: out };
}
